'use client';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { apiProblem } from '~/trpc/client';
import { useLiveInvalidation } from '~/trpc/live';
import { LiveIndicator } from '~/trpc/live-indicator';
import { ActionDialog, MovePanel, type Outcome, type PendingAction } from '../../../_components/cluster/actions';
import { InstancesPanel } from '../../../_components/cluster/instances-panel';
import type { MoveRequest } from '../../../_components/cluster/move-progress';
import { NodesPanel } from '../../../_components/cluster/nodes-panel';
import { HealthChecksPanel, LivePanel, PoolsPanel, TimelinePanel } from '../../../_components/cluster/panels';
import { ProblemsPanel } from '../../../_components/cluster/problems-panel';
import { RevisionsPanel } from '../../../_components/cluster/revisions-panel';
import { ClusterScopeProvider, useCluster, useTransitions } from '../../../_components/cluster/scope';
import { VirtualServersPanel } from '../../../_components/cluster/virtual-servers-panel';
import { can, useMe } from '../../../_components/session';
import { Banner, Loading, linkClass, mutedClass, useNow } from '../../../_components/ui';
import { ageText } from '../../../_lib/vip-holders';

/**
 * One cluster: each panel (problems, instances, timeline, live state, nodes, pools, checks) runs
 * its own queries (_components/cluster/scope.tsx). Live: the server's events for this cluster
 * (transitions, deployments, node live state, failover progress, audited changes; tRPC
 * subscription over SSE) invalidate the queries they affect, so nothing polls while the stream
 * is up (`useLiveInvalidation`); while it is down the queries poll slowly. Every state is still
 * shown with the age of its report.
 */
export default function ClusterPage() {
  const { id } = useParams<{ id: string }>();
  const stream = useLiveInvalidation({ clusterId: id });
  return (
    <ClusterScopeProvider scope={{ clusterId: id, poll: stream.fallbackPollMs }}>
      <ClusterView stream={stream.state} />
    </ClusterScopeProvider>
  );
}

function ClusterView({ stream }: { stream: ReturnType<typeof useLiveInvalidation>['state'] }) {
  const me = useMe();
  const now = useNow();
  const role = me.data?.role;
  const cluster = useCluster();
  const transitions = useTransitions();
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [move, setMove] = useState<MoveRequest | null>(null);

  if (cluster.isError) {
    return (
      <Banner tone="error" role="alert">
        {apiProblem(cluster.error).code === 'NOT_FOUND'
          ? 'This cluster does not exist (it may have been deleted).'
          : cluster.error.message}{' '}
        <Link href="/" className={linkClass}>
          Back to clusters
        </Link>
      </Banner>
    );
  }
  if (!cluster.data) return <Loading what="cluster" />;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
        <h1 className="text-xl font-semibold">
          <Link href="/" className={`${linkClass} text-slate-600! dark:text-slate-300! font-normal`}>
            Clusters
          </Link>{' '}
          / {cluster.data.name}
        </h1>
        <span className={`text-sm ${mutedClass}`}>
          config revision {cluster.data.revision > 0 ? cluster.data.revision : 'none yet'} · changed{' '}
          {ageText(cluster.data.updatedAt, now)}
        </span>
        <span className={`ml-auto inline-flex items-center gap-2 text-xs ${mutedClass}`}>
          <LiveIndicator state={stream} />
          <span aria-live="off">
            {transitions.dataUpdatedAt ? `last update ${ageText(new Date(transitions.dataUpdatedAt), now)}` : ''}
          </span>
        </span>
      </div>

      <ProblemsPanel />
      {outcome && (
        <Banner tone={outcome.tone === 'ok' ? 'ok' : 'error'} role={outcome.tone === 'ok' ? 'status' : 'alert'}>
          {outcome.text}
        </Banner>
      )}
      {move && <MovePanel move={move} now={now} onDismiss={() => setMove(null)} />}
      {transitions.isError && <Banner tone="error">Transition history unavailable: {transitions.error.message}</Banner>}

      <InstancesPanel
        now={now}
        canOperate={can(role, 'operate')}
        canEdit={can(role, 'edit')}
        onSaved={(text) => setOutcome({ tone: 'ok', text })}
        onPromote={(instance, node) => setPending({ kind: 'promote', instance, node })}
        onRelease={(instance, node) => setPending({ kind: 'release', instance, node })}
      />
      <TimelinePanel now={now} />
      <LivePanel now={now} />
      <NodesPanel
        canOperate={can(role, 'operate')}
        onMaintenance={(node, enabled) => setPending({ kind: 'maintenance', node, enabled })}
      />
      <PoolsPanel canEdit={can(role, 'edit')} />
      <VirtualServersPanel canEdit={can(role, 'edit')} />
      <HealthChecksPanel canEdit={can(role, 'edit')} />
      <RevisionsPanel canAdmin={can(role, 'edit')} now={now} />

      <ActionDialog pending={pending} onClose={() => setPending(null)} onOutcome={setOutcome} onMove={setMove} />
    </div>
  );
}
