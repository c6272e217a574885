'use client';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, apiProblem, type RouterInputs } from '~/trpc/client';
import { useLiveInvalidation } from '~/trpc/live';
import { ClusterOptions, useClusters } from '../../_components/cluster-select';
import { can, useMe } from '../../_components/session';
import {
  Banner,
  Button,
  Empty,
  Field,
  LoadError,
  QueryStatus,
  Section,
  inputClass,
  mutedClass,
  useNow,
  TableHead,
} from '../../_components/ui';
import { jsonDiff, leafText } from '../../_lib/json-diff';
import { ageText } from '../../_lib/vip-holders';

const PAGE = 100;

type Filters = Omit<RouterInputs['audit']['list'], 'before' | 'limit'>;

/** A readable name for the target from the record itself ("pool webs", "node lb1"), when it has one. */
function targetName(r: { before: unknown; after: unknown }): string | null {
  for (const side of [r.after, r.before]) {
    if (typeof side !== 'object' || side === null) continue;
    const o = side as Record<string, unknown>;
    for (const k of ['name', 'username', 'node', 'instance']) if (typeof o[k] === 'string') return o[k] as string;
    for (const k of ['pool', 'instance', 'check', 'virtualServer', 'node']) {
      const inner = o[k] as { name?: unknown } | null | undefined;
      if (typeof inner?.name === 'string') return inner.name;
    }
  }
  return null;
}

