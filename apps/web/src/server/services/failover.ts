/**
 * Manual failover and maintenance. For now these record the operator's intent (a sticky promote
 * on the instance, the node's maintenance flag) with its audit record; the agent hub turns intent
 * into commands to the agents and refuses targets that are offline, in Fault or unhealthy.
 */
import { AppError, notFound } from '../errors';
import { writeAudit } from './audit';
import type { Actor, Db, Tx } from './types';

export async function promote(tx: Tx, actor: Actor, input: { instanceId: string; nodeId: string }) {
  const inst = await tx.vrrpInstance.findUnique({
    where: { id: input.instanceId },
    select: { id: true, name: true, clusterId: true, promotedNodeId: true, members: { select: { nodeId: true, node: { select: { name: true } } } } },
  });
  if (!inst) throw notFound('VRRP instance', 'instanceId');
  const member = inst.members.find((m) => m.nodeId === input.nodeId);
  if (!member) throw new AppError('BAD_REQUEST', { field: 'nodeId', message: `the node is not a member of instance "${inst.name}"` });
  await tx.vrrpInstance.update({ where: { id: inst.id }, data: { promotedNodeId: input.nodeId } });
  await writeAudit(tx, actor, {
    action: 'failover.promote',
    targetType: 'instance',
    targetId: inst.id,
    before: { promotedNodeId: inst.promotedNodeId },
    after: { instance: inst.name, promotedNodeId: input.nodeId, node: member.node.name },
  });
  return { instanceId: inst.id, promotedNodeId: input.nodeId };
}

export async function release(tx: Tx, actor: Actor, input: { instanceId: string }) {
  const inst = await tx.vrrpInstance.findUnique({ where: { id: input.instanceId }, select: { id: true, name: true, promotedNodeId: true } });
  if (!inst) throw notFound('VRRP instance', 'instanceId');
  await tx.vrrpInstance.update({ where: { id: inst.id }, data: { promotedNodeId: null } });
  await writeAudit(tx, actor, { action: 'failover.release', targetType: 'instance', targetId: inst.id, before: { promotedNodeId: inst.promotedNodeId }, after: { instance: inst.name, promotedNodeId: null } });
  return { instanceId: inst.id, promotedNodeId: null };
}

export async function setMaintenance(tx: Tx, actor: Actor, input: { nodeId: string; enabled: boolean }) {
  const node = await tx.node.findUnique({ where: { id: input.nodeId }, select: { id: true, name: true, maintenance: true } });
  if (!node) throw notFound('node', 'nodeId');
  await tx.node.update({ where: { id: node.id }, data: { maintenance: input.enabled } });
  await writeAudit(tx, actor, { action: 'failover.maintenance', targetType: 'node', targetId: node.id, before: { maintenance: node.maintenance }, after: { node: node.name, maintenance: input.enabled } });
  return { nodeId: node.id, maintenance: input.enabled };
}

export async function failoverStatus(db: Db, clusterId: string) {
  const [instances, nodes] = await Promise.all([
    db.vrrpInstance.findMany({ where: { clusterId }, orderBy: { name: 'asc' }, select: { id: true, name: true, promotedNodeId: true, promotedNode: { select: { name: true } } } }),
    db.node.findMany({ where: { clusterId }, orderBy: { name: 'asc' }, select: { id: true, name: true, maintenance: true } }),
  ]);
  return {
    instances: instances.map((i) => ({ id: i.id, name: i.name, promotedNodeId: i.promotedNodeId, promotedNode: i.promotedNode?.name ?? null })),
    nodes,
  };
}
