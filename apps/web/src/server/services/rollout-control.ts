/**
 * Rollout control (issue 14 item 6): revert a cluster to an earlier revision (a NEW revision with
 * that content, so revisions stay immutable and numbered upward, rolled out as any edit), abort
 * the rollout of the newest revision, and what each node runs. Both changes are audited in their
 * transaction. The decisions are pure (revert-plan.ts, hub/rollout.ts).
 */
import { ClusterSpecSchema, formatZodIssues, type ClusterSpec } from '@keepwatch/shared';
import { AppError, notFound } from '../errors';
import { writeAudit } from './audit';
import { canonicalJson } from './canonical-json';
import { planRevert, sameContent, specDiff, type RevertPlan, type SpecDiff } from './revert-plan';
import { commitRevision, loadClusterSpec, lockCluster } from './revisions';
import { openSpecSecrets, specSecretKey } from './spec-secrets';
import { rowAccess } from './config-area';
import { newestApplied } from './node-list';
import { areaRows, type AreaRows } from './rows';
import { actorId, actorName, type Actor, type Db, type Tx } from './types';

interface Prepared {
  newest: number;
  now: ClusterSpec;
  then: ClusterSpec;
  plan: RevertPlan;
}

/** The cluster now and revision `number`; refused (naming `number`) when unknown, unchanged or not restorable. */
async function prepare(db: Db | Tx, clusterId: string, number: number): Promise<Prepared> {
  const cluster = await db.cluster.findUnique({ where: { id: clusterId }, select: { revision: true } });
  if (!cluster) throw notFound('cluster', 'clusterId');
  const rev = await db.configRevision.findUnique({
    where: { clusterId_number: { clusterId, number } },
    select: { spec: true },
  });
  if (!rev)
    throw new AppError('NOT_FOUND', {
      field: 'number',
      message:
        cluster.revision === 0
          ? `this cluster has no revisions yet`
          : `this cluster has no revision ${number} (its revisions are 1 to ${cluster.revision})`,
    });
  // Stored specs passed ClusterSpecSchema when they were made; parsing again applies today's defaults.
  const then = ClusterSpecSchema.safeParse(openSpecSecrets(rev.spec as ClusterSpec, specSecretKey(), clusterId));
  if (!then.success)
    throw new AppError('BAD_REQUEST', {
      field: 'number',
      message: `revision ${number} is not a valid spec under this release's rules: ${formatZodIssues(then.error.issues).slice(0, 3).join('; ')}`,
    });
  const current = ClusterSpecSchema.safeParse(await loadClusterSpec(db, clusterId));
  if (!current.success)
    throw new AppError('BAD_REQUEST', {
      field: 'clusterId',
      message: `the cluster is not complete enough to revert (${formatZodIssues(current.error.issues).slice(0, 3).join('; ')})`,
    });
  return decide(cluster.revision, current.data, then.data, number);
}

function decide(newest: number, now: ClusterSpec, then: ClusterSpec, number: number): Prepared {
  if (sameContent(now, then))
    throw new AppError('BAD_REQUEST', {
      field: 'number',
      message: `revision ${number} has the same content as the cluster now (revision ${newest}): nothing to revert`,
    });
  const decision = planRevert(now, then, number);
  if (!decision.ok) throw new AppError('BAD_REQUEST', { field: 'number', message: decision.message });
  return { newest, now, then, plan: decision.plan };
}

export interface RevertPreview extends SpecDiff {
  /** The revision the diff starts from (the cluster's newest); pass it back as `basedOn`. */
  from: number;
  to: number;
  /** Names of what the revert writes and deletes, per area. */
  changes: { area: string; put: string[]; remove: string[] }[];
}

