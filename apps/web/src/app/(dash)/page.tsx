'use client';
import { useQuery } from '@tanstack/react-query';
import { api } from '~/trpc/client';
import { useLiveInvalidation } from '~/trpc/live';
import { LiveIndicator } from '~/trpc/live-indicator';
import { Empty, LoadError, Loading, Section, useNow } from '../_components/ui';
import { ClusterCard } from '../_components/overview/cluster-card';

/** The live stream's rules (trpc/live.ts) refresh it on every event that can change the overview. */
const OVERVIEW_KEY = ['clusters.overview'] as const;

export default function OverviewPage() {
  const clientNow = useNow(1_000);
  // Live: the server's events invalidate the query; it polls slowly only while the stream is down.
  const stream = useLiveInvalidation();
  const overview = useQuery({
    queryKey: OVERVIEW_KEY,
    queryFn: () => api.clusters.overview.query(),
    refetchInterval: stream.fallbackPollMs,
  });
  // Age on the dashboard's clock: the server's read time plus how long ago this browser got it,
  // so a skewed browser clock cannot make a silent node look fresh (or a fresh one stale).
  const now = overview.data ? overview.data.readAt + Math.max(0, clientNow - overview.dataUpdatedAt) : clientNow;

  return (
    <Section title="Clusters" id="clusters" actions={<LiveIndicator state={stream.state} />}>
      {overview.isPending && <Loading what="clusters" />}
      {overview.isError && (
        <LoadError what="the clusters" message={overview.error.message} onRetry={() => void overview.refetch()} />
      )}
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
