'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, apiProblem, type RouterOutputs } from '~/trpc/client';
import { ConfigDiff, RolloutProgress } from './cluster/rollout';
import { Badge, Banner, Button, inputClass } from './ui';

type PoolRow = RouterOutputs['pools']['list'][number];
type Pool = PoolRow['pool'];
type Server = Pool['servers'][number];

interface DraftServer {
  key: number;
  address: string;
  port: string;
  weight: string;
  backup: boolean;
  down: boolean;
  /** Settings this form does not edit, sent back unchanged. */
  rest: { maxFails: number | undefined; failTimeoutMs: number | undefined };
}

type MethodType = Pool['method']['type'];

interface Draft {
  /** The version the edit is based on: sent with the update, so a concurrent change is refused (CONFLICT). */
  version: number;
  method: MethodType;
  /** For `hash`: the key as typed (nginx variables separated by spaces). */
  hashKey: string;
  consistent: boolean;
  servers: DraftServer[];
}

const METHODS: { type: MethodType; label: string }[] = [
  { type: 'round_robin', label: 'Round robin (weighted)' },
  { type: 'least_conn', label: 'Least connections' },
  { type: 'ip_hash', label: 'IP hash (client affinity)' },
  { type: 'hash', label: 'Hash of a key' },
  { type: 'random', label: 'Random' },
];
const methodLabel = (m: Pool['method']) =>
  m.type === 'hash' ? `hash ${m.key.join('')}${m.consistent ? ' consistent' : ''}` : m.type.replace('_', ' ');

let nextKey = 1;
const toDraft = (row: PoolRow): Draft => ({
  version: row.version,
  method: row.pool.method.type,
  hashKey: row.pool.method.type === 'hash' ? row.pool.method.key.join(' ') : '$remote_addr',
  consistent: row.pool.method.type === 'hash' ? row.pool.method.consistent : false,
  servers: row.pool.servers.map((s) => ({
    key: nextKey++,
    address: s.address,
    port: String(s.port),
    weight: s.weight === undefined ? '' : String(s.weight),
    backup: s.backup,
    down: s.down,
    rest: { maxFails: s.maxFails, failTimeoutMs: s.failTimeoutMs },
  })),
});

/** A number when the text is one; otherwise the text itself, so the server names the field. */
const num = (s: string): number => (/^\s*\d+\s*$/.test(s) ? Number(s) : (s as unknown as number));

function toMethod(d: Draft): Pool['method'] {
  if (d.method === 'hash')
    return { type: 'hash', key: d.hashKey.split(/\s+/).filter(Boolean) as never, consistent: d.consistent };
  return { type: d.method } as Pool['method'];
}

function toPool(base: Pool, d: Draft): Pool {
  return {
    ...base,
    method: toMethod(d),
    servers: d.servers.map((s) => {
      const out: Server = { address: s.address.trim(), port: num(s.port), backup: s.backup, down: s.down };
      if (s.weight.trim() !== '') out.weight = num(s.weight);
      if (s.rest.maxFails !== undefined) out.maxFails = s.rest.maxFails;
      if (s.rest.failTimeoutMs !== undefined) out.failTimeoutMs = s.rest.failTimeoutMs;
      return out;
    }),
  };
}

type Result =
  { tone: 'ok'; text: string } | { tone: 'conflict'; text: string } | { tone: 'error'; text: string } | null;

type Preview = RouterOutputs['pools']['preview'];

