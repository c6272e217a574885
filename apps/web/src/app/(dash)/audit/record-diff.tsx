'use client';
import { mutedClass } from '../../_components/ui';
import { TableHead } from '../../_components/table';
import { DiffLines } from '../../_components/diff-lines';
import { jsonDiff, leafText } from '../../_lib/json-diff';

const HEAD = 'text-left font-semibold';

/** A new value; a unified diff (a `diff` field, e.g. a replaced hand edit of a node's nginx file) as its lines. */
function AfterText({ path, value }: { path: string; value: unknown }) {
  if (typeof value === 'string' && /diff$/i.test(path) && value.includes('\n@@'))
    return (
      <pre className="max-h-64 overflow-auto whitespace-pre-wrap" data-testid="audit-text-diff">
        <DiffLines lines={value.replace(/\n$/, '').split('\n')} />
      </pre>
    );
  return (
    <ins className="rounded bg-emerald-100 px-0.5 text-emerald-900 no-underline dark:bg-emerald-950 dark:text-emerald-100">
      <span className="sr-only">now </span>
      {leafText(value)}
    </ins>
  );
}

/** The record's before/after as the leaves that differ, with the raw JSON one click further. */
export function RecordDiff({ before, after }: { before: unknown; after: unknown }) {
  const lines = jsonDiff(before, after);
  return (
    <div className="mt-1 space-y-2">
      {lines.length === 0 ? (
        <p className={`text-xs ${mutedClass}`}>No difference between before and after.</p>
      ) : (
        <table className="w-full text-xs">
          <caption className="sr-only">Changed fields</caption>
          <TableHead
            look="bare"
            columns={[
              { label: 'Field', className: `pr-2 ${HEAD}` },
              { label: 'Before', className: `pr-2 ${HEAD}` },
              { label: 'After', className: HEAD },
            ]}
          />
          <tbody className="font-mono">
            {lines.map((l) => (
              <tr key={l.path} className="align-top">
                <td className="pr-2 break-all">{l.path}</td>
                <td className="pr-2 break-all">
                  {l.kind === 'added' ? (
                    <span className={mutedClass}>—</span>
                  ) : (
                    <del className="rounded bg-red-100 px-0.5 text-red-900 no-underline dark:bg-red-950 dark:text-red-100">
                      <span className="sr-only">was </span>
                      {leafText(l.before)}
                    </del>
                  )}
                </td>
                <td className="break-all">
                  {l.kind === 'removed' ? (
                    <span className={mutedClass}>removed</span>
                  ) : (
                    <AfterText path={l.path} value={l.after} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <details>
        <summary className="cursor-pointer text-xs text-sky-800 focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-300">
          Raw JSON
        </summary>
        <pre className="max-h-64 overflow-auto rounded bg-slate-100 p-2 text-xs break-all whitespace-pre-wrap dark:bg-slate-800">
          {JSON.stringify({ before, after }, null, 2)}
        </pre>
      </details>
    </div>
  );
}
