/**
 * Config revisions: after every config change the cluster's spec is rebuilt from the tables,
 * validated with @keepwatch/shared's ClusterSpecSchema (every cross-field rule), and stored as a
 * new immutable numbered revision, with a pending deployment per node. A change that would make
 * the spec invalid is refused with the spec path at fault, and its transaction rolls back.
 */
import { createHash } from 'node:crypto';
import {
  ClusterSpecSchema,
  formatZodIssues,
  type ClusterSpec,
  type ClusterSpecInput,
  type VrrpState,
} from '@keepwatch/shared';
import type { Prisma } from '../db/client';
import { AppError, notFound } from '../errors';
import { assertSpecCertificates } from './certificates/usage';
import { refuseMissingNginxFeatures } from './nginx-build';
import { canonicalJson } from './canonical-json';
import { insertRows } from './rows';
import { openInstanceSecrets, openSpecSecrets, sealSpecSecrets, specSecretKey } from './spec-secrets';
import { actorId, actorName, type Actor, type Db, type Tx } from './types';

/** Nullable columns become absent members (the spec's optionals are `undefined`, never null). */
type Defined<T> = { [K in keyof T as null extends T[K] ? never : undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as null extends T[K] ? K : undefined extends T[K] ? K : never]?: Exclude<T[K], null | undefined>;
};
function defined<T extends Record<string, unknown>>(o: T): Defined<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Defined<T>;
}

/** An upstream server row as the spec's pool member. */
function serverSpec(s: Prisma.UpstreamServerModel) {
  return defined({
    address: s.address,
    port: s.port,
    weight: s.weight,
    maxFails: s.maxFails,
    failTimeoutMs: s.failTimeoutMs,
    backup: s.backup,
    down: s.down,
  });
}

/** A location row (with its pool's name) as the spec's virtual server location. */
function locationSpec(l: Prisma.LocationModel & { pool: { name: string } }) {
  return defined({
    // The fields without a column of their own (rows.ts optionsOf); the columns below win.
    ...(l.options as Record<string, unknown>),
    path: l.path,
    pool: l.pool.name,
    proxyConnectTimeoutMs: l.proxyConnectTimeoutMs,
    proxyReadTimeoutMs: l.proxyReadTimeoutMs,
    proxySendTimeoutMs: l.proxySendTimeoutMs,
    headers: l.headers as never,
  });
}

/** The cluster as a spec, straight from the tables (not yet validated). Objects in name order. */
export async function loadClusterSpec(db: Db | Tx, clusterId: string): Promise<ClusterSpecInput> {
  return (await loadCluster(db, clusterId)).spec;
}

/** The cluster's spec (see loadClusterSpec) and the row id of each of its nodes by name: what a revision is made of. */
export interface LoadedCluster {
  spec: ClusterSpecInput;
  nodeIds: ReadonlyMap<string, string>;
}

export async function loadCluster(db: Db | Tx, clusterId: string): Promise<LoadedCluster> {
  const cluster = await db.cluster.findUnique({
    where: { id: clusterId },
    include: {
      // Only the spec's columns: the node rows also carry the agents' live state (JSON, rewritten every heartbeat).
      nodes: { orderBy: { name: 'asc' }, select: { id: true, name: true, addresses: true, interfaces: true } },
      vrrpInstances: {
        orderBy: { name: 'asc' },
        include: {
          members: { orderBy: { position: 'asc' }, include: { node: { select: { name: true } } } },
          vips: { orderBy: { position: 'asc' } },
        },
      },
      checks: { orderBy: { name: 'asc' } },
      pools: { orderBy: { name: 'asc' }, include: { servers: { orderBy: { position: 'asc' } } } },
      virtualServers: {
        orderBy: { name: 'asc' },
        include: { locations: { orderBy: { position: 'asc' }, include: { pool: { select: { name: true } } } } },
      },
    },
  });
  if (!cluster) throw notFound('cluster', 'clusterId');
  const key = specSecretKey();
  const nodeIds = new Map(cluster.nodes.map((n) => [n.name, n.id]));
  const spec: ClusterSpecInput = {
    name: cluster.name,
    nodes: cluster.nodes.map((n) => ({ name: n.name, addresses: n.addresses, interfaces: n.interfaces })),
    vrrpInstances: cluster.vrrpInstances.map((i) =>
      openInstanceSecrets(
        defined({
          name: i.name,
          vrid: i.vrid,
          version: i.vrrpVersion as 2 | 3,
          family: i.family as 4 | 6,
          interface: i.interface,
          advertIntervalMs: i.advertIntervalMs,
          members: i.members.map((m) =>
            defined({
              node: m.node.name,
              priority: m.priority,
              initialState: m.initialState as 'master' | 'backup',
              interface: m.interface,
              unicastSrcIp: m.unicastSrcIp,
              unicastPeers: m.unicastPeers,
            }),
          ),
          preempt: i.preempt,
          preemptDelayMs: i.preemptDelayMs,
          authentication: i.authPassword === null ? undefined : { type: 'pass' as const, password: i.authPassword },
          authHmac: (i.authHmac ?? undefined) as never,
          vips: i.vips.map((v) => defined({ address: v.address, prefix: v.prefix, dev: v.dev })),
          trackInterfaces: i.trackInterfaces as never,
          trackChecks: i.trackChecks as never,
          garpMasterDelayMs: i.garpMasterDelayMs,
          garpMasterRepeat: i.garpMasterRepeat,
          garpMasterRefreshMs: i.garpMasterRefreshMs,
          garpMasterRefreshRepeat: i.garpMasterRefreshRepeat,
        }),
        key,
        clusterId,
      ),
    ),
    checks: cluster.checks.map((c) => c.definition as never),
    pools: cluster.pools.map((p) =>
      defined({
        name: p.name,
        method: p.method as never,
        keepalive: p.keepalive,
        servers: p.servers.map(serverSpec),
      }),
    ),
    virtualServers: cluster.virtualServers.map((v) => ({
      ...(v.options as Record<string, unknown>),
      name: v.name,
      listen: v.listen as never,
      serverNames: v.serverNames,
      locations: v.locations.map(locationSpec),
    })),
  };
  return { spec, nodeIds };
}

