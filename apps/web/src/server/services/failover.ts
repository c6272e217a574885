/**
 * Manual failover and maintenance. A mutation records the operator's intent — the desired state:
 * a sticky promote on the instance (`promotedNodeId`), the node's maintenance flag — together with
 * the `FailoverCommand` rows that will carry it to the agents and the audit record, in one
 * transaction. Delivery is the hub's (hub/commands.ts): after the commit the router asks it to
 * reconcile the cluster, and it keeps doing so until the agents' heartbeats agree.
 *
 * A promote is refused up front, with the field at fault named, when the target cannot take the
 * VIP now: not a member, offline (no frame within the liveness window), not running the instance,
 * in Fault, in maintenance, or its nginx is unhealthy (not running, or a failing nginx check) —
 * moving the VIP there would move traffic to a node that cannot serve it.
 *
 * Moving a standing promote from node A to node B stores a `release` for A and a `promote` for B;
 * the hub sends B's promote once A's heartbeat shows the release (see hub/commands.ts).
 */
import { AppError, notFound } from '../errors';
import { clusterNodeStatuses, DEF_LIVENESS, nodeStatus, type LivenessRule, type NodeStatus } from './node-status';
import { writeAudit } from './audit';
import { actorName, type Actor, type Db, type Tx } from './types';

function refuse(field: string, message: string): AppError {
  return new AppError('BAD_REQUEST', { field, message });
}

/** Seconds, for messages. */
function ago(ms: number | null): string {
  return ms === null ? 'never' : `${Math.round(ms / 1000)} s ago`;
}

/**
 * Why the node cannot take the instance's VIP now, or null when it can (pure). `nginxRequired`:
 * the cluster has pools or virtual servers, so the node must serve them.
 */
export function promoteRefusal(
  status: NodeStatus,
  instance: string,
  nginxRequired: boolean,
  nginxChecks: ReadonlySet<string>,
): string | null {
  const node = `node "${status.node}"`;
  if (status.maintenance) return `${node} is in maintenance; turn maintenance off before promoting it`;
  if (!status.online)
    return `${node} is offline (last heard from ${ago(status.ageMs)}; offline after ${Math.round(status.staleAfterMs / 1000)} s without a heartbeat)`;
  const hb = status.heartbeat;
  if (!hb) return `${node} has not reported its state yet; try again in a few seconds`;
  if (hb.maintenance) return `${node} reports maintenance; turn maintenance off before promoting it`;
  const inst = hb.instances.find((i) => i.instance === instance);
  if (!inst) return `${node} does not run instance "${instance}" (it has not applied a revision with it)`;
  if (inst.state === 'fault')
    return `instance "${instance}" is in Fault on ${node} (interface down or a tracked check failed)`;
  if (nginxRequired && !hb.nginx.running) return `nginx is not running on ${node}`;
  const failing = Object.values(status.checks).filter((c) => nginxChecks.has(c.check) && c.status === 'failed');
  if (failing.length)
    return `nginx is unhealthy on ${node}: check "${failing[0]!.check}" failed (${failing[0]!.output.slice(0, 200) || 'no output'})`;
  return null;
}

export interface FailoverOptions {
  now?: number;
  liveness?: LivenessRule;
}

/** Marks open rows for the same target as superseded: a newer intent replaces them. */
async function supersede(
  tx: Tx,
  where: { nodeId?: string; instance?: string | null; kinds: string[]; clusterId: string },
): Promise<void> {
  await tx.failoverCommand.updateMany({
    where: {
      clusterId: where.clusterId,
      kind: { in: where.kinds },
      status: { in: ['pending', 'sent'] },
      ...(where.nodeId ? { nodeId: where.nodeId } : {}),
      ...(where.instance !== undefined ? { instance: where.instance } : {}),
    },
    data: { status: 'failed', reason: 'superseded by a later command', finishedAt: new Date() },
  });
}

/** Stores a command for one node's agent (the hub delivers it); returns its id. */
async function queueCommand(
  tx: Tx,
  actor: Actor,
  command: { clusterId: string; nodeId: string; kind: string; instance?: string },
): Promise<string> {
  return (await tx.failoverCommand.create({ data: { ...command, actor: actorName(actor) }, select: { id: true } })).id;
}