export function PoolCard({ row, canEdit, clusterId }: { row: PoolRow; canEdit: boolean; clusterId: string }) {
  const qc = useQueryClient();
  const uid = useId();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [result, setResult] = useState<Result>(null);
  const [busy, setBusy] = useState(false);
  /** The reviewed diff of the draft; saving happens from there. */
  const [preview, setPreview] = useState<Preview | null>(null);
  /** The revision the last save created: its rollout is followed below the pool. */
  const [rollout, setRollout] = useState<number | null>(null);
  const name = row.pool.name;

  const refresh = () =>
    Promise.all(
      ['pools.list', 'clusters.get', 'clusters.deployments', 'audit.list'].map((k) =>
        qc.invalidateQueries({ queryKey: [k] }),
      ),
    );

  function edit(patch: (d: Draft) => Draft) {
    setDraft((d) => (d ? patch(d) : d));
    setFields({});
    setPreview(null);
  }

  function refused(e: unknown) {
    const p = apiProblem(e);
    if (p.code === 'CONFLICT') {
      setResult({ tone: 'conflict', text: p.fields.version ?? p.message });
    } else {
      const byField = Object.fromEntries(Object.entries(p.fields).filter(([k]) => k.startsWith('pool.')));
      setFields(byField);
      setResult({
        tone: 'error',
        text: Object.keys(byField).length > 0 ? 'Not saved: fix the marked fields.' : p.message,
      });
    }
  }

  /** Renders the draft on the server and shows what it changes in each node's nginx config. */
  async function review() {
    if (!draft) return;
    setBusy(true);
    setResult(null);
    try {
      setPreview(await api.pools.preview.query({ clusterId, id: row.id, pool: toPool(row.pool, draft) }));
    } catch (e) {
      refused(e);
    } finally {
      setBusy(false);
    }
  }
  const setServer = (i: number, p: Partial<DraftServer>) =>
    edit((d) => ({ ...d, servers: d.servers.map((s, j) => (j === i ? { ...s, ...p } : s)) }));

  async function save() {
    if (!draft) return;
    setBusy(true);
    setResult(null);
    try {
      const r = await api.pools.update.mutate({ id: row.id, version: draft.version, pool: toPool(row.pool, draft) });
      setDraft(null);
      setFields({});
      setPreview(null);
      setRollout(r.revision);
      setResult({
        tone: 'ok',
        text: `Saved pool ${name} as version ${r.version}${r.revision !== null ? ` — config revision ${r.revision} created; nodes apply it next` : ''}.`,
      });
      await refresh();
    } catch (e) {
      setPreview(null);
      refused(e);
    } finally {
      setBusy(false);
    }
  }

  async function reloadAfterConflict() {
    setDraft(null);
    setResult(null);
    setFields({});
    setPreview(null);
    await refresh();
  }

  const stale = draft !== null && row.version !== draft.version;
  const general = Object.entries(fields).filter(([k]) => !/^pool\.servers\.\d+\.(address|port|weight)$/.test(k));

  return (
    <article aria-labelledby={`${uid}-h`} className="rounded border border-slate-200 dark:border-slate-700">
      <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-700">
        <h3 id={`${uid}-h`} className="font-semibold">
          Pool {name}
        </h3>
        <span className="text-xs text-slate-600 dark:text-slate-300">
          {methodLabel(row.pool.method)} · version {row.version}
        </span>
        {canEdit && !draft && (
          <Button
            className="ml-auto"
            onClick={() => (setDraft(toDraft(row)), setResult(null), setFields({}), setPreview(null))}
            aria-label={`Edit pool ${name}`}
          >
            Edit
          </Button>
        )}
      </header>
      <div className="space-y-2 p-3">
        {result?.tone === 'ok' && <Banner tone="ok">{result.text}</Banner>}
        {rollout !== null && !draft && <RolloutProgress clusterId={clusterId} revision={rollout} />}
        {result?.tone === 'conflict' && (
          <Banner tone="warn" role="alert">
            <p className="font-semibold">Not saved: someone else changed pool {name} while you were editing.</p>
            <p>{result.text}</p>
            <Button className="mt-2" onClick={reloadAfterConflict}>
              Discard my edit and reload
            </Button>
          </Banner>
        )}
        {result?.tone === 'error' && (
          <Banner tone="error" role="alert">
            {result.text}
            {general.map(([k, m]) => (
              <span key={k} className="block">
                {k}: {m}
              </span>
            ))}
          </Banner>
        )}
        {stale && !result && (
          <Banner tone="warn">
            This pool changed (now version {row.version}) since you started editing version {draft.version}; saving will
            be refused.
          </Banner>
        )}
        {!draft ? (
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase tracking-wide text-slate-600 dark:text-slate-300">
              <tr>
                <th scope="col" className="py-1 pr-3">
                  Server
                </th>
                <th scope="col" className="py-1 pr-3">
                  Weight
                </th>
                <th scope="col" className="py-1">
                  Role
                </th>
              </tr>
            </thead>
            <tbody>
              {row.pool.servers.map((s, i) => (
                <tr key={i} className="border-t border-slate-100 dark:border-slate-800">
                  <td className="py-1 pr-3 font-mono">
                    {s.address.includes(':') ? `[${s.address}]` : s.address}:{s.port}
                  </td>
                  <td className="py-1 pr-3 tabular-nums">{s.weight ?? 1}</td>
                  <td className="space-x-1 py-1">
                    {s.backup && <Badge tone="unknown">backup</Badge>}
                    {s.down && <Badge tone="warn">drained</Badge>}
                    {!s.backup && !s.down && <span className="text-slate-600 dark:text-slate-300">active</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void (preview ? save() : review());
            }}
            aria-label={`Edit pool ${name}`}
            className="space-y-2"
          >
            <div className="flex flex-wrap items-end gap-3 text-sm">
              <label className="flex flex-col gap-0.5">
                <span className="text-xs font-medium">Balancing method</span>
                <select
                  value={draft.method}
                  onChange={(e) => edit((d) => ({ ...d, method: e.target.value as MethodType }))}
                  aria-invalid={fields['pool.method'] || fields['pool.method.type'] ? true : undefined}
                  className={inputClass}
                >
                  {METHODS.map((m) => (
                    <option key={m.type} value={m.type}>
                      {m.label}
                    </option>
                  ))}
                </select>
              </label>
              {draft.method === 'hash' && (
                <>
                  <label className="flex flex-col gap-0.5">
                    <span className="text-xs font-medium">Hash key</span>
                    <input
                      value={draft.hashKey}
                      onChange={(e) => edit((d) => ({ ...d, hashKey: e.target.value }))}
                      aria-invalid={Object.keys(fields).some((k) => k.startsWith('pool.method.key')) ? true : undefined}
                      aria-describedby={`${uid}-key-hint`}
                      className={`${inputClass} w-48 font-mono`}
                      spellCheck={false}
                    />
                    <span id={`${uid}-key-hint`} className="text-xs text-slate-600 dark:text-slate-300">
                      {Object.entries(fields).find(([k]) => k.startsWith('pool.method.key'))?.[1] ??
                        'nginx variables, e.g. $remote_addr or $request_uri'}
                    </span>
                  </label>
                  <label className="flex items-center gap-1">
                    <input
                      type="checkbox"
                      checked={draft.consistent}
                      onChange={(e) => edit((d) => ({ ...d, consistent: e.target.checked }))}
                      className="size-4 accent-sky-700"
                    />
                    consistent (ketama)
                  </label>
                </>
              )}
            </div>
            <table className="w-full text-left text-sm">
              <thead className="text-xs uppercase tracking-wide text-slate-600 dark:text-slate-300">
                <tr>
                  <th scope="col" className="py-1 pr-2">
                    Address
                  </th>
                  <th scope="col" className="py-1 pr-2">
                    Port
                  </th>
                  <th scope="col" className="py-1 pr-2">
                    Weight
                  </th>
                  <th scope="col" className="py-1 pr-2">
                    Backup
                  </th>
                  <th scope="col" className="py-1 pr-2" title="Marked down in nginx: no new requests">
                    Drain
                  </th>
                  <th scope="col" className="py-1">
                    <span className="sr-only">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {draft.servers.map((s, i) => {
                  const n = i + 1;
                  const f = (k: string) => fields[`pool.servers.${i}.${k}`];
                  const input = (
                    k: 'address' | 'port' | 'weight',
                    label: string,
                    width: string,
                    extra: object = {},
                  ) => (
                    <td className="py-1 pr-2 align-top">
                      <input
                        aria-label={`${label} of server ${n}`}
                        value={s[k]}
                        onChange={(e) => setServer(i, { [k]: e.target.value })}
                        aria-invalid={f(k) ? true : undefined}
                        aria-describedby={f(k) ? `${uid}-${i}-${k}` : undefined}
                        className={`${inputClass} ${width}`}
                        {...extra}
                      />
                      {f(k) && (
                        <p id={`${uid}-${i}-${k}`} className="mt-0.5 text-xs text-red-700 dark:text-red-300">
                          {f(k)}
                        </p>
                      )}
                    </td>
                  );
                  return (
                    <tr key={s.key}>
                      {input('address', 'Address', 'w-44 font-mono', { spellCheck: false, autoComplete: 'off' })}
                      {input('port', 'Port', 'w-20', { inputMode: 'numeric' })}
                      {input('weight', 'Weight', 'w-16', { inputMode: 'numeric', placeholder: '1' })}
                      <td className="py-1 pr-2 align-top">
                        <input
                          type="checkbox"
                          aria-label={`Backup server ${n}`}
                          checked={s.backup}
                          onChange={(e) => setServer(i, { backup: e.target.checked })}
                          className="size-4 accent-sky-700"
                        />
                      </td>
                      <td className="py-1 pr-2 align-top">
                        <input
                          type="checkbox"
                          aria-label={`Drain server ${n}`}
                          checked={s.down}
                          onChange={(e) => setServer(i, { down: e.target.checked })}
                          className="size-4 accent-amber-600"
                        />
                      </td>
                      <td className="py-1 align-top">
                        <Button
                          tone="ghost"
                          aria-label={`Remove server ${n}`}
                          onClick={() => edit((d) => ({ ...d, servers: d.servers.filter((_, j) => j !== i) }))}
                        >
                          Remove
                        </Button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <div className="flex flex-wrap items-center gap-2">
              <Button
                onClick={() =>
                  edit((d) => ({
                    ...d,
                    servers: [
                      ...d.servers,
                      {
                        key: nextKey++,
                        address: '',
                        port: '80',
                        weight: '',
                        backup: false,
                        down: false,
                        rest: { maxFails: undefined, failTimeoutMs: undefined },
                      },
                    ],
                  }))
                }
              >
                Add server
              </Button>
              <span className="ml-auto text-xs text-slate-600 dark:text-slate-300">
                based on version {draft.version}
              </span>
              <Button onClick={() => (setDraft(null), setFields({}), setResult(null), setPreview(null))}>Cancel</Button>
              {!preview && (
                <Button type="submit" tone="primary" disabled={busy}>
                  {busy ? 'Rendering…' : 'Review changes'}
                </Button>
              )}
            </div>
            {preview && (
              <div
                className="space-y-2 rounded border border-sky-300 p-2 dark:border-sky-800"
                role="region"
                aria-label={`Changes to the nginx config of pool ${name}`}
              >
                <p className="text-sm font-medium">
                  What the nodes' nginx config would change (the draft rendered with the agents' renderer, against the
                  revision each node runs):
                </p>
                {preview.diffs.map((d) => (
                  <ConfigDiff key={d.nodes.join(',')} diff={d} />
                ))}
                <div className="flex flex-wrap items-center justify-end gap-2">
                  <span className="mr-auto text-xs text-slate-600 dark:text-slate-300">
                    Applying creates a new config revision: the backups get it first, the master only after they applied
                    it and report healthy.
                  </span>
                  <Button onClick={() => setPreview(null)}>Back to editing</Button>
                  <Button type="submit" tone="primary" disabled={busy}>
                    {busy ? 'Saving…' : 'Save pool'}
                  </Button>
                </div>
              </div>
            )}
          </form>
        )}
      </div>
    </article>
  );
}
