'use client';
/**
 * Creating and deleting a config object from the cluster page: the change shown as a diff of the
 * cluster spec before it is saved, and a Delete button whose confirmation shows what goes away (and,
 * for pools and virtual servers, the rendered nginx diff) and, when the server refuses, its message
 * (which names the field).
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { apiProblem, type RouterOutputs } from '~/trpc/client';
import { specDiffLines } from '../../_lib/object-drafts';
import { ConfirmDialog } from '../confirm-dialog';
import { DiffLines } from '../diff-lines';
import { Banner, Button, mutedClass } from '../ui';
import { ConfigDiff } from './rollout';

/** The queries a config change makes stale beside its own list. */
export const CHANGE_QUERIES = ['clusters.get', 'clusters.deployments', 'clusters.overview', 'audit.list'];

/** The change to the cluster spec, line by line; `label` names it for screen readers. */
export function SpecChange({
  field,
  before,
  after,
  label,
}: {
  field: string;
  before: unknown;
  after: unknown;
  label: string;
}) {
  return (
    <div className="text-sm" data-testid="spec-diff">
      <p>Cluster spec ({after === null ? 'removed' : 'added'}):</p>
      <pre
        className="mt-1 max-h-64 overflow-auto rounded bg-slate-50 p-2 font-mono text-xs leading-5 dark:bg-slate-950"
        tabIndex={0}
        aria-label={label}
      >
        <DiffLines lines={specDiffLines(field, before, after)} />
      </pre>
    </div>
  );
}

/** A refused call as one line: the server's message, which starts with the field it names. */
export function refusalText(e: unknown): string {
  const p = apiProblem(e);
  const extra = Object.entries(p.fields)
    .filter(([k]) => !p.message.startsWith(`${k}: `))
    .map(([k, m]) => `${k}: ${m}`);
  return [p.message, ...extra].join('; ');
}

export interface DeleteProps {
  /** "pool", "VRRP instance". */
  what: string;
  /** The spec field of the object (`pool`), for the diff's paths. */
  field: string;
  name: string;
  obj: unknown;
  /** The list query of the object's area (`pools.list`). */
  list: string;
  remove: () => Promise<{ revision: number | null }>;
  /** What the delete does beyond the config (a VIP no node holds any more). */
  warning?: string;
  /** The rendered nginx diff of the delete per node (pools, virtual servers). */
  nginx?: () => Promise<RouterOutputs['pools']['preview']>;
  onDeleted: (text: string) => void;
}

/** The nginx diff of a delete, read while its confirmation is open; a spec the delete would break is said as such. */
function NginxDelete({ what, read }: { what: string; read: () => Promise<RouterOutputs['pools']['preview']> }) {
  const q = useQuery({ queryKey: ['previewDelete', what], queryFn: read, retry: false, gcTime: 0 });
  if (q.isPending) return <p className={mutedClass}>Rendering the nginx config without it…</p>;
  if (q.isError) return <p className={mutedClass}>No nginx diff: {refusalText(q.error)}</p>;
  return (
    <>
      <p>What the nodes&apos; nginx config would change:</p>
      {q.data.diffs.map((d) => (
        <ConfigDiff key={d.nodes.join(',')} diff={d} />
      ))}
    </>
  );
}

/** A Delete button and its confirmation with the spec diff; a refusal stays in the dialog. */
export function DeleteAction(p: DeleteProps) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);
  async function confirm() {
    setBusy(true);
    setRefused(null);
    try {
      const r = await p.remove();
      setOpen(false);
      p.onDeleted(
        `Deleted ${p.what} ${p.name}${r.revision !== null ? ` — config revision ${r.revision} created; nodes apply it next` : ''}.`,
      );
      await Promise.all([p.list, ...CHANGE_QUERIES].map((k) => qc.invalidateQueries({ queryKey: [k] })));
    } catch (e) {
      setRefused(refusalText(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Button tone="danger" onClick={() => (setRefused(null), setOpen(true))} aria-label={`Delete ${p.what} ${p.name}`}>
        Delete
      </Button>
      <ConfirmDialog
        open={open}
        title={`Delete ${p.what} ${p.name}?`}
        confirmLabel={`Delete ${p.what}`}
        danger
        wide
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={() => setOpen(false)}
      >
        {/* Only while open: a closed dialog's text would still be in the page for text searches. */}
        {open && (
          <>
            <p>This creates a new config revision without it; the nodes apply it next.</p>
            {p.warning && <Banner tone="warn">{p.warning}</Banner>}
            <SpecChange
              field={p.field}
              before={p.obj}
              after={null}
              label={`Spec diff of deleting ${p.what} ${p.name}`}
            />
            {p.nginx && <NginxDelete what={`${p.what} ${p.name}`} read={p.nginx} />}
            {refused && (
              <Banner tone="error" role="alert">
                Not deleted: {refused}
              </Banner>
            )}
          </>
        )}
      </ConfirmDialog>
    </>
  );
}