/**
 * Serialises config changes per cluster: a concurrent change to the same cluster commits first
 * and is then visible to this transaction (read committed), so revision N+1 always contains
 * revision N's changes and no revision silently drops another writer's edit. Taken at the start
 * of each change (re-entrant: commitRevision takes it again unless handed the cluster read under
 * it). config-area.ts takes the same lock by an area row's id. `NO KEY UPDATE` rather than
 * `UPDATE`: inserting a child row takes `KEY SHARE` on the cluster, which must not deadlock with it.
 */
export async function lockCluster(tx: Tx, clusterId: string): Promise<void> {
  const rows = await tx.$queryRaw<
    { id: string }[]
  >`SELECT id FROM "Cluster" WHERE id = ${clusterId}::uuid FOR NO KEY UPDATE`;
  if (rows.length === 0) throw notFound('cluster', 'clusterId');
}

export interface RevisionSummary {
  number: number;
  specHash: string;
}

/**
 * Records a new revision of the cluster after a change made in `tx`. Returns null while the
 * cluster has no nodes (a spec needs at least one; the first revision comes with the first node).
 * Throws BAD_REQUEST naming the spec path when the changed cluster is not a valid spec.
 * `changed`: the cluster as the change left it, when the caller holds the cluster's lock and
 * knows it without reading the tables again (config-area.ts); otherwise it is locked and read here.
 */
export async function commitRevision(
  tx: Tx,
  actor: Actor,
  clusterId: string,
  summary: string,
  changed?: LoadedCluster,
): Promise<RevisionSummary | null> {
  if (!changed) await lockCluster(tx, clusterId);
  const { spec: input, nodeIds } = changed ?? (await loadCluster(tx, clusterId));
  if (input.nodes.length === 0) return null;
  const parsed = ClusterSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw new AppError('BAD_REQUEST', {
      field: `spec.${parsed.error.issues[0]?.path.map(String).join('.') ?? ''}`,
      message: `the change would leave the cluster's spec invalid: ${formatZodIssues(parsed.error.issues).join('; ')}`,
    });
  }
  const spec: ClusterSpec = parsed.data;
  await assertSpecCertificates(tx, clusterId, spec);
  await refuseMissingNginxFeatures(tx, clusterId, spec);
  const specHash = createHash('sha256').update(canonicalJson(spec)).digest('hex');
  const cluster = await tx.cluster.update({
    where: { id: clusterId },
    data: { revision: { increment: 1 } },
    select: { revision: true },
  });
  const revision = await tx.configRevision.create({
    data: {
      clusterId,
      number: cluster.revision,
      // Hashed in clear above (the agent checks the hash of what it receives), stored sealed.
      spec: sealSpecSecrets(spec, specSecretKey(), clusterId) as never,
      specHash,
      summary,
      createdById: actorId(actor),
      createdBy: actorName(actor),
    },
  });
  // One pending deployment per node of the spec, i.e. per node of the cluster (read with it).
  const nodeId = (name: string) => {
    const id = nodeIds.get(name);
    if (id === undefined) throw new AppError('INTERNAL', { message: `node "${name}" of the spec has no row` });
    return id;
  };
  const now = new Date();
  await insertRows(
    tx,
    'Deployment',
    { revisionId: 'uuid', nodeId: 'uuid', createdAt: 'timestamptz', updatedAt: 'timestamptz' },
    spec.nodes.map((n) => ({ revisionId: revision.id, nodeId: nodeId(n.name), createdAt: now, updatedAt: now })),
  );
  return { number: cluster.revision, specHash };
}

