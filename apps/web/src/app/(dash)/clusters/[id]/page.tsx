'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { api, apiProblem, type RouterOutputs } from '~/trpc/client';
import { useLiveInvalidation } from '~/trpc/live';
import { LiveIndicator } from '~/trpc/live-indicator';
import { ChecksPanel } from '../../../_components/cluster/checks-panel';
import { InstanceEditor } from '../../../_components/cluster/instance-editor';
import { MoveProgress, type MoveRequest } from '../../../_components/cluster/move-progress';
import { NodeLive } from '../../../_components/cluster/node-live';
import { VipTimeline } from '../../../_components/cluster/vip-timeline';
import { ConfirmDialog } from '../../../_components/confirm-dialog';
import { PoolCard } from '../../../_components/pool-editor';
import { can, useMe } from '../../../_components/session';
import { Badge, Banner, Button, Loading, Section, linkClass, useNow } from '../../../_components/ui';
import { newestState } from '../../../_lib/node-state';
import { ageText, instanceReports, type InstanceReports, type NodeReport } from '../../../_lib/vip-holders';

/**
 * Live: the server's events for this cluster (transitions, deployments, node live state, failover
 * progress, audited changes; tRPC subscription over SSE) invalidate the queries they affect, so
 * nothing polls while the stream is up (`useLiveInvalidation`); while it is down the queries poll
 * slowly. Every state is still shown with the age of its report.
 */
/** The timeline's window slides with time even when nothing happens. */
const TIMELINE_REFRESH_MS = 5_000;

type NodeRow = RouterOutputs['nodes']['list'][number];
type InstanceRow = RouterOutputs['instances']['list'][number];
type Deployment = RouterOutputs['clusters']['deployments'][number];
type Status = RouterOutputs['failover']['status'];
type Live = RouterOutputs['clusters']['live'];

type Pending =
  | { kind: 'promote'; instance: InstanceRow; node: NodeRow }
  | { kind: 'release'; instance: InstanceRow; node: string | null }
  | { kind: 'maintenance'; node: NodeRow; enabled: boolean };