/** Sets or clears the instance's sticky promote; a newer intent supersedes its open promote/release commands. */
async function setPromoted(
  tx: Tx,
  inst: { id: string; clusterId: string; name: string },
  promotedNodeId: string | null,
): Promise<void> {
  await tx.vrrpInstance.update({ where: { id: inst.id }, data: { promotedNodeId } });
  await supersede(tx, { clusterId: inst.clusterId, instance: inst.name, kinds: ['promote', 'release'] });
}

export async function promote(
  tx: Tx,
  actor: Actor,
  input: { instanceId: string; nodeId: string },
  opts: FailoverOptions = {},
) {
  const inst = await tx.vrrpInstance.findUnique({
    where: { id: input.instanceId },
    select: {
      id: true,
      name: true,
      clusterId: true,
      promotedNodeId: true,
      members: { select: { nodeId: true, node: { select: { name: true } } } },
    },
  });
  if (!inst) throw notFound('VRRP instance', 'instanceId');
  const member = inst.members.find((m) => m.nodeId === input.nodeId);
  if (!member) throw refuse('nodeId', `the node is not a member of instance "${inst.name}"`);
  // The node's live state as stored by the hub (any dashboard instance).
  const status = await nodeStatus(tx, input.nodeId, {
    now: opts.now ?? Date.now(),
    rule: opts.liveness ?? DEF_LIVENESS,
  });
  if (!status) throw notFound('node', 'nodeId');
  const [pools, servers, nginxChecks] = await Promise.all([
    tx.upstreamPool.count({ where: { clusterId: inst.clusterId } }),
    tx.virtualServer.count({ where: { clusterId: inst.clusterId } }),
    tx.healthCheck.findMany({ where: { clusterId: inst.clusterId, kind: 'nginx' }, select: { name: true } }),
  ]);
  const why = promoteRefusal(status, inst.name, pools + servers > 0, new Set(nginxChecks.map((c) => c.name)));
  if (why) throw refuse('nodeId', `cannot promote: ${why}`);

  await setPromoted(tx, inst, input.nodeId);
  const on = { clusterId: inst.clusterId, instance: inst.name };
  const commandIds = [];
  if (inst.promotedNodeId && inst.promotedNodeId !== input.nodeId)
    commandIds.push(await queueCommand(tx, actor, { ...on, nodeId: inst.promotedNodeId, kind: 'release' }));
  commandIds.push(await queueCommand(tx, actor, { ...on, nodeId: input.nodeId, kind: 'promote' }));
  await writeAudit(tx, actor, {
    action: 'failover.promote',
    targetType: 'instance',
    targetId: inst.id,
    before: { promotedNodeId: inst.promotedNodeId },
    after: { instance: inst.name, promotedNodeId: input.nodeId, node: member.node.name },
  });
  return {
    instanceId: inst.id,
    clusterId: inst.clusterId,
    promotedNodeId: input.nodeId,
    commandIds,
  };
}

export async function release(tx: Tx, actor: Actor, input: { instanceId: string }) {
  const inst = await tx.vrrpInstance.findUnique({
    where: { id: input.instanceId },
    select: { id: true, name: true, clusterId: true, promotedNodeId: true },
  });
  if (!inst) throw notFound('VRRP instance', 'instanceId');
  if (!inst.promotedNodeId) throw refuse('instanceId', `instance "${inst.name}" has no standing promote to release`);
  await setPromoted(tx, inst, null);
  const commandId = await queueCommand(tx, actor, {
    clusterId: inst.clusterId,
    nodeId: inst.promotedNodeId,
    kind: 'release',
    instance: inst.name,
  });
  await writeAudit(tx, actor, {
    action: 'failover.release',
    targetType: 'instance',
    targetId: inst.id,
    before: { promotedNodeId: inst.promotedNodeId },
    after: { instance: inst.name, promotedNodeId: null },
  });
  return { instanceId: inst.id, clusterId: inst.clusterId, promotedNodeId: null, commandIds: [commandId] };
}

/**
 * Maintenance on gives up every VIP of the node and refuses mastership until off; it also ends
 * the node's standing promotes (the agent's machine does the same), so the desired state stays
 * consistent. It is accepted for an offline node: the hub delivers it when the agent reconnects.
 */