/** The record's before/after as the leaves that differ, with the raw JSON one click further. */
function Diff({ before, after }: { before: unknown; after: unknown }) {
  const lines = jsonDiff(before, after);
  return (
    <div className="mt-1 space-y-2">
      {lines.length === 0 ? (
        <p className={`text-xs ${mutedClass}`}>No difference between before and after.</p>
      ) : (
        <table className="w-full text-xs">
          <caption className="sr-only">Changed fields</caption>
          <thead>
            <tr>
              <th scope="col" className="pr-2 text-left font-semibold">
                Field
              </th>
              <th scope="col" className="pr-2 text-left font-semibold">
                Before
              </th>
              <th scope="col" className="text-left font-semibold">
                After
              </th>
            </tr>
          </thead>
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
                    <ins className="rounded bg-emerald-100 px-0.5 text-emerald-900 no-underline dark:bg-emerald-950 dark:text-emerald-100">
                      <span className="sr-only">now </span>
                      {leafText(l.after)}
                    </ins>
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

/** A datetime-local value ("2026-11-24T20:15", local time) as a Date; empty → none. */
function localTime(v: FormDataEntryValue | null): Date | undefined {
  const s = typeof v === 'string' ? v.trim() : '';
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function FilterForm({ onApply, error }: { onApply: (f: Filters) => void; error: Record<string, string> }) {
  const facets = useQuery({ queryKey: ['audit.facets'], queryFn: () => api.audit.facets.query(), staleTime: 30_000 });
  const clusters = useClusters();
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const str = (k: string) => {
      const v = String(f.get(k) ?? '').trim();
      return v === '' ? undefined : v;
    };
    const out: Filters = {};
    const actor = str('actor');
    const action = str('action');
    const clusterId = str('clusterId');
    const from = localTime(f.get('from'));
    const to = localTime(f.get('to'));
    if (actor) out.actor = actor;
    if (action) out.action = action;
    if (clusterId) out.clusterId = clusterId;
    if (from) out.from = from;
    if (to) out.to = to;
    onApply(out);
  }
  return (
    <form
      onSubmit={submit}
      onReset={() => onApply({})}
      aria-label="Filter the audit log"
      className="mb-4 grid items-end gap-3 sm:grid-cols-2 lg:grid-cols-6"
    >
      <Field id="filter-actor" label="Actor" error={error.actor}>
        {(p) => (
          <select {...p} name="actor" className={`${inputClass} w-full`}>
            <option value="">Anyone</option>
            {facets.data?.actors.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="filter-action" label="Action" error={error.action}>
        {(p) => (
          <>
            <input
              {...p}
              name="action"
              list="audit-actions"
              placeholder="e.g. pool. or user.update"
              autoComplete="off"
              className={`${inputClass} w-full`}
            />
            <datalist id="audit-actions">
              {facets.data?.actions.map((a) => (
                <option key={a} value={a} />
              ))}
            </datalist>
          </>
        )}
      </Field>
      <Field id="filter-cluster" label="Cluster" error={error.clusterId}>
        {(p) => (
          <select {...p} name="clusterId" className={`${inputClass} w-full`}>
            <ClusterOptions clusters={clusters.data} none="Any cluster" />
          </select>
        )}
      </Field>
      <Field id="filter-from" label="From" error={error.from}>
        {(p) => <input {...p} name="from" type="datetime-local" className={`${inputClass} w-full`} />}
      </Field>
      <Field id="filter-to" label="To" error={error.to}>
        {(p) => <input {...p} name="to" type="datetime-local" className={`${inputClass} w-full`} />}
      </Field>
      <div className="flex gap-2">
        <Button type="submit" tone="primary">
          Apply filters
        </Button>
        <Button type="reset">Clear</Button>
      </div>
    </form>
  );
}

export default function AuditPage() {
  const me = useMe();
  const now = useNow(5_000);
  const admin = can(me.data?.role, 'verify');
  const [filters, setFilters] = useState<Filters>({});
  // Live: every audited change anywhere refreshes the list; polled only while the stream is down.
  const stream = useLiveInvalidation();
  const log = useInfiniteQuery({
    queryKey: ['audit.list', filters],
    queryFn: ({ pageParam }) =>
      api.audit.list.query({ ...filters, limit: PAGE, ...(pageParam !== undefined ? { before: pageParam } : {}) }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
    refetchInterval: stream.fallbackPollMs,
    // The current list stays on screen while a new filter's answer is on its way.
    placeholderData: keepPreviousData,
  });
  // Verified once when an admin opens the page (it reads the whole chain), and again on request.
  const verify = useQuery({
    queryKey: ['audit.verify'],
    queryFn: () => api.audit.verify.query(),
    enabled: admin,
    retry: false,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  const records = log.data?.pages.flatMap((p) => p.records) ?? [];
  const filtered = Object.keys(filters).length > 0;
  const problem = log.isError ? apiProblem(log.error) : null;

  return (
    <Section
      title="Audit log"
      id="audit"
      actions={
        admin && (
          <Button tone="primary" onClick={() => void verify.refetch()} disabled={verify.isFetching}>
            {verify.isFetching ? 'Verifying…' : 'Verify chain'}
          </Button>
        )
      }
    >
      <div className="mb-3 space-y-2" data-testid="chain-status">
        {verify.data?.ok === true && (
          <Banner tone="ok">
            Chain intact: {verify.data.count} records verified, head hash{' '}
            <code className="font-mono">{verify.data.headHash.slice(0, 16)}…</code>
          </Banner>
        )}
        {verify.data?.ok === false && (
          <Banner tone="error" role="alert">
            Chain broken at record {verify.data.brokenAt} ({verify.data.reason}): {verify.data.detail}.{' '}
            {verify.data.count} records before it verified.
          </Banner>
        )}
        {verify.isError && <LoadError what="the chain verification" message={verify.error.message} />}
        {!admin && (
          <p className={`text-sm ${mutedClass}`}>
            Each record carries the hash of the one before it; an admin can verify the chain.
          </p>
        )}
      </div>
      <FilterForm onApply={setFilters} error={problem?.fields ?? {}} />
      <QueryStatus query={log} what="the audit log" />
      {log.isPlaceholderData && (
        <p role="status" className={`mb-2 text-sm ${mutedClass}`}>
          Filtering…
        </p>
      )}
      {log.data && records.length === 0 && (
        <Empty>{filtered ? 'No records match these filters.' : 'No records yet.'}</Empty>
      )}
      {records.length > 0 && (
        <table className="w-full min-w-[48rem] text-left text-sm" aria-label="Audit records">
          <TableHead columns={['#', 'When', 'Actor', 'Action', 'Target', 'Before / after']} />
          <tbody>
            {records.map((r) => (
              <tr
                key={r.seq}
                data-testid="audit-row"
                className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800"
              >
                <td className={`py-1.5 pr-3 tabular-nums ${mutedClass}`}>{r.seq}</td>
                <td className="py-1.5 pr-3 whitespace-nowrap">
                  <time dateTime={r.at.toISOString()} title={r.at.toISOString()}>
                    {ageText(r.at, now)}
                  </time>
                </td>
                <td className="py-1.5 pr-3">
                  {r.actor}
                  {r.sourceAddress && <span className={`block text-xs ${mutedClass}`}>{r.sourceAddress}</span>}
                </td>
                <td className="py-1.5 pr-3 font-mono text-xs">{r.action}</td>
                <td className="py-1.5 pr-3 text-xs">
                  {r.targetType} <span className="font-medium">{targetName(r)}</span>
                  {r.targetId && (
                    <span className={`block font-mono ${mutedClass}`} title={r.targetId}>
                      {r.targetId.slice(0, 8)}
                    </span>
                  )}
                </td>
                <td className="py-1.5">
                  {r.before != null || r.after != null ? (
                    <details>
                      <summary className="cursor-pointer text-xs text-sky-800 focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-300">
                        {jsonDiff(r.before, r.after).length} field{jsonDiff(r.before, r.after).length === 1 ? '' : 's'}
                        <span className="sr-only"> of record {r.seq}</span>
                      </summary>
                      <Diff before={r.before} after={r.after} />
                    </details>
                  ) : (
                    <span className={`text-xs ${mutedClass}`}>—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {log.hasNextPage && (
        <Button className="mt-3" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
          {log.isFetchingNextPage ? 'Loading…' : 'Older records'}
        </Button>
      )}
    </Section>
  );
}