/** The diff from the cluster now to revision `number`'s content, shown before a revert. Stores nothing. */
export async function previewRevert(db: Db, input: { clusterId: string; number: number }): Promise<RevertPreview> {
  const p = await prepare(db, input.clusterId, input.number);
  const areas = ['checks', 'pools', 'vrrpInstances', 'virtualServers'] as const;
  const changes = [
    { area: 'nodes', put: p.plan.nodes.map((n) => n.name), remove: [] as string[] },
    ...areas.map((a) => ({ area: a, put: p.plan[a].put.map((o) => o.name), remove: p.plan[a].remove })),
  ].filter((c) => c.put.length + c.remove.length > 0);
  const diff = specDiff(p.now, `revision ${p.newest} (now)`, p.then, `revision ${input.number}`);
  return { from: p.newest, to: input.number, changes, ...diff };
}

/** Writes `items` into an area: a row of the same name is rewritten and its version bumped (open editors see a conflict), a new name is inserted. */
async function putRows<T extends { name: string }>(tx: Tx, clusterId: string, area: AreaRows<T>, items: T[]) {
  const rows = rowAccess(area.model);
  const byName = new Map((await rows.listRows(tx, clusterId)).map((r) => [r.name, r]));
  for (const obj of items) {
    const row = byName.get(obj.name);
    if (!row) await area.insert(tx, clusterId, obj);
    else {
      await area.replace(tx, clusterId, row.id, obj);
      // Under the cluster lock nothing else writes the row, so the version read above still holds.
      await rows.bump(tx, row.id, row.version);
    }
  }
}

/** Writes the plan's rows; unchanged rows are untouched, changed ones get a new version. */
async function applyPlan(tx: Tx, clusterId: string, plan: RevertPlan): Promise<void> {
  const bump = { version: { increment: 1 } };
  if (plan.rename !== null) {
    const other = await tx.cluster.findUnique({ where: { name: plan.rename }, select: { id: true } });
    if (other && other.id !== clusterId)
      throw new AppError('CONFLICT', {
        field: 'number',
        message: `the revision names the cluster "${plan.rename}", which another cluster is called now; rename that one first`,
      });
    await tx.cluster.update({ where: { id: clusterId }, data: { name: plan.rename, ...bump } });
  }
  for (const n of plan.nodes)
    await tx.node.update({
      where: { clusterId_name: { clusterId, name: n.name } },
      data: { addresses: n.addresses, interfaces: n.interfaces, ...bump },
    });
  await tx.healthCheck.deleteMany({ where: { clusterId, name: { in: plan.checks.remove } } });
  await putRows(tx, clusterId, areaRows.checks, plan.checks.put);
  // Locations point at pools: drop removed virtual servers, write pools, then virtual servers, then drop pools.
  await tx.virtualServer.deleteMany({ where: { clusterId, name: { in: plan.virtualServers.remove } } });
  await putRows(tx, clusterId, areaRows.pools, plan.pools.put);
  await putRows(tx, clusterId, areaRows.virtualServers, plan.virtualServers.put);
  await tx.upstreamPool.deleteMany({ where: { clusterId, name: { in: plan.pools.remove } } });
  await tx.vrrpInstance.deleteMany({ where: { clusterId, name: { in: plan.vrrpInstances.remove } } });
  await putRows(tx, clusterId, areaRows.vrrpInstances, plan.vrrpInstances.put);
}

/**
 * Restores revision `number`'s content as a new revision. `basedOn` is the revision the admin saw
 * the diff against: a change committed since then is refused (CONFLICT), so what rolls out is
 * what was reviewed.
 */
export async function revertCluster(
  tx: Tx,
  actor: Actor,
  input: { clusterId: string; number: number; basedOn: number },
): Promise<{ revision: number; revertedTo: number; from: number }> {
  await lockCluster(tx, input.clusterId);
  const p = await prepare(tx, input.clusterId, input.number);
  if (p.newest !== input.basedOn)
    throw new AppError('CONFLICT', {
      field: 'basedOn',
      message: `the cluster changed since the diff was shown (it is at revision ${p.newest} now, not ${input.basedOn}); review the diff again`,
    });
  await applyPlan(tx, input.clusterId, p.plan);
  const rev = await commitRevision(tx, actor, input.clusterId, `reverted to revision ${input.number}`);
  const target = canonicalJson(p.then);
  // The new revision must be the old content exactly; anything else is a bug, not a revert.
  if (!rev || canonicalJson(ClusterSpecSchema.parse(await loadClusterSpec(tx, input.clusterId))) !== target)
    throw new AppError('INTERNAL', { message: `reverting to revision ${input.number} did not restore its content` });
  await writeAudit(tx, actor, {
    action: 'revision.revert',
    targetType: 'cluster',
    targetId: input.clusterId,
    before: { revision: p.newest },
    after: { revision: rev.number, revertedTo: input.number, specHash: rev.specHash },
  });
  return { revision: rev.number, revertedTo: input.number, from: p.newest };
}

