'use client';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '~/trpc/client';
import { can, useMe } from '../../_components/session';
import { Banner, Button, Loading, Section, useNow } from '../../_components/ui';
import { ageText } from '../../_lib/vip-holders';

const PAGE = 100;

function Json({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="text-slate-500">—</span>;
  return <pre className="max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-2 text-xs dark:bg-slate-800">{JSON.stringify(value, null, 2)}</pre>;
}

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
  const me = useMe();
  const now = useNow(5_000);
  const log = useInfiniteQuery({
    queryKey: ['audit.list'],
    queryFn: ({ pageParam }) => api.audit.list.query({ limit: PAGE, ...(pageParam !== undefined ? { before: pageParam } : {}) }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
    refetchInterval: 10_000,
  });
  // Verifying reads the whole chain: only on request, never polled.
  const verify = useQuery({ queryKey: ['audit.verify'], queryFn: () => api.audit.verify.query(), enabled: false, retry: false });
  const records = log.data?.pages.flatMap((p) => p.records) ?? [];

  return (
    <Section
      title="Audit log"
      id="audit"
      actions={
        can(me.data?.role, 'verify') && (
          <Button tone="primary" onClick={() => void verify.refetch()} disabled={verify.isFetching}>
            {verify.isFetching ? 'Verifying…' : 'Verify chain'}
          </Button>
        )
      }
    >
      <div className="mb-3 space-y-2">
        {verify.data?.ok === true && (
          <Banner tone="ok">
            Chain intact: {verify.data.count} records verified, head hash <code className="font-mono">{verify.data.headHash.slice(0, 16)}…</code>
          </Banner>
        )}
        {verify.data?.ok === false && (
          <Banner tone="error" role="alert">
            Chain broken at record {verify.data.brokenAt} ({verify.data.reason}): {verify.data.detail}. {verify.data.count} records before it verified.
          </Banner>
        )}
        {verify.isError && (
          <Banner tone="error" role="alert">
            Verification failed: {verify.error.message}
          </Banner>
        )}
        {log.isError && (
          <Banner tone="error" role="alert">
            {log.error.message}
          </Banner>
        )}
      </div>
      {log.isPending && <Loading what="audit log" />}
      {log.data && records.length === 0 && <p className="text-sm text-slate-600">No records.</p>}
      {records.length > 0 && (
        <table className="w-full text-left text-sm">
          <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500 dark:border-slate-700">
            <tr>
              <th scope="col" className="py-1.5 pr-3">#</th>
              <th scope="col" className="py-1.5 pr-3">When</th>
              <th scope="col" className="py-1.5 pr-3">Actor</th>
              <th scope="col" className="py-1.5 pr-3">Action</th>
              <th scope="col" className="py-1.5 pr-3">Target</th>
              <th scope="col" className="py-1.5">Details</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.seq} className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800">
                <td className="py-1.5 pr-3 tabular-nums text-slate-500">{r.seq}</td>
                <td className="py-1.5 pr-3 whitespace-nowrap" title={r.at.toISOString()}>
                  {ageText(r.at, now)}
                </td>
                <td className="py-1.5 pr-3">
                  {r.actor}
                  {r.sourceAddress && <span className="block text-xs text-slate-500">{r.sourceAddress}</span>}
                </td>
                <td className="py-1.5 pr-3 font-mono text-xs">{r.action}</td>
                <td className="py-1.5 pr-3 text-xs">
                  {r.targetType} <span className="font-medium">{targetName(r)}</span>
                  {r.targetId && (
                    <span className="block font-mono text-slate-500" title={r.targetId}>
                      {r.targetId.slice(0, 8)}
                    </span>
                  )}
                </td>
                <td className="py-1.5">
                  {(r.before != null || r.after != null) && (
                    <details>
                      <summary className="cursor-pointer text-xs text-sky-700 focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-400">before / after</summary>
                      <div className="mt-1 grid gap-2 md:grid-cols-2">
                        <div>
                          <div className="text-xs font-semibold">Before</div>
                          <Json value={r.before} />
                        </div>
                        <div>
                          <div className="text-xs font-semibold">After</div>
                          <Json value={r.after} />
                        </div>
                      </div>
                    </details>
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
