'use client';
/**
 * The cluster's health checks (keepalived `vrrp_script` semantics: interval, timeout, weight,
 * rise, fall) and, for admins, an editor per check. Kind-specific settings (HTTP target, TCP
 * target, script argv, pid file) are edited too; the kind itself is not (delete and add instead).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, type RouterOutputs } from '~/trpc/client';
import { Banner, Button, TableHead } from '../ui';
import { CheckField, TextField, num, refusal, type Refusal } from './form';

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
      <table className="w-full text-left text-sm">
        <TableHead
          columns={['Check', 'Kind and target', 'Interval / timeout', 'Weight', 'Rise / fall']}
          actions={canEdit && 'Actions'}
          look="compact"
        />
        <tbody>
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
                    <td className="py-1 text-right">
                      <Button
                        onClick={() => (setEditing(r.id), setSaved(''))}
                        aria-label={`Edit check ${r.check.name}`}
                      >
                        Edit
                      </Button>
                    </td>
                  )}
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface Draft {
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
  argv: string;
  pidFile: string;
}

const toDraft = (c: Check): Draft => ({
  intervalMs: String(c.intervalMs),
  timeoutMs: c.timeoutMs === undefined ? '' : String(c.timeoutMs),
  weight: String(c.weight),
  rise: String(c.rise),
  fall: String(c.fall),
  initFail: c.initFail,
  address: c.kind === 'http' || c.kind === 'tcp' ? c.address : '',
  port: c.kind === 'http' || c.kind === 'tcp' ? String(c.port) : '',
  path: c.kind === 'http' ? c.path : '',
  expectStatus: c.kind === 'http' ? String(c.expectStatus) : '',
  argv: c.kind === 'script' ? ('argv' in c.command ? c.command.argv.join('\n') : c.command.shell) : '',
  pidFile: c.kind === 'process' ? c.pidFile : '',
});

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
  if (out.kind === 'process') out.pidFile = d.pidFile;
  if (out.kind === 'script')
    out.command = 'argv' in out.command ? { argv: d.argv.split('\n').filter((w) => w !== '') } : { shell: d.argv };
  return out;
}

function CheckEditor({ row, onDone }: { row: CheckRow; onDone: (text: string) => void }) {
  const uid = useId();
  const qc = useQueryClient();
  const c = row.check;
  const [draft, setDraft] = useState<Draft>(() => toDraft(c));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Refusal | null>(null);
  const f = (k: string) => (problem?.kind === 'fields' ? problem.fields[k] : undefined);
  const set = (p: Partial<Draft>) => (setDraft((d) => ({ ...d, ...p })), setProblem(null));
  const argvErrors =
    problem?.kind === 'fields' ? Object.entries(problem.fields).filter(([k]) => k.startsWith('command')) : [];

  async function save() {
    setBusy(true);
    setProblem(null);
    try {
      const r = await api.checks.update.mutate({ id: row.id, version: row.version, check: toCheck(c, draft) });
      await Promise.all(
        ['checks.list', 'clusters.get', 'clusters.deployments', 'audit.list'].map((k) =>
          qc.invalidateQueries({ queryKey: [k] }),
        ),
      );
      onDone(
        `Saved check ${c.name} as version ${r.version}${r.revision !== null ? ` — config revision ${r.revision} created` : ''}.`,
      );
    } catch (e) {
      setProblem(refusal(e, 'check'));
    } finally {
      setBusy(false);
    }
  }

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
        <TextField
          id={`${uid}-int`}
          label="Interval (ms)"
          value={draft.intervalMs}
          onChange={(v) => set({ intervalMs: v })}
          error={f('intervalMs')}
          inputMode="numeric"
        />
        <TextField
          id={`${uid}-to`}
          label="Timeout (ms)"
          value={draft.timeoutMs}
          onChange={(v) => set({ timeoutMs: v })}
          error={f('timeoutMs')}
          hint="empty = the interval"
          inputMode="numeric"
        />
        <TextField
          id={`${uid}-w`}
          label="Weight"
          value={draft.weight}
          onChange={(v) => set({ weight: v })}
          error={f('weight')}
          hint="−254…254; 0: failure = FAULT"
          inputMode="numeric"
          className="w-20"
        />
        <TextField
          id={`${uid}-rise`}
          label="Rise"
          value={draft.rise}
          onChange={(v) => set({ rise: v })}
          error={f('rise')}
          inputMode="numeric"
          className="w-16"
        />
        <TextField
          id={`${uid}-fall`}
          label="Fall"
          value={draft.fall}
          onChange={(v) => set({ fall: v })}
          error={f('fall')}
          inputMode="numeric"
          className="w-16"
        />
        <CheckField
          id={`${uid}-if`}
          label="Starts failed (init_fail)"
          checked={draft.initFail}
          onChange={(v) => set({ initFail: v })}
        />
      </div>
      {(c.kind === 'http' || c.kind === 'tcp') && (
        <div className="flex flex-wrap gap-3">
          <TextField
            id={`${uid}-addr`}
            label="Address"
            value={draft.address}
            onChange={(v) => set({ address: v })}
            error={f('address')}
            mono
            className="w-44"
          />
          <TextField
            id={`${uid}-port`}
            label="Port"
            value={draft.port}
            onChange={(v) => set({ port: v })}
            error={f('port')}
            inputMode="numeric"
            className="w-20"
          />
          {c.kind === 'http' && (
            <>
              <TextField
                id={`${uid}-path`}
                label="Path"
                value={draft.path}
                onChange={(v) => set({ path: v })}
                error={f('path')}
                mono
                className="w-40"
              />
              <TextField
                id={`${uid}-st`}
                label="Expected status"
                value={draft.expectStatus}
                onChange={(v) => set({ expectStatus: v })}
                error={f('expectStatus')}
                inputMode="numeric"
                className="w-20"
              />
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
      {c.kind === 'process' && (
        <TextField
          id={`${uid}-pid`}
          label="Pid file"
          value={draft.pidFile}
          onChange={(v) => set({ pidFile: v })}
          error={f('pidFile')}
          mono
          className="w-72"
        />
      )}
      <div className="flex justify-end gap-2">
        <Button onClick={() => onDone('')}>Cancel</Button>
        <Button type="submit" tone="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save check'}
        </Button>
      </div>
    </form>
  );
}
