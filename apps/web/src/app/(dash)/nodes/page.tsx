'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { api, apiProblem, type RouterOutputs } from '~/trpc/client';
import { useLiveInvalidation } from '~/trpc/live';
import { useClusters } from '../../_components/cluster-select';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { usePermission } from '../../_components/session';
import { useToast } from '../../_components/toast';
import { Badge, Button, Empty, QueryStatus, Section, linkClass, mutedClass, useNow } from '../../_components/ui';
import { DataTable } from '../../_components/table';
import { ageText } from '../../_lib/vip-holders';
import { EnrollForm, TokenPanel, type IssuedToken } from './enroll';
import { AgentVersion } from '../../_components/agent-version';

type NodeRow = RouterOutputs['nodes']['all'][number];

/** Whether the node counts as online now: the server's answer, and the clock between polls. */
function onlineNow(n: NodeRow, now: number): boolean {
  return n.online && n.staleAt !== null && now <= n.staleAt.getTime();
}

/**
 * The node's connection state in words. "online" only while the hub's own liveness window holds;
 * a node heard from before that is offline, and its last heartbeat is marked stale.
 */
function Connection({ n, now }: { n: NodeRow; now: number }) {
  if (n.lastSeenAt === null) {
    return n.enrolled ? (
      <Badge tone="warn">never reported</Badge>
    ) : (
      <Badge tone="unknown">{n.enrollTokenExpires ? 'waiting for agent' : 'not enrolled'}</Badge>
    );
  }
  return onlineNow(n, now) ? <Badge tone="master">online</Badge> : <Badge tone="fault">offline</Badge>;
}

function Heartbeat({ n, now }: { n: NodeRow; now: number }) {
  if (n.lastSeenAt === null) return <span className={mutedClass}>never</span>;
  const stale = !onlineNow(n, now);
  return (
    <span className={stale ? 'font-medium text-red-700 dark:text-red-300' : undefined}>
      <time dateTime={n.lastSeenAt.toISOString()} title={n.lastSeenAt.toISOString()}>
        {ageText(n.lastSeenAt, now)}
      </time>
      {stale && <span> · stale</span>}
    </span>
  );
}

function Revision({ n }: { n: NodeRow }) {
  if (n.appliedRevision === null) return <span className={mutedClass}>none</span>;
  const behind = n.clusterRevision > n.appliedRevision;
  return (
    <span className="tabular-nums">
      {n.appliedRevision}
      {behind && (
        <span className="ml-1">
          <Badge tone="warn" title={`The cluster is at revision ${n.clusterRevision}`}>
            behind {n.clusterRevision}
          </Badge>
        </span>
      )}
    </span>
  );
}

