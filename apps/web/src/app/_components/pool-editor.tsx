'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, apiProblem, type RouterOutputs } from '~/trpc/client';
import {
  emptyServer,
  methodLabel,
  toDraft,
  toPool,
  METHODS,
  type Draft,
  type DraftServer,
  type MethodType,
  type PoolRow,
} from '../_lib/pool-draft';
import { ConflictBanner, RefusalBanner } from './cluster/form';
import { ConfigDiff, RolloutProgress } from './cluster/rollout';
import { DeleteAction } from './cluster/spec-change';
import { DraftServersTable, PoolServersTable } from './pool-servers';
import { Banner, Button, inputClass } from './ui';

type Result =
  { tone: 'ok'; text: string } | { tone: 'conflict'; text: string } | { tone: 'error'; text: string } | null;

type Preview = RouterOutputs['pools']['preview'];

export function PoolCard({
  row,
  canEdit,
  clusterId,
  onDeleted,
}: {
  row: PoolRow;
  canEdit: boolean;
  clusterId: string;
  onDeleted: (text: string) => void;
}) {
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
        {canEdit && !draft && (
          <DeleteAction
            what="pool"
            field="pool"
            name={name}
            obj={row.pool}
            list="pools.list"
            remove={() => api.pools.delete.mutate({ id: row.id, version: row.version })}
            nginx={() => api.pools.previewDelete.query({ clusterId, id: row.id })}
            onDeleted={onDeleted}
          />
        )}
      </header>
      <div className="space-y-2 p-3">
        {result?.tone === 'ok' && <Banner tone="ok">{result.text}</Banner>}
        {rollout !== null && !draft && <RolloutProgress clusterId={clusterId} revision={rollout} />}
        {result?.tone === 'conflict' && (
          <ConflictBanner what={`pool ${name}`} text={result.text}>
            <Button className="mt-2" onClick={reloadAfterConflict}>
              Discard my edit and reload
            </Button>
          </ConflictBanner>
        )}
        {result?.tone === 'error' && <RefusalBanner text={result.text} fields={general} />}
        {stale && !result && (
          <Banner tone="warn">
            This pool changed (now version {row.version}) since you started editing version {draft.version}; saving will
            be refused.
          </Banner>
        )}
        {!draft ? (
          <PoolServersTable servers={row.pool.servers} />
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
            <DraftServersTable
              uid={uid}
              servers={draft.servers}
              fields={fields}
              onChange={setServer}
              onRemove={(i) => edit((d) => ({ ...d, servers: d.servers.filter((_, j) => j !== i) }))}
            />
            <div className="flex flex-wrap items-center gap-2">
              <Button onClick={() => edit((d) => ({ ...d, servers: [...d.servers, emptyServer()] }))}>
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