export async function listRevisions(db: Db, clusterId: string, limit: number) {
  return db.configRevision.findMany({
    where: { clusterId },
    orderBy: { number: 'desc' },
    take: limit,
    select: { id: true, number: true, specHash: true, summary: true, createdBy: true, createdAt: true },
  });
}

/** A deployment (with its node's name) as the API returns it. */
function toDeployment(d: Prisma.DeploymentModel & { node: { name: string } }) {
  return {
    node: d.node.name,
    nodeId: d.nodeId,
    status: d.status,
    stage: d.stage,
    message: d.message,
    nginxOutput: d.nginxOutput,
    finishedAt: d.finishedAt,
  };
}

export async function getRevision(db: Db, clusterId: string, number: number) {
  const r = await db.configRevision.findUnique({
    where: { clusterId_number: { clusterId, number } },
    include: { deployments: { include: { node: { select: { name: true } } } } },
  });
  if (!r) throw notFound(`revision ${number}`, 'number');
  return {
    number: r.number,
    spec: openSpecSecrets(r.spec as ClusterSpec, specSecretKey(), clusterId),
    specHash: r.specHash,
    summary: r.summary,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    deployments: r.deployments.map(toDeployment),
  };
}

export async function listDeployments(db: Db, clusterId: string, limit: number) {
  const rows = await db.deployment.findMany({
    where: { revision: { clusterId } },
    orderBy: [{ createdAt: 'desc' }],
    take: limit,
    include: { node: { select: { name: true } }, revision: { select: { number: true } } },
  });
  return rows.map((d) => ({ revision: d.revision.number, ...toDeployment(d), createdAt: d.createdAt }));
}

/** A stored transition with its node's name. */
interface TransitionRow {
  node: string;
  instance: string;
  vrid: number;
  fromState: VrrpState;
  toState: VrrpState;
  reason: string;
  priority: number;
  at: Date;
  receivedAt: Date;
}

/** A transition as the API returns it. */
function toTransition(t: TransitionRow) {
  return {
    node: t.node,
    instance: t.instance,
    vrid: t.vrid,
    from: t.fromState,
    to: t.toState,
    reason: t.reason,
    priority: t.priority,
    at: t.at,
    receivedAt: t.receivedAt,
  };
}

export async function listTransitions(db: Db, clusterId: string, limit: number) {
  const rows = await db.stateTransition.findMany({
    where: { clusterId },
    orderBy: { at: 'desc' },
    take: limit,
    include: { node: { select: { name: true } } },
  });
  return rows.map((t) => toTransition({ ...t, node: t.node.name }));
}

/** At most this many transitions in one timeline window (a flapping node must not flood the page). */
export const TIMELINE_MAX_TRANSITIONS = 5000;

/**
 * The transitions a VIP ownership timeline needs for the window from `since` to now: those inside
 * it (oldest first), and for each node and instance the last one before it (`initial`: the
 * state each node was in when the window starts). `truncated` when the window held more than
 * TIMELINE_MAX_TRANSITIONS (the newest are kept).
 */
export async function listTimeline(db: Db, clusterId: string, since: Date) {
  const inside = await db.stateTransition.findMany({
    where: { clusterId, at: { gte: since } },
    orderBy: [{ at: 'desc' }, { seq: 'desc' }],
    take: TIMELINE_MAX_TRANSITIONS + 1,
    include: { node: { select: { name: true } } },
  });
  const initial = await db.$queryRaw<TransitionRow[]>`
    SELECT DISTINCT ON (t."nodeId", t.instance) n.name AS node, t.instance, t.vrid, t."fromState"::text AS "fromState", t."toState"::text AS "toState", t.reason, t.priority, t.at, t."receivedAt"
    FROM "StateTransition" t JOIN "Node" n ON n.id = t."nodeId"
    WHERE t."clusterId" = ${clusterId}::uuid AND t.at < ${since}
    ORDER BY t."nodeId", t.instance, t.at DESC, t.seq DESC`;
  const truncated = inside.length > TIMELINE_MAX_TRANSITIONS;
  const kept = inside.slice(0, TIMELINE_MAX_TRANSITIONS).reverse();
  return {
    since,
    until: new Date(),
    truncated,
    initial: initial.map(toTransition),
    transitions: kept.map((t) => toTransition({ ...t, node: t.node.name })),
  };
}