export async function setMaintenance(tx: Tx, actor: Actor, input: { nodeId: string; enabled: boolean }) {
  const node = await tx.node.findUnique({
    where: { id: input.nodeId },
    select: { id: true, name: true, clusterId: true, maintenance: true },
  });
  if (!node) throw notFound('node', 'nodeId');
  await tx.node.update({ where: { id: node.id }, data: { maintenance: input.enabled } });
  const released = input.enabled
    ? await tx.vrrpInstance.findMany({ where: { promotedNodeId: node.id }, select: { id: true, name: true } })
    : [];
  if (released.length)
    await tx.vrrpInstance.updateMany({
      where: { id: { in: released.map((i) => i.id) } },
      data: { promotedNodeId: null },
    });
  await supersede(tx, { clusterId: node.clusterId, nodeId: node.id, kinds: ['maintenance-on', 'maintenance-off'] });
  const commandId = await queueCommand(tx, actor, {
    clusterId: node.clusterId,
    nodeId: node.id,
    kind: input.enabled ? 'maintenance-on' : 'maintenance-off',
  });
  await writeAudit(tx, actor, {
    action: 'failover.maintenance',
    targetType: 'node',
    targetId: node.id,
    before: { maintenance: node.maintenance, ...(released.length ? { promoted: released.map((i) => i.name) } : {}) },
    after: { node: node.name, maintenance: input.enabled, ...(released.length ? { promoted: [] } : {}) },
  });
  return { nodeId: node.id, clusterId: node.clusterId, maintenance: input.enabled, commandIds: [commandId] };
}

/** How many recent commands `failoverStatus` returns. */
export const STATUS_COMMANDS = 20;

/**
 * Per instance: the standing promote, each member's live role with its age (from the stored
 * heartbeats; a role from an offline node is marked so), who is master now, and the recent
 * commands with their progress — enough for a UI to follow a promote until the target is master.
 */
export async function failoverStatus(db: Db, clusterId: string, opts: FailoverOptions = {}) {
  const now = opts.now ?? Date.now();
  const rule = opts.liveness ?? DEF_LIVENESS;
  const [instances, nodeStatuses, commands] = await Promise.all([
    db.vrrpInstance.findMany({
      where: { clusterId },
      orderBy: { name: 'asc' },
      select: {
        id: true,
        name: true,
        promotedNodeId: true,
        promotedNode: { select: { name: true } },
        members: { orderBy: { position: 'asc' }, select: { nodeId: true, priority: true } },
      },
    }),
    clusterNodeStatuses(db, clusterId, { now, rule }),
    db.failoverCommand.findMany({
      where: { clusterId },
      orderBy: { createdAt: 'desc' },
      take: STATUS_COMMANDS,
      include: { node: { select: { name: true } } },
    }),
  ]);
  const statuses = new Map(nodeStatuses.map((s) => [s.nodeId, s]));
  const recent = commands.map((c) => ({
    id: c.id,
    nodeId: c.nodeId,
    node: c.node.name,
    kind: c.kind,
    instance: c.instance,
    status: c.status,
    reason: c.reason,
    actor: c.actor,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    finishedAt: c.finishedAt?.toISOString() ?? null,
  }));
  return {
    instances: instances.map((i) => {
      const members = i.members.map((m) => {
        const st = statuses.get(m.nodeId);
        const live = st?.heartbeat?.instances.find((x) => x.instance === i.name) ?? null;
        return {
          nodeId: m.nodeId,
          node: st?.node ?? '',
          priority: m.priority,
          online: st?.online ?? false,
          /** Age of the node's last word (null: never heard). A role older than the window is stale. */
          ageMs: st?.ageMs ?? null,
          state: live?.state ?? null,
          stateSince: live ? new Date(live.since).toISOString() : null,
          effectivePriority: live?.effectivePriority ?? null,
          override: live?.override ?? null,
          maintenance: st?.maintenance ?? false,
          reportedMaintenance: st?.heartbeat?.maintenance ?? null,
        };
      });
      const master = members.find((m) => m.online && m.state === 'master') ?? null;
      return {
        id: i.id,
        name: i.name,
        promotedNodeId: i.promotedNodeId,
        promotedNode: i.promotedNode?.name ?? null,
        /** The node that reports master now (online only), or null. */
        master: master?.node ?? null,
        /** True when a standing promote's target reports master. */
        promoteInEffect: i.promotedNodeId !== null && master?.nodeId === i.promotedNodeId,
        members,
        commands: recent.filter(
          (c) => c.instance === i.name || (c.instance === null && i.members.some((m) => m.nodeId === c.nodeId)),
        ),
      };
    }),
    nodes: nodeStatuses.map((st) => ({
      id: st.nodeId,
      name: st.node,
      maintenance: st.maintenance,
      online: st.online,
      ageMs: st.ageMs,
      reportedMaintenance: st.heartbeat?.maintenance ?? null,
    })),
    commands: recent,
  };
}
