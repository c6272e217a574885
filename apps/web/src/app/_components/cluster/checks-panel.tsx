'use client';
/**
 * The cluster's health checks (keepalived `vrrp_script` semantics: interval, timeout, weight,
 * rise, fall) and, for admins, an editor per check. Kind-specific settings (HTTP target, TCP
 * target, script argv, pid file) are edited too; the kind itself is not (delete and add instead).
 */
import { useState } from 'react';
import { api, type RouterOutputs } from '~/trpc/client';
import type { ProxyStatusClass } from '@keepwatch/shared';
import { Banner, Button } from '../ui';
import { DataTable } from '../table';
import { CheckField, EditorActions, TextField, num, useEditor } from './form';
import { DeleteAction } from './spec-change';

type CheckRow = RouterOutputs['checks']['list'][number];
type Check = CheckRow['check'];

function target(c: Check): string {
  switch (c.kind) {
    case 'http':
      return `GET http://${c.address.includes(':') ? `[${c.address}]` : c.address}:${c.port}${c.path} → ${c.expectStatus}`;
    case 'tcp':
      return `connect ${c.address}:${c.port}`;
    case 'script':
      return 'argv' in c.command ? c.command.argv.join(' ') : c.command.shell;
    case 'process':
      return `pid file ${c.pidFile}`;
    case 'proxy':
      return `GET http://${c.host}${c.path} through nginx at ${c.address.includes(':') ? `[${c.address}]` : c.address}:${c.port} → ${c.expectStatus.join('/')}`;
    case 'nginx':
      return 'nginx supervision (restart if not running)';
  }
}

export function ChecksPanel({ rows, canEdit }: { rows: CheckRow[]; canEdit: boolean }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [saved, setSaved] = useState('');
  return (
    <div className="space-y-2">
      {saved && <Banner tone="ok">{saved}</Banner>}
      <DataTable
        columns={['Check', 'Kind and target', 'Interval / timeout', 'Weight', 'Rise / fall']}
        actions={canEdit && 'Actions'}
        look="compact"
      >
        {rows.map((r) => (
          <tr key={r.id} className="border-t border-slate-100 align-top dark:border-slate-800">
            <th scope="row" className="py-1 pr-3 font-medium">
              {r.check.name}
            </th>
            {editing === r.id ? (
              <td colSpan={canEdit ? 5 : 4}>
                <CheckEditor
                  row={r}
                  onDone={(text) => {
                    setEditing(null);
                    setSaved(text);
                  }}
                />
              </td>
            ) : (
              <>
                <td className="py-1 pr-3">
                  <span className="font-semibold">{r.check.kind}</span>{' '}
                  <span className="font-mono text-xs">{target(r.check)}</span>
                </td>
                <td className="py-1 pr-3 tabular-nums">
                  {r.check.intervalMs} ms / {r.check.timeoutMs ?? r.check.intervalMs} ms
                </td>
                <td className="py-1 pr-3 tabular-nums">
                  {r.check.weight === 0 ? '0 (failure = FAULT)' : r.check.weight}
                </td>
                <td className="py-1 pr-3 tabular-nums">
                  {r.check.rise} / {r.check.fall}
                </td>
                {canEdit && (
                  <td className="space-x-1 whitespace-nowrap py-1 text-right">
                    <Button onClick={() => (setEditing(r.id), setSaved(''))} aria-label={`Edit check ${r.check.name}`}>
                      Edit
                    </Button>
                    <DeleteAction
                      what="health check"
                      field="check"
                      name={r.check.name}
                      obj={r.check}
                      list="checks.list"
                      remove={() => api.checks.delete.mutate({ id: r.id, version: r.version })}
                      onDeleted={setSaved}
                    />
                  </td>
                )}
              </>
            )}
          </tr>
        ))}
      </DataTable>
    </div>
  );
}

/** A check's fields as the forms edit them (text; a kind's fields stay empty for the others). */
export interface CheckFieldsDraft {
  intervalMs: string;
  timeoutMs: string;
  weight: string;
  rise: string;
  fall: string;
  initFail: boolean;
  address: string;
  port: string;
  path: string;
  expectStatus: string;
  /** Proxy checks: the virtual server's host name. */
  host: string;
  argv: string;
  pidFile: string;
}

type Draft = CheckFieldsDraft;

const toDraft = (c: Check): Draft => ({
  intervalMs: String(c.intervalMs),
  timeoutMs: c.timeoutMs === undefined ? '' : String(c.timeoutMs),
  weight: String(c.weight),
  rise: String(c.rise),
  fall: String(c.fall),
  initFail: c.initFail,
  address: c.kind === 'http' || c.kind === 'tcp' || c.kind === 'proxy' ? c.address : '',
  port: c.kind === 'http' || c.kind === 'tcp' || c.kind === 'proxy' ? String(c.port) : '',
  path: c.kind === 'http' || c.kind === 'proxy' ? c.path : '',
  expectStatus: c.kind === 'http' ? String(c.expectStatus) : c.kind === 'proxy' ? c.expectStatus.join(' ') : '',
  host: c.kind === 'proxy' ? c.host : '',
  argv: c.kind === 'script' ? ('argv' in c.command ? c.command.argv.join('\n') : c.command.shell) : '',
  pidFile: c.kind === 'process' ? c.pidFile : '',
});

