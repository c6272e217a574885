/** Clusters: create (empty, or from a whole spec), rename, delete; revisions are in revisions.ts. */
import type { ClusterSpec } from '@keepwatch/shared';
import { clusterNodeStatuses, DEF_LIVENESS, staleAfterMs } from './node-status';
import { AppError, notFound, staleVersion } from '../errors';
import { writeAudit } from './audit';
import { commitRevision } from './revisions';
import { insertCheck, insertInstance, insertNode, insertPool, insertVirtualServer } from './rows';
import type { Actor, Db, Tx } from './types';
import type { MutationResult } from './config-area';

const view = { id: true, name: true, version: true, revision: true, createdAt: true, updatedAt: true } as const;

export async function listClusters(db: Db) {
  const rows = await db.cluster.findMany({
    orderBy: { name: 'asc' },
    select: { ...view, _count: { select: { nodes: true } } },
  });
  return rows.map(({ _count, ...c }) => ({ ...c, nodeCount: _count.nodes }));
}

export async function getCluster(db: Db, id: string) {
  const c = await db.cluster.findUnique({ where: { id }, select: view });
  if (!c) throw notFound('cluster');
  return c;
}

async function ensureNameFree(tx: Tx, name: string, field: string, exceptId?: string) {
  const other = await tx.cluster.findUnique({ where: { name }, select: { id: true } });
  if (other && other.id !== exceptId)
    throw new AppError('CONFLICT', { field, message: `a cluster named "${name}" already exists` });
}

export async function createCluster(tx: Tx, actor: Actor, input: { name: string }): Promise<MutationResult> {
  await ensureNameFree(tx, input.name, 'name');
  const c = await tx.cluster.create({ data: { name: input.name } });
  await writeAudit(tx, actor, {
    action: 'cluster.create',
    targetType: 'cluster',
    targetId: c.id,
    after: { name: c.name },
  });
  return { id: c.id, version: c.version, revision: null };
}

/** Creates a cluster from a whole (validated) spec, e.g. one imported from keepalived.conf; revision 1. */
export async function importCluster(tx: Tx, actor: Actor, input: { spec: ClusterSpec }): Promise<MutationResult> {
  const { spec } = input;
  await ensureNameFree(tx, spec.name, 'spec.name');
  const c = await tx.cluster.create({ data: { name: spec.name } });
  for (const n of spec.nodes) await insertNode(tx, c.id, n);
  for (const ch of spec.checks) await insertCheck(tx, c.id, ch);
  for (const [i, inst] of spec.vrrpInstances.entries()) await insertInstance(tx, c.id, inst, `spec.vrrpInstances.${i}`);
  for (const p of spec.pools) await insertPool(tx, c.id, p);
  for (const [i, vs] of spec.virtualServers.entries())
    await insertVirtualServer(tx, c.id, vs, `spec.virtualServers.${i}`);
  const revision = await commitRevision(tx, actor, c.id, 'cluster imported');
  await writeAudit(tx, actor, {
    action: 'cluster.import',
    targetType: 'cluster',
    targetId: c.id,
    after: { name: spec.name, revision: revision?.number ?? null, specHash: revision?.specHash ?? null },
  });
  return { id: c.id, version: c.version, revision: revision?.number ?? null };
}

async function guard(tx: Tx, id: string, version: number) {
  const c = await tx.cluster.findUnique({ where: { id }, select: { id: true, name: true, version: true } });
  if (!c) throw notFound('cluster');
  if (c.version !== version) throw staleVersion('the cluster', version, c.version);
  const r = await tx.cluster.updateMany({ where: { id, version }, data: { version: { increment: 1 } } });
  if (r.count === 0) throw staleVersion('the cluster', version, version + 1);
  return c;
}

export async function renameCluster(
  tx: Tx,
  actor: Actor,
  input: { id: string; version: number; name: string },
): Promise<MutationResult> {
  const c = await guard(tx, input.id, input.version);
  await ensureNameFree(tx, input.name, 'name', c.id);
  await tx.cluster.update({ where: { id: c.id }, data: { name: input.name } });
  const revision = await commitRevision(tx, actor, c.id, `cluster renamed to ${input.name}`);
  await writeAudit(tx, actor, {
    action: 'cluster.update',
    targetType: 'cluster',
    targetId: c.id,
    before: { name: c.name, version: input.version },
    after: { name: input.name, version: input.version + 1, revision: revision?.number ?? null },
  });
  return { id: c.id, version: input.version + 1, revision: revision?.number ?? null };
}

export async function deleteCluster(
  tx: Tx,
  actor: Actor,
  input: { id: string; version: number },
): Promise<MutationResult> {
  const c = await guard(tx, input.id, input.version);
  // Referencing rows first: members point at nodes and locations at pools without cascading
  // (so a node or pool in use cannot vanish on its own), which a single cascade could trip over.
  await tx.vrrpInstance.deleteMany({ where: { clusterId: c.id } });
  await tx.virtualServer.deleteMany({ where: { clusterId: c.id } });
  await tx.cluster.delete({ where: { id: c.id } });
  await writeAudit(tx, actor, {
    action: 'cluster.delete',
    targetType: 'cluster',
    targetId: c.id,
    before: { name: c.name, version: input.version },
  });
  return { id: c.id, version: input.version + 1, revision: null };
}

/**
 * Each node's last live report as the hub stored it (the agent's last heartbeat, the last result
 * of each health check, when the agent was last heard), with ages measured on the server's clock
 * and node-status.ts's one liveness rule, so the page never shows a stale "master" as current.
 */
export async function clusterLive(db: Db, clusterId: string, now = Date.now()) {
  const statuses = await clusterNodeStatuses(db, clusterId, { now });
  return {
    now: new Date(now),
    staleAfterMs: statuses[0]?.staleAfterMs ?? LIVE_STALE_AFTER_MS,
    nodes: statuses.map((n) => ({
      id: n.nodeId,
      name: n.node,
      enrolled: n.enrolled,
      maintenance: n.maintenance,
      online: n.online,
      lastSeenAt: n.lastSeenAt === null ? null : new Date(n.lastSeenAt),
      seenAgeMs: n.ageMs,
      agentVersion: n.agentVersion,
      agentAddress: n.agentAddress,
      heartbeat: n.heartbeat && {
        at: new Date(n.heartbeat.at),
        appliedRevision: n.heartbeat.appliedRevision,
        maintenance: n.heartbeat.maintenance,
        nginx: n.heartbeat.nginx,
        instances: n.heartbeat.instances.map((i) => ({ ...i, since: new Date(i.since) })),
      },
      checks: Object.values(n.checks)
        .sort((a, b) => a.check.localeCompare(b.check))
        .map((c) => ({
          check: c.check,
          ok: c.ok,
          status: c.status,
          at: new Date(c.at),
          durationMs: c.durationMs,
          exitCode: c.exitCode,
          timedOut: c.timedOut,
          output: c.output,
          // rise/fall counters; null from agents that do not send them.
          consecutiveOk: c.consecutiveOk ?? null,
          consecutiveFailed: c.consecutiveFailed ?? null,
        })),
    })),
  };
}

/** After how long without a frame a node is offline (node-status.ts's default rule). */
export const LIVE_STALE_AFTER_MS = staleAfterMs(DEF_LIVENESS);