export default function ClusterPage() {
  const { id } = useParams<{ id: string }>();
  const me = useMe();
  const now = useNow();
  const qc = useQueryClient();
  const role = me.data?.role;
  const stream = useLiveInvalidation({ clusterId: id });
  const poll = stream.fallbackPollMs;

  const cluster = useQuery({
    queryKey: ['clusters.get', id],
    queryFn: () => api.clusters.get.query({ id }),
    refetchInterval: poll,
  });
  const nodes = useQuery({
    queryKey: ['nodes.list', id],
    queryFn: () => api.nodes.list.query({ clusterId: id }),
    refetchInterval: poll,
  });
  const instances = useQuery({
    queryKey: ['instances.list', id],
    queryFn: () => api.instances.list.query({ clusterId: id }),
    refetchInterval: poll,
  });
  const status = useQuery({
    queryKey: ['failover.status', id],
    queryFn: () => api.failover.status.query({ clusterId: id }),
    refetchInterval: poll,
  });
  const transitions = useQuery({
    queryKey: ['clusters.transitions', id],
    queryFn: () => api.clusters.transitions.query({ clusterId: id, limit: 500 }),
    refetchInterval: poll,
  });
  const live = useQuery({
    queryKey: ['clusters.live', id],
    queryFn: () => api.clusters.live.query({ clusterId: id }),
    refetchInterval: poll,
  });
  const checks = useQuery({
    queryKey: ['checks.list', id],
    queryFn: () => api.checks.list.query({ clusterId: id }),
    refetchInterval: poll,
  });
  const deployments = useQuery({
    queryKey: ['clusters.deployments', id],
    queryFn: () => api.clusters.deployments.query({ clusterId: id, limit: 100 }),
    refetchInterval: poll,
  });
  const pools = useQuery({
    queryKey: ['pools.list', id],
    queryFn: () => api.pools.list.query({ clusterId: id }),
    refetchInterval: poll,
  });

  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  const [move, setMove] = useState<MoveRequest | null>(null);
  const [editing, setEditing] = useState<string | null>(null);

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

  const reports = new Map<string, InstanceReports>(
    (instances.data ?? []).map((i) => [i.instance.name, instanceReports(transitions.data ?? [], i.instance.name)]),
  );
  const maintenance = new Map((status.data?.nodes ?? []).map((n) => [n.id, n.maintenance]));
  const liveByName = new Map((live.data?.nodes ?? []).map((n) => [n.name, n]));
  /** Whether the node's agent says (live, not stale) it is master of the instance; null when unknown. */
  const liveMaster = (instance: string) => (node: string) => {
    const n = liveByName.get(node);
    const i = n?.online ? n.heartbeat?.instances.find((x) => x.instance === instance) : undefined;
    return i ? i.state === 'master' : null;
  };
  const lastSeen = Object.fromEntries(
    (live.data?.nodes ?? []).map((n) => [n.name, n.lastSeenAt ? n.lastSeenAt.getTime() : null]),
  );
  const latestDeployment = new Map<string, Deployment>();
  for (const d of deployments.data ?? []) if (!latestDeployment.has(d.node)) latestDeployment.set(d.node, d);

  async function confirm() {
    if (!pending) return;
    setBusy(true);
    try {
      if (pending.kind === 'promote') {
        const requestedAt = Date.now();
        await api.failover.promote.mutate({ instanceId: pending.instance.id, nodeId: pending.node.id });
        setOutcome(null);
        setMove({
          instance: pending.instance.instance.name,
          target: pending.node.node.name,
          previous: reports.get(pending.instance.instance.name)?.masters[0]?.node ?? null,
          requestedAt,
        });
      } else if (pending.kind === 'release') {
        await api.failover.release.mutate({ instanceId: pending.instance.id });
        setOutcome({
          tone: 'ok',
          text: `Recorded: ${pending.instance.instance.name} released; VRRP priorities decide again.`,
        });
      } else {
        await api.failover.maintenance.mutate({ nodeId: pending.node.id, enabled: pending.enabled });
        setOutcome({
          tone: 'ok',
          text: `Recorded: ${pending.node.node.name} ${pending.enabled ? 'goes into' : 'leaves'} maintenance.`,
        });
      }
    } catch (e) {
      setOutcome({ tone: 'error', text: apiProblem(e).message });
    } finally {
      setBusy(false);
      setPending(null);
      await Promise.all(
        ['failover.status', 'nodes.list', 'audit.list', 'clusters.live'].map((k) =>
          qc.invalidateQueries({ queryKey: [k] }),
        ),
      );
    }
  }

  const problems: string[] = [];
  for (const inst of instances.data ?? []) {
    const r = reports.get(inst.instance.name);
    if (!r || r.masters.length === 0)
      problems.push(
        `${inst.instance.name}: no node has reported holding ${inst.instance.vips.map((v) => v.address).join(', ')}`,
      );
    else if (r.masters.length > 1)
      problems.push(
        `${inst.instance.name}: ${r.masters.map((m) => m.node).join(' and ')} each last reported MASTER (possible split brain)`,
      );
  }
  for (const n of nodes.data ?? []) {
    const d = latestDeployment.get(n.node.name);
    if (maintenance.get(n.id) ?? n.maintenance) problems.push(`${n.node.name} is in maintenance`);
    if (!n.enrolled) problems.push(`${n.node.name}: no agent enrolled`);
    if (d?.status === 'failed')
      problems.push(`${n.node.name}: revision ${d.revision} failed to apply${d.message ? ` (${d.message})` : ''}`);
    else if (d && cluster.data.revision > 0 && (d.revision !== cluster.data.revision || d.status !== 'applied'))
      problems.push(`${n.node.name}: revision ${cluster.data.revision} not applied yet`);
  }

  const activeNodes = (nodes.data ?? []).filter((n) => !(maintenance.get(n.id) ?? n.maintenance));
  const lastActive =
    pending?.kind === 'maintenance' &&
    pending.enabled &&
    activeNodes.length === 1 &&
    activeNodes[0]?.id === pending.node.id;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
        <h1 className="text-xl font-semibold">
          <Link href="/" className={`${linkClass} text-slate-600! dark:text-slate-300! font-normal`}>
            Clusters
          </Link>{' '}
          / {cluster.data.name}
        </h1>
        <span className="text-sm text-slate-600 dark:text-slate-300">
          config revision {cluster.data.revision > 0 ? cluster.data.revision : 'none yet'} · changed{' '}
          {ageText(cluster.data.updatedAt, now)}
        </span>
        <span className="ml-auto inline-flex items-center gap-2 text-xs text-slate-600 dark:text-slate-300">
          <LiveIndicator state={stream.state} />
          <span aria-live="off">
            {transitions.dataUpdatedAt ? `last update ${ageText(new Date(transitions.dataUpdatedAt), now)}` : ''}
          </span>
        </span>
      </div>

      {problems.length > 0 && (
        <Banner tone="warn">
          <p className="font-semibold">Needs attention ({problems.length})</p>
          <ul className="list-inside list-disc">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </Banner>
      )}
      {outcome && (
        <Banner tone={outcome.tone === 'ok' ? 'ok' : 'error'} role={outcome.tone === 'ok' ? 'status' : 'alert'}>
          {outcome.text}
        </Banner>
      )}
      {move && (
        <MoveProgress
          req={move}
          transitions={transitions.data ?? []}
          status={status.data}
          liveMaster={liveMaster(move.instance)}
          now={now}
          onDismiss={() => setMove(null)}
        />
      )}
      {transitions.isError && <Banner tone="error">Transition history unavailable: {transitions.error.message}</Banner>}

      <Section title="VIPs and who last reported holding them" id="vips">
        {instances.isPending && <Loading what="VRRP instances" />}
        {instances.data?.length === 0 && (
          <p className="text-sm text-slate-600 dark:text-slate-300">No VRRP instances in this cluster.</p>
        )}
        <div className="space-y-3">
          {instances.data?.map((inst) => (
            <InstanceCard
              key={inst.id}
              inst={inst}
              nodes={nodes.data ?? []}
              reports={reports.get(inst.instance.name)}
              status={status.data}
              now={now}
              canOperate={can(role, 'operate')}
              maintenance={maintenance}
              live={live.data}
              canEdit={can(role, 'edit')}
              editing={editing === inst.id}
              onEdit={(on) => setEditing(on ? inst.id : null)}
              onSaved={(text) => (setEditing(null), text ? setOutcome({ tone: 'ok', text }) : undefined)}
              onPromote={(node) => setPending({ kind: 'promote', instance: inst, node })}
              onRelease={(node) => setPending({ kind: 'release', instance: inst, node })}
            />
          ))}
        </div>
      </Section>

      <Section title="VIP ownership timeline" id="timeline">
        {instances.data && (
          <VipTimeline
            clusterId={id}
            instances={instances.data.map((i) => ({
              name: i.instance.name,
              vips: i.instance.vips.map((v) => v.address),
              members: i.instance.members.map((m) => m.node),
            }))}
            lastSeen={lastSeen}
            staleAfterMs={live.data?.staleAfterMs}
            now={now}
            refetchMs={TIMELINE_REFRESH_MS}
          />
        )}
      </Section>

      <Section title="Live state of the nodes" id="live">
        {live.isPending && <Loading what="live state" />}
        {live.isError && <Banner tone="error">Live state unavailable: {live.error.message}</Banner>}
        {live.data && (
          <NodeLive
            live={live.data}
            checks={checks.data ?? []}
            now={now}
            lastTransition={(node, instance) => {
              const r = reports.get(instance)?.byNode.get(node);
              return r ? { state: r.state, at: r.at } : null;
            }}
          />
        )}
      </Section>

      <Section title="Nodes" id="nodes">
        {nodes.isPending && <Loading what="nodes" />}
        {nodes.data?.length === 0 && <p className="text-sm text-slate-600 dark:text-slate-300">No nodes yet.</p>}
        {nodes.data && nodes.data.length > 0 && (
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-600 dark:text-slate-300 dark:border-slate-700">
              <tr>
                <th scope="col" className="py-1.5 pr-3">
                  Node
                </th>
                <th scope="col" className="py-1.5 pr-3">
                  Addresses
                </th>
                <th scope="col" className="py-1.5 pr-3">
                  Agent
                </th>
                <th scope="col" className="py-1.5 pr-3">
                  Config
                </th>
                <th scope="col" className="py-1.5 pr-3">
                  Mode
                </th>
                {can(role, 'operate') && (
                  <th scope="col" className="py-1.5">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {nodes.data.map((n) => {
                const inMaint = maintenance.get(n.id) ?? n.maintenance;
                const d = latestDeployment.get(n.node.name);
                return (
                  <tr key={n.id} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                    <th scope="row" className="py-1.5 pr-3 font-medium">
                      {n.node.name}
                    </th>
                    <td className="py-1.5 pr-3 font-mono text-xs">{n.node.addresses.join(', ') || '—'}</td>
                    <td className="py-1.5 pr-3">{n.enrolled ? 'enrolled' : <Badge tone="warn">not enrolled</Badge>}</td>
                    <td className="py-1.5 pr-3">
                      <DeploymentCell d={d} current={cluster.data.revision} />
                    </td>
                    <td className="py-1.5 pr-3">
                      {inMaint ? (
                        <Badge tone="maintenance">maintenance</Badge>
                      ) : (
                        <span className="text-slate-600 dark:text-slate-300">in service</span>
                      )}
                    </td>
                    {can(role, 'operate') && (
                      <td className="py-1.5 text-right">
                        <Button onClick={() => setPending({ kind: 'maintenance', node: n, enabled: !inMaint })}>
                          {inMaint ? 'End maintenance' : 'Maintenance'}
                        </Button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Section>

      <Section title="Upstream pools" id="pools">
        {pools.isPending && <Loading what="pools" />}
        {pools.data?.length === 0 && <p className="text-sm text-slate-600 dark:text-slate-300">No pools.</p>}
        <div className="grid gap-3 lg:grid-cols-2">
          {pools.data?.map((p) => (
            <PoolCard key={p.id} row={p} canEdit={can(role, 'edit')} clusterId={id} />
          ))}
        </div>
      </Section>

      <Section title="Health checks" id="checks">
        {checks.isPending && <Loading what="health checks" />}
        {checks.isError && <Banner tone="error">Health checks unavailable: {checks.error.message}</Banner>}
        {checks.data?.length === 0 && <p className="text-sm text-slate-600 dark:text-slate-300">No health checks.</p>}
        {checks.data && checks.data.length > 0 && <ChecksPanel rows={checks.data} canEdit={can(role, 'edit')} />}
      </Section>

      <ConfirmDialog
        open={pending !== null}
        busy={busy}
        danger={pending?.kind === 'maintenance' && pending.enabled}
        title={
          pending?.kind === 'promote'
            ? `Move ${pending.instance.instance.name} to ${pending.node.node.name}?`
            : pending?.kind === 'release'
              ? `Release ${pending.instance.instance.name}?`
              : pending?.kind === 'maintenance'
                ? `${pending.enabled ? 'Put' : 'Take'} ${pending.node.node.name} ${pending.enabled ? 'into' : 'out of'} maintenance?`
                : ''
        }
        confirmLabel={
          pending?.kind === 'promote'
            ? 'Move VIP'
            : pending?.kind === 'release'
              ? 'Release'
              : pending?.kind === 'maintenance' && pending.enabled
                ? 'Start maintenance'
                : 'End maintenance'
        }
        onConfirm={confirm}
        onCancel={() => setPending(null)}
      >
        {pending?.kind === 'promote' && (
          <PromoteText
            instance={pending.instance}
            target={pending.node.node.name}
            holder={reports.get(pending.instance.instance.name)?.masters[0]?.node ?? null}
          />
        )}
        {pending?.kind === 'release' && (
          <p>
            The sticky move{pending.node ? ` to ${pending.node}` : ''} ends; the VIP goes to whichever node VRRP
            priorities and preemption choose
            {preferred(pending.instance)
              ? ` (${preferred(pending.instance)} has the highest priority${pending.instance.instance.preempt ? ' and preempts: the VIP moves back to it now' : ''})`
              : ''}
            .
          </p>
        )}
        {pending?.kind === 'maintenance' && pending.enabled && (
          <>
            <p>{pending.node.node.name} gives up every VIP it holds and takes none until maintenance ends.</p>
            {lastActive && (
              <Banner tone="error" role="alert">
                <strong>{pending.node.node.name} is the last node in service.</strong> With it in maintenance no node
                can hold this cluster&apos;s VIPs: traffic to them stops.
              </Banner>
            )}
          </>
        )}
        {pending?.kind === 'maintenance' && !pending.enabled && (
          <p>
            {pending.node.node.name} rejoins VRRP with its configured priorities and may take a VIP back (preemption).
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}

/** The member with the highest configured priority (the one VRRP prefers), or null on a tie. */
function preferred(inst: InstanceRow): string | null {
  const sorted = [...inst.instance.members].sort((a, b) => b.priority - a.priority);
  return sorted[0] && sorted[0].priority !== sorted[1]?.priority ? sorted[0].node : null;
}

/** What "Move VIP" will do, said before it is done. */
function PromoteText({ instance, target, holder }: { instance: InstanceRow; target: string; holder: string | null }) {
  const vips = instance.instance.vips.map((v) => v.address).join(', ');
  if (holder === target) {
    return (
      <p>
        <strong>{target}</strong> last reported holding {vips}. This pins it there (sticky): it stays on {target} until
        someone presses Release, even if another node has a higher priority. Nothing moves now.
      </p>
    );
  }
  return (
    <>
      <p>
        {vips} moves to <strong>{target}</strong>, make-before-break: {target} becomes master and takes the address
        (with gratuitous ARP) before{' '}
        {holder ? (
          <>
            <strong>{holder}</strong>, which holds it now, lets it go
          </>
        ) : (
          'any other node lets it go (no node has reported holding it)'
        )}
        . Open connections through the VIP to {holder ?? 'the old holder'} may be reset; new ones go to {target}.
      </p>
      <p>
        It is sticky: {vips} stays on {target} until someone presses <strong>Release</strong>, even if{' '}
        {holder ?? 'another node'} has a higher priority. The agent refuses the move if {target} is offline, in FAULT or
        its nginx is unhealthy; the reason is shown here.
      </p>
    </>
  );
}

function DeploymentCell({ d, current }: { d: Deployment | undefined; current: number }) {
  if (!d) return <span className="text-slate-600 dark:text-slate-300">no revision yet</span>;
  if (d.status === 'failed')
    return (
      <div>
        <Badge tone="fault">failed</Badge> rev {d.revision}
        {d.message ? <span className="ml-1 text-xs text-red-700 dark:text-red-300">{d.message}</span> : null}
        {d.nginxOutput && (
          <details className="mt-1 text-xs">
            <summary className="cursor-pointer">nginx output</summary>
            <pre
              data-testid={`nginx-output-${d.node}`}
              className="mt-1 max-w-xl overflow-auto whitespace-pre-wrap rounded bg-red-50 p-2 font-mono text-red-950 dark:bg-red-950 dark:text-red-100"
            >
              {d.nginxOutput}
            </pre>
          </details>
        )}
      </div>
    );
  const tone = d.status === 'applied' && d.revision === current ? 'master' : 'warn';
  return (
    <span>
      <Badge tone={tone}>{d.status}</Badge> rev {d.revision}
      {d.revision !== current && (
        <span className="ml-1 text-xs text-amber-700 dark:text-amber-300">(current is {current})</span>
      )}
    </span>
  );
}

function InstanceCard(props: {
  inst: InstanceRow;
  nodes: NodeRow[];
  reports: InstanceReports | undefined;
  status: Status | undefined;
  now: number;
  canOperate: boolean;
  maintenance: Map<string, boolean>;
  live: Live | undefined;
  canEdit: boolean;
  editing: boolean;
  onEdit: (on: boolean) => void;
  onSaved: (text: string) => void;
  onPromote: (n: NodeRow) => void;
  onRelease: (promotedNode: string | null) => void;
}) {
  const { inst, reports, now } = props;
  const i = inst.instance;
  const promoted = props.status?.instances.find((s) => s.id === inst.id);
  const masters = reports?.masters ?? [];
  const splitBrain = masters.length > 1;
  const headline = masters[0];
  const liveOf = (node: string) => props.live?.nodes.find((n) => n.name === node);
  const headlineStale = headline
    ? liveOf(headline.node)?.online === false && liveOf(headline.node)?.lastSeenAt != null
    : false;
  return (
    <article aria-labelledby={`inst-${inst.id}`} className="rounded border border-slate-200 dark:border-slate-700">
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-slate-200 px-3 py-2 dark:border-slate-700">
        <h3 id={`inst-${inst.id}`} className="font-semibold">
          {i.name}
        </h3>
        <span className="font-mono text-sm">
          {i.vips.map((v) => `${v.address}${v.prefix !== undefined ? `/${v.prefix}` : ''}`).join(', ')}
        </span>
        <span className="text-xs text-slate-600 dark:text-slate-300">
          VRID {i.vrid} · VRRPv{i.version} · advert {i.advertIntervalMs} ms · {i.preempt ? 'preempt' : 'nopreempt'} ·{' '}
          {i.interface}
        </span>
        <span className="ml-auto flex items-center gap-2">
          {promoted?.promotedNode && (
            <>
              <Badge tone="warn">pinned to {promoted.promotedNode}</Badge>
              {props.canOperate && <Button onClick={() => props.onRelease(promoted.promotedNode)}>Release</Button>}
            </>
          )}
          {props.canEdit && !props.editing && (
            <Button onClick={() => props.onEdit(true)} aria-label={`Edit VRRP instance ${i.name}`}>
              Edit
            </Button>
          )}
        </span>
      </header>
      {props.editing && <InstanceEditor row={inst} onDone={props.onSaved} />}
      <div className="px-3 py-2">
        <div className="mb-2 text-sm" data-testid={`holder-${i.name}`}>
          {splitBrain ? (
            <Banner tone="error" role="alert">
              Possible split brain: {masters.map((m) => `${m.node} (${ageText(m.at, now)})`).join(' and ')} each last
              reported MASTER.
            </Banner>
          ) : headline ? (
            <>
              Last reported holder: <strong className="text-base">{headline.node}</strong>{' '}
              <span className="text-slate-600 dark:text-slate-300">
                · last seen {ageText(headline.at, now)}{' '}
                <span className="text-xs">(the last transition it reported, not live state)</span>
              </span>
              {headlineStale && (
                <span className="ml-2">
                  <Badge tone="fault">stale</Badge>{' '}
                  <span className="text-xs">{headline.node} stopped reporting: it may not hold the VIP any more</span>
                </span>
              )}
            </>
          ) : (
            <span className="text-slate-600 dark:text-slate-300">
              No node has reported holding this VIP yet (no transition stored).
            </span>
          )}
        </div>
        <table className="w-full text-left text-sm">
          <thead className="text-xs uppercase tracking-wide text-slate-600 dark:text-slate-300">
            <tr>
              <th scope="col" className="py-1 pr-3">
                Node
              </th>
              <th scope="col" className="py-1 pr-3">
                Priority
              </th>
              <th scope="col" className="py-1 pr-3">
                Live (base → effective)
              </th>
              <th scope="col" className="py-1 pr-3">
                Last reported state
              </th>
              {props.canOperate && (
                <th scope="col" className="py-1">
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {i.members.map((m) => {
              const node = props.nodes.find((n) => n.node.name === m.node);
              const r: NodeReport | undefined = reports?.byNode.get(m.node);
              const inMaint = node ? (props.maintenance.get(node.id) ?? node.maintenance) : false;
              const ln = liveOf(m.node);
              const li = ln?.heartbeat?.instances.find((x) => x.instance === i.name);
              return (
                <tr key={m.node} className="border-t border-slate-100 dark:border-slate-800">
                  <th scope="row" className="py-1 pr-3 font-medium">
                    {m.node} {inMaint && <Badge tone="maintenance">maintenance</Badge>}
                  </th>
                  <td className="py-1 pr-3 tabular-nums">
                    {m.priority}
                    {r?.priority != null && r.priority !== m.priority && (
                      <span className="ml-1 text-xs text-amber-700 dark:text-amber-300">(reported {r.priority})</span>
                    )}
                  </td>
                  <td className="py-1 pr-3 tabular-nums">
                    {li && ln?.heartbeat ? (
                      <span>
                        <Badge
                          tone={
                            ln.online
                              ? (newestState(
                                  { state: li.state, at: ln.heartbeat.at },
                                  r ? { state: r.state, at: r.at } : null,
                                )?.state ?? li.state)
                              : 'unknown'
                          }
                        >
                          {newestState(
                            { state: li.state, at: ln.heartbeat.at },
                            r ? { state: r.state, at: r.at } : null,
                          )?.state ?? li.state}
                        </Badge>{' '}
                        {li.basePriority} → {li.effectivePriority}
                        {!ln.online && <span className="ml-1 text-xs">(stale)</span>}
                      </span>
                    ) : (
                      <span className="text-slate-600 dark:text-slate-300">—</span>
                    )}
                  </td>
                  <td className="py-1 pr-3">
                    {r ? (
                      <span title={r.reason ?? undefined}>
                        <Badge tone={r.state}>{r.state}</Badge>{' '}
                        <span className="text-slate-600 dark:text-slate-300">{ageText(r.at, now)}</span>
                        {r.reason && (
                          <span className="ml-1 text-xs text-slate-600 dark:text-slate-300">({r.reason})</span>
                        )}
                      </span>
                    ) : (
                      <span className="text-slate-600 dark:text-slate-300">no report</span>
                    )}
                  </td>
                  {props.canOperate && (
                    <td className="py-1 text-right">
                      {node && !inMaint && promoted?.promotedNodeId !== node.id && (
                        <Button onClick={() => props.onPromote(node)}>
                          {headline?.node === m.node ? `Pin VIP on ${m.node}` : `Move VIP to ${m.node}`}
                        </Button>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </article>
  );
}
