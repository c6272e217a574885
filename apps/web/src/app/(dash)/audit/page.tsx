'use client';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, apiProblem } from '~/trpc/client';
import { useLiveInvalidation } from '~/trpc/live';
import { usePermission } from '../../_components/session';
import { Banner, Button, Empty, LoadError, QueryStatus, Section, mutedClass, useNow } from '../../_components/ui';
import { DataTable } from '../../_components/table';
import { jsonDiff } from '../../_lib/json-diff';
import { ageText } from '../../_lib/vip-holders';
import { FilterForm, type Filters } from './filter-form';
import { RecordDiff } from './record-diff';

const PAGE = 100;

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

export default function AuditPage() {
  const { allowed: admin } = usePermission('verify');
  const now = useNow(5_000);
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
        <DataTable
          className="w-full min-w-[48rem] text-left text-sm"
          label="Audit records"
          columns={['#', 'When', 'Actor', 'Action', 'Target', 'Before / after']}
        >
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
                    <RecordDiff before={r.before} after={r.after} />
                  </details>
                ) : (
                  <span className={`text-xs ${mutedClass}`}>—</span>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {log.hasNextPage && (
        <Button className="mt-3" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
          {log.isFetchingNextPage ? 'Loading…' : 'Older records'}
        </Button>
      )}
    </Section>
  );
}