/**
 * Stops the rollout of the cluster's newest revision `number`: the hub pushes it to no further
 * node (nodes that applied it keep it). Refused when it is not the newest, already applied
 * everywhere, or already aborted.
 */
export async function abortRollout(
  tx: Tx,
  actor: Actor,
  input: { clusterId: string; number: number },
): Promise<{ revision: number; applied: string[]; keptBack: string[] }> {
  await lockCluster(tx, input.clusterId);
  const cluster = await tx.cluster.findUniqueOrThrow({ where: { id: input.clusterId }, select: { revision: true } });
  if (input.number !== cluster.revision)
    throw new AppError('BAD_REQUEST', {
      field: 'number',
      message: `only the newest revision's rollout can be aborted: revision ${input.number} is not the newest (${cluster.revision})`,
    });
  const rev = await tx.configRevision.findUniqueOrThrow({
    where: { clusterId_number: { clusterId: input.clusterId, number: input.number } },
    select: { id: true, abort: { select: { id: true } }, deployments: { select: { status: true, node: true } } },
  });
  if (rev.abort)
    throw new AppError('BAD_REQUEST', {
      field: 'number',
      message: `the rollout of revision ${input.number} is already aborted`,
    });
  const applied = rev.deployments.filter((d) => d.status === 'applied').map((d) => d.node.name);
  const keptBack = rev.deployments.filter((d) => d.status !== 'applied').map((d) => d.node.name);
  if (keptBack.length === 0)
    throw new AppError('BAD_REQUEST', {
      field: 'number',
      message: `revision ${input.number} is applied on every node: there is no rollout to abort (revert to an earlier revision instead)`,
    });
  await tx.rolloutAbort.create({
    data: { clusterId: input.clusterId, revisionId: rev.id, actorId: actorId(actor), actor: actorName(actor) },
  });
  await writeAudit(tx, actor, {
    action: 'rollout.abort',
    targetType: 'cluster',
    targetId: input.clusterId,
    after: { revision: input.number, applied: applied.sort(), keptBack: keptBack.sort() },
  });
  return { revision: input.number, applied, keptBack };
}

/** The newest revision's rollout (aborted or not) and the revision each node runs (its newest applied one). */
export async function rolloutStatus(db: Db, clusterId: string) {
  const cluster = await db.cluster.findUnique({
    where: { id: clusterId },
    select: {
      revision: true,
      nodes: {
        orderBy: { name: 'asc' },
        select: {
          id: true,
          name: true,
          deployments: newestApplied,
        },
      },
    },
  });
  if (!cluster) throw notFound('cluster', 'clusterId');
  const newest = await db.configRevision.findUnique({
    where: { clusterId_number: { clusterId, number: cluster.revision } },
    select: {
      abort: { select: { actor: true, createdAt: true } },
      deployments: { select: { nodeId: true, status: true } },
    },
  });
  const status = new Map(newest?.deployments.map((d) => [d.nodeId, d.status]));
  return {
    revision: cluster.revision,
    aborted: newest?.abort ? { by: newest.abort.actor, at: newest.abort.createdAt } : null,
    nodes: cluster.nodes.map((n) => ({
      nodeId: n.id,
      node: n.name,
      runs: n.deployments[0]?.revision.number ?? null,
      /** This node's deployment of the newest revision (null: the node joined after it). */
      newest: status.get(n.id) ?? null,
    })),
  };
}