/** A proxy check's own fields from the draft: host, path and the expected classes (space-separated). */
export function proxyFields(d: Pick<Draft, 'host' | 'path' | 'expectStatus'>) {
  const classes = d.expectStatus.split(/\s+/).filter((w) => w !== '');
  // A bare number is the HTTP check's default left in a new check's draft: the schema's default then.
  const given = classes.length > 0 && !/^[0-9]+$/.test(d.expectStatus.trim());
  const expectStatus = (given ? classes : ['2xx', '3xx']) as ProxyStatusClass[];
  return { host: d.host.trim(), path: d.path, expectStatus };
}

/** A proxy check's host, path and expected classes (the address and port are the shared fields). */
export function ProxyCheckFields({
  bind,
}: {
  bind: (k: 'host' | 'path' | 'expectStatus') => {
    id: string;
    value: string;
    onChange: (v: string) => void;
    error?: string | undefined;
  };
}) {
  return (
    <>
      <TextField {...bind('host')} label="Host (virtual server)" mono className="w-48" />
      <TextField {...bind('path')} label="Path" mono className="w-40" />
      <TextField {...bind('expectStatus')} label="Expected classes" hint="e.g. 2xx 3xx" className="w-28" />
    </>
  );
}

function toCheck(base: Check, d: Draft): Check {
  const common = {
    intervalMs: num(d.intervalMs),
    weight: num(d.weight),
    rise: num(d.rise),
    fall: num(d.fall),
    initFail: d.initFail,
  };
  const out = { ...base, ...common } as Check;
  if (d.timeoutMs.trim() === '') delete (out as { timeoutMs?: number }).timeoutMs;
  else out.timeoutMs = num(d.timeoutMs);
  if (out.kind === 'http')
    Object.assign(out, {
      address: d.address.trim(),
      port: num(d.port),
      path: d.path,
      expectStatus: num(d.expectStatus),
    });
  if (out.kind === 'tcp') Object.assign(out, { address: d.address.trim(), port: num(d.port) });
  if (out.kind === 'proxy') Object.assign(out, proxyFields(d));
  if (out.kind === 'process') out.pidFile = d.pidFile;
  if (out.kind === 'script')
    out.command = 'argv' in out.command ? { argv: d.argv.split('\n').filter((w) => w !== '') } : { shell: d.argv };
  return out;
}

function CheckEditor({ row, onDone }: { row: CheckRow; onDone: (text: string) => void }) {
  const c = row.check;
  const { uid, draft, set, busy, problem, bind, save } = useEditor({
    init: () => toDraft(c),
    field: 'check',
    queries: ['checks.list', 'clusters.get', 'clusters.deployments', 'audit.list'],
    mutate: (d: Draft) => api.checks.update.mutate({ id: row.id, version: row.version, check: toCheck(c, d) }),
    saved: (r) =>
      onDone(
        `Saved check ${c.name} as version ${r.version}${r.revision !== null ? ` — config revision ${r.revision} created` : ''}.`,
      ),
  });
  const argvErrors =
    problem?.kind === 'fields' ? Object.entries(problem.fields).filter(([k]) => k.startsWith('command')) : [];

  return (
    <form
      aria-label={`Edit check ${c.name}`}
      className="space-y-2 py-2"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {problem && (
        <Banner tone={problem.kind === 'conflict' ? 'warn' : 'error'} role="alert">
          {problem.kind === 'conflict'
            ? `Not saved: someone else changed check ${c.name}. ${problem.text}`
            : problem.text}
        </Banner>
      )}
      <div className="flex flex-wrap gap-3">
        <TextField {...bind('intervalMs')} label="Interval (ms)" inputMode="numeric" />
        <TextField {...bind('timeoutMs')} label="Timeout (ms)" hint="empty = the interval" inputMode="numeric" />
        <TextField
          {...bind('weight')}
          label="Weight"
          hint="−254…254; 0: failure = FAULT"
          inputMode="numeric"
          className="w-20"
        />
        <TextField {...bind('rise')} label="Rise" inputMode="numeric" className="w-16" />
        <TextField {...bind('fall')} label="Fall" inputMode="numeric" className="w-16" />
        <CheckField
          id={`${uid}-if`}
          label="Starts failed (init_fail)"
          checked={draft.initFail}
          onChange={(v) => set({ initFail: v })}
        />
      </div>
      {(c.kind === 'http' || c.kind === 'tcp' || c.kind === 'proxy') && (
        <div className="flex flex-wrap gap-3">
          <TextField {...bind('address')} label="Address" mono className="w-44" />
          <TextField {...bind('port')} label="Port" inputMode="numeric" className="w-20" />
          {c.kind === 'proxy' && <ProxyCheckFields bind={bind} />}
          {c.kind === 'http' && (
            <>
              <TextField {...bind('path')} label="Path" mono className="w-40" />
              <TextField {...bind('expectStatus')} label="Expected status" inputMode="numeric" className="w-20" />
            </>
          )}
        </div>
      )}
      {c.kind === 'script' && (
        <TextField
          id={`${uid}-argv`}
          label={'argv' in c.command ? 'Command (one argument per line)' : 'Shell line'}
          value={draft.argv}
          onChange={(v) => set({ argv: v })}
          error={argvErrors.map(([k, m]) => `${k}: ${m}`).join('; ') || undefined}
          multiline={'argv' in c.command}
          mono
          className="w-96"
        />
      )}
      {c.kind === 'process' && <TextField {...bind('pidFile')} label="Pid file" mono className="w-72" />}
      <EditorActions busy={busy} save="Save check" onCancel={() => onDone('')} />
    </form>
  );
}
