'use client';
import { useQueries, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { api } from '~/trpc/client';
import { useLiveInvalidation } from '~/trpc/live';
import { LiveIndicator } from '~/trpc/live-indicator';
import { Empty, LoadError, Loading, Section, linkClass, mutedClass, thClass, useNow } from '../_components/ui';
import { ageText, instanceReports } from '../_lib/vip-holders';

export default function ClustersPage() {
  const now = useNow(5_000);
  // Live: the server's events invalidate these queries; they poll slowly only while the stream is down.
  const stream = useLiveInvalidation();
  const poll = stream.fallbackPollMs;
  const clusters = useQuery({ queryKey: ['clusters.list'], queryFn: () => api.clusters.list.query(), refetchInterval: poll });
  const ids = clusters.data?.map((c) => c.id) ?? [];
  const instances = useQueries({ queries: ids.map((id) => ({ queryKey: ['instances.list', id], queryFn: () => api.instances.list.query({ clusterId: id }), refetchInterval: poll })) });
  const transitions = useQueries({
    queries: ids.map((id) => ({ queryKey: ['clusters.transitions', id], queryFn: () => api.clusters.transitions.query({ clusterId: id, limit: 500 }), refetchInterval: poll })),
  });

  return (
    <Section title="Clusters" id="clusters" actions={<LiveIndicator state={stream.state} />}>
      {clusters.isPending && <Loading what="clusters" />}
      {clusters.isError && <LoadError what="the clusters" message={clusters.error.message} onRetry={() => void clusters.refetch()} />}
      {clusters.data?.length === 0 && <Empty>No clusters yet. An admin can import one from a cluster spec or a keepalived.conf through the API.</Empty>}
      {clusters.data && clusters.data.length > 0 && (
        <table className="w-full min-w-[40rem] text-left text-sm">
          <thead className="border-b border-slate-200 dark:border-slate-700">
            <tr>
              <th scope="col" className={thClass}>Cluster</th>
              <th scope="col" className={thClass}>VIPs · last reported holder</th>
              <th scope="col" className={thClass}>Nodes</th>
              <th scope="col" className={thClass}>Config revision</th>
              <th scope="col" className={thClass}>Last change</th>
            </tr>
          </thead>
          <tbody>
            {clusters.data.map((c, ci) => (
              <tr key={c.id} className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800">
                <td className="py-1.5 pr-4 font-medium">
                  <Link href={`/clusters/${c.id}`} className={linkClass}>
                    {c.name}
                  </Link>
                </td>
                <td className="py-1.5 pr-4">
                  {instances[ci]?.data?.map((i) => {
                    const r = instanceReports(transitions[ci]?.data ?? [], i.instance.name);
                    const m = r.masters[0];
                    return (
                      <div key={i.id} className="flex flex-wrap gap-x-2">
                        <span className="font-mono">{i.instance.vips.map((v) => v.address).join(', ')}</span>
                        {r.masters.length > 1 ? (
                          <span className="font-semibold text-red-700 dark:text-red-300">split brain? {r.masters.map((x) => x.node).join(' + ')}</span>
                        ) : m ? (
                          <span>
                            <strong>{m.node}</strong> <span className="text-slate-600 dark:text-slate-300">last seen {ageText(m.at, now)}</span>
                          </span>
                        ) : (
                          <span className="text-amber-700 dark:text-amber-300">no holder reported</span>
                        )}
                      </div>
                    );
                  }) ??
                    (instances[ci]?.isError ? (
                      <span className="text-red-700 dark:text-red-300">could not load: {instances[ci]?.error?.message}</span>
                    ) : (
                      <span className={mutedClass}>loading…</span>
                    ))}
                  {instances[ci]?.data?.length === 0 && <span className={mutedClass}>no VRRP instances</span>}
                </td>
                <td className="py-1.5 pr-4 tabular-nums">{c.nodeCount}</td>
                <td className="py-1.5 pr-4 tabular-nums">{c.revision > 0 ? c.revision : <span className={mutedClass}>none yet</span>}</td>
                <td className="py-1.5 text-slate-600 dark:text-slate-300" title={c.updatedAt.toISOString()}>
                  {ageText(c.updatedAt, now)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
