'use client';
import { useQuery } from '@tanstack/react-query';
import { api } from '~/trpc/client';
import { useLiveInvalidation } from '~/trpc/live';
import { LiveIndicator } from '~/trpc/live-indicator';
import { Empty, QueryStatus, Section } from '../_components/ui';
import { useDashboardNow } from '../_components/problem-list';
import { ClusterCard } from '../_components/overview/cluster-card';

/** The live stream's rules (trpc/live.ts) refresh it on every event that can change the overview. */
const OVERVIEW_KEY = ['clusters.overview'] as const;

export default function OverviewPage() {
  // Live: the server's events invalidate the query; it polls slowly only while the stream is down.
  const stream = useLiveInvalidation();
  const overview = useQuery({
    queryKey: OVERVIEW_KEY,
    queryFn: () => api.clusters.overview.query(),
    refetchInterval: stream.fallbackPollMs,
  });
  const now = useDashboardNow(overview);

  return (
    <Section title="Clusters" id="clusters" actions={<LiveIndicator state={stream.state} />}>
      <QueryStatus query={overview} what="the clusters" />
      {overview.data?.clusters.length === 0 && (
        <Empty>
          No clusters yet. An admin can import one from a cluster spec or a keepalived.conf through the API.
        </Empty>
      )}
      {overview.data && overview.data.clusters.length > 0 && (
        <div className="flex flex-col gap-3">
          {overview.data.clusters.map((c) => (
            <ClusterCard key={c.id} cluster={c} now={now} />
          ))}
        </div>
      )}
    </Section>
  );
}