export default function NodesPage() {
  const { allowed: admin } = usePermission('edit');
  const now = useNow(1_000);
  const qc = useQueryClient();
  const toast = useToast();
  // Live: refreshed by the server's events (agents connecting, reporting, going quiet); polled only while the stream is down.
  const stream = useLiveInvalidation();
  const nodes = useQuery({
    queryKey: ['nodes.all'],
    queryFn: () => api.nodes.all.query(),
    refetchInterval: stream.fallbackPollMs,
  });
  const clusters = useClusters(admin);
  const [enrolling, setEnrolling] = useState(false);
  const [issued, setIssued] = useState<IssuedToken | null>(null);
  const [removing, setRemoving] = useState<NodeRow | null>(null);
  const [busy, setBusy] = useState(false);

  async function reissue(n: NodeRow) {
    try {
      const r = await api.nodes.issueEnrollToken.mutate({ id: n.id });
      setIssued({
        node: n.name,
        cluster: n.cluster,
        token: r.token,
        expiresAt: r.expiresAt,
        dashboardPin: r.dashboardPin,
      });
      toast.ok(`New enrollment token for ${n.name}; any earlier unused one no longer works`);
      await qc.invalidateQueries({ queryKey: ['nodes.all'] });
    } catch (e) {
      toast.error(`No token for ${n.name}: ${apiProblem(e).message}`);
    }
  }

  async function remove(n: NodeRow) {
    setBusy(true);
    try {
      const r = await api.nodes.delete.mutate({ id: n.id, version: n.version });
      toast.ok(
        `Node ${n.name} removed from ${n.cluster}${r.revision !== null ? ` — config revision ${r.revision}` : ''}`,
      );
      setRemoving(null);
      await qc.invalidateQueries({ queryKey: ['nodes.all'] });
    } catch (e) {
      toast.error(`${n.name} not removed: ${apiProblem(e).message}`);
      setRemoving(null);
    } finally {
      setBusy(false);
    }
  }

  /** An admin's buttons for one node (the phone list and the table show the same). */
  const actions = (n: NodeRow) => (
    <>
      <Button onClick={() => void reissue(n)} aria-label={`New token for ${n.name}`}>
        New token
      </Button>
      <Button tone="danger" onClick={() => setRemoving(n)} aria-label={`Remove ${n.name}`}>
        Remove
      </Button>
    </>
  );

  return (
    <>
      {issued && <TokenPanel issued={issued} onDone={() => setIssued(null)} />}
      {admin && enrolling && clusters.data && clusters.data.length > 0 && (
        <EnrollForm
          clusters={clusters.data}
          onCancel={() => setEnrolling(false)}
          onEnrolled={(t) => {
            setIssued(t);
            setEnrolling(false);
            void qc.invalidateQueries({ queryKey: ['nodes.all'] });
          }}
        />
      )}
      <Section
        title="Nodes"
        id="nodes"
        actions={
          admin && (
            <div className="flex flex-wrap items-center gap-2">
              <Link href="/nodes/ssh" className={`text-sm ${linkClass}`}>
                Add node over SSH
              </Link>
              <Button tone="primary" onClick={() => setEnrolling(true)} disabled={enrolling}>
                Enroll a node
              </Button>
            </div>
          )
        }
      >
        {admin && enrolling && <QueryStatus query={clusters} what="the clusters" />}
        {admin && enrolling && clusters.data?.length === 0 && (
          <Empty>There is no cluster to add a node to yet: create or import a cluster first.</Empty>
        )}
        <QueryStatus query={nodes} what="the nodes" />
        {nodes.data?.length === 0 && (
          <Empty>No nodes yet.{admin ? ' Enroll one to run an agent on it.' : ' An admin can enroll one.'}</Empty>
        )}
        {nodes.data && nodes.data.length > 0 && (
          // A phone gets one card per node: the same facts without scrolling a wide table sideways.
          <ul className="space-y-3 md:hidden" aria-label="Nodes">
            {nodes.data.map((n) => (
              <li key={n.id} className="rounded border border-slate-200 p-3 text-sm dark:border-slate-700">
                <div className="flex flex-wrap items-center gap-2">
                  <span className="font-semibold">{n.name}</span>
                  <Connection n={n} now={now} />
                  {n.maintenance && <Badge tone="maintenance">maintenance</Badge>}
                  <Link href={`/clusters/${n.clusterId}`} className={`ml-auto ${linkClass}`}>
                    {n.cluster}
                  </Link>
                </div>
                <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
                  <dt className={mutedClass}>Last heartbeat</dt>
                  <dd>
                    <Heartbeat n={n} now={now} />
                  </dd>
                  <dt className={mutedClass}>Agent</dt>
                  <dd>
                    <AgentVersion n={n} />
                  </dd>
                  <dt className={mutedClass}>Address</dt>
                  <dd className="font-mono text-xs break-all">
                    {[n.agentAddress, ...n.addresses].filter(Boolean).join(', ') || '—'}
                  </dd>
                  <dt className={mutedClass}>Applied revision</dt>
                  <dd>
                    <Revision n={n} />
                  </dd>
                </dl>
                {admin && <div className="mt-2 flex justify-end gap-1">{actions(n)}</div>}
              </li>
            ))}
          </ul>
        )}
        {nodes.data && nodes.data.length > 0 && (
          <DataTable
            className="hidden w-full min-w-[52rem] text-left text-sm md:table"
            columns={['Node', 'Cluster', 'Status', 'Last heartbeat', 'Agent', 'Address', 'Applied revision']}
            actions={admin && 'Actions'}
          >
            {nodes.data.map((n) => (
              <tr key={n.id} className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800">
                <th scope="row" className="py-1.5 pr-3 font-medium">
                  {n.name}
                  {n.maintenance && (
                    <span className="ml-1">
                      <Badge tone="maintenance">maintenance</Badge>
                    </span>
                  )}
                </th>
                <td className="py-1.5 pr-3">
                  <Link href={`/clusters/${n.clusterId}`} className={linkClass}>
                    {n.cluster}
                  </Link>
                </td>
                <td className="py-1.5 pr-3">
                  <Connection n={n} now={now} />
                </td>
                <td className="py-1.5 pr-3 whitespace-nowrap">
                  <Heartbeat n={n} now={now} />
                </td>
                <td className="py-1.5 pr-3">
                  <AgentVersion n={n} />
                </td>
                <td className="py-1.5 pr-3 font-mono text-xs">
                  {n.agentAddress && <span title="The address the agent connected from">{n.agentAddress}</span>}
                  {n.addresses.length > 0 && <span className={`block ${mutedClass}`}>{n.addresses.join(', ')}</span>}
                  {!n.agentAddress && n.addresses.length === 0 && <span className={mutedClass}>—</span>}
                </td>
                <td className="py-1.5 pr-3">
                  <Revision n={n} />
                </td>
                {admin && (
                  <td className="py-1.5">
                    <div className="flex flex-wrap justify-end gap-1">{actions(n)}</div>
                  </td>
                )}
              </tr>
            ))}
          </DataTable>
        )}
      </Section>
      <ConfirmDialog
        open={removing !== null}
        title={`Remove node ${removing?.name ?? ''}?`}
        confirmLabel="Remove node"
        danger
        busy={busy}
        onConfirm={() => removing && void remove(removing)}
        onCancel={() => setRemoving(null)}
      >
        <p>
          {removing?.name} leaves cluster {removing?.cluster}: its agent&apos;s credential stops working and a new
          config revision is made without it. A node that is still a member of a VRRP instance cannot be removed; take
          it out of the instance first.
        </p>
      </ConfirmDialog>
    </>
  );
}
