/**
 * Table rows ⇄ spec objects for the config areas. Inputs arrive parsed by @keepwatch/shared's
 * schemas (defaults applied); references by name (a member's node, a location's pool) are
 * resolved to ids here and refused with the input field when unknown.
 */
import { randomUUID } from 'node:crypto';
import type { HealthCheck, UpstreamPool, VirtualServer, VrrpInstance, Node as SpecNode } from '@keepwatch/shared';
import { AppError } from '../errors';
import { Prisma } from '../db/client';
import { sealInstanceSecrets, specSecretKey } from './spec-secrets';
import type { Tx } from './types';

const nullable = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/**
 * Inserts `rows` into `table` in one statement, each value cast to its column's SQL type (`columns`).
 * For the rows every edit writes: Prisma compiles a createMany anew on each call (it caches no
 * plan for it), which cost ~0.5 ms of CPU per call (issue 16). Ids are made here, as Prisma's uuid() does.
 */
export async function insertRows(
  tx: Tx,
  table: string,
  columns: Record<string, string>,
  rows: Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const names = ['id', ...Object.keys(columns)];
  const types: Record<string, string> = { id: 'uuid', ...columns };
  const tuple = (r: Record<string, unknown>) =>
    Prisma.sql`(${Prisma.join(names.map((c) => Prisma.sql`${c === 'id' ? randomUUID() : (r[c] ?? null)}::${Prisma.raw(types[c]!)}`))})`;
  await tx.$executeRaw`INSERT INTO ${Prisma.raw(`"${table}"`)} (${Prisma.raw(names.map((c) => `"${c}"`).join(', '))})
    VALUES ${Prisma.join(rows.map(tuple))}`;
}

export async function insertNode(tx: Tx, clusterId: string, node: SpecNode) {
  return tx.node.create({
    data: { clusterId, name: node.name, addresses: node.addresses, interfaces: node.interfaces },
  });
}

/** The id of each name in `names` from the cluster's `rows`; the first unknown one is refused at `field(i)`. */
function idsByName(
  rows: { id: string; name: string }[],
  names: string[],
  what: 'node' | 'pool',
  field: (i: number) => string,
): string[] {
  const byName = new Map(rows.map((r) => [r.name, r.id]));
  return names.map((name, i) => {
    const id = byName.get(name);
    if (id === undefined)
      throw new AppError('BAD_REQUEST', { field: field(i), message: `unknown ${what} "${name}" in this cluster` });
    return id;
  });
}

async function nodeIds(tx: Tx, clusterId: string, inst: VrrpInstance, field: string): Promise<string[]> {
  const names = inst.members.map((m) => m.node);
  const nodes = await tx.node.findMany({ where: { clusterId, name: { in: names } }, select: { id: true, name: true } });
  return idsByName(nodes, names, 'node', (i) => `${field}.members.${i}.node`);
}

/** The instance's columns; its password and auth_hmac keys sealed (spec-secrets.ts). */
function instanceScalars(clusterId: string, plain: VrrpInstance) {
  const inst = sealInstanceSecrets(plain, specSecretKey(), clusterId);
  return {
    name: inst.name,
    vrid: inst.vrid,
    vrrpVersion: inst.version,
    family: inst.family,
    interface: inst.interface,
    advertIntervalMs: inst.advertIntervalMs,
    preempt: inst.preempt,
    preemptDelayMs: inst.preemptDelayMs,
    authPassword: inst.authentication?.password ?? null,
    authHmac: inst.authHmac ?? Prisma.DbNull,
    trackInterfaces: inst.trackInterfaces,
    trackChecks: inst.trackChecks as never,
    garpMasterDelayMs: inst.garpMasterDelayMs,
    garpMasterRepeat: inst.garpMasterRepeat,
    garpMasterRefreshMs: inst.garpMasterRefreshMs,
    garpMasterRefreshRepeat: inst.garpMasterRefreshRepeat,
  };
}

async function writeInstanceChildren(tx: Tx, instanceId: string, inst: VrrpInstance, ids: string[]) {
  await tx.vrrpMember.createMany({
    data: inst.members.map((m, i) => ({
      instanceId,
      nodeId: ids[i] as string,
      position: i,
      priority: m.priority,
      initialState: m.initialState,
      interface: nullable(m.interface),
      unicastSrcIp: nullable(m.unicastSrcIp),
      unicastPeers: m.unicastPeers,
    })),
  });
  await tx.vip.createMany({
    data: inst.vips.map((v, i) => ({
      instanceId,
      position: i,
      address: v.address,
      prefix: nullable(v.prefix),
      dev: nullable(v.dev),
    })),
  });
}

export async function insertInstance(tx: Tx, clusterId: string, inst: VrrpInstance, field = 'instance') {
  const ids = await nodeIds(tx, clusterId, inst, field);
  const row = await tx.vrrpInstance.create({ data: { clusterId, ...instanceScalars(clusterId, inst) } });
  await writeInstanceChildren(tx, row.id, inst, ids);
  return row;
}

export async function replaceInstance(tx: Tx, clusterId: string, id: string, inst: VrrpInstance, field = 'instance') {
  const ids = await nodeIds(tx, clusterId, inst, field);
  await tx.vrrpMember.deleteMany({ where: { instanceId: id } });
  await tx.vip.deleteMany({ where: { instanceId: id } });
  await tx.vrrpInstance.update({ where: { id }, data: instanceScalars(clusterId, inst) });
  await writeInstanceChildren(tx, id, inst, ids);
}

export async function insertCheck(tx: Tx, clusterId: string, check: HealthCheck) {
  return tx.healthCheck.create({ data: { clusterId, name: check.name, kind: check.kind, definition: check as never } });
}

export async function replaceCheck(tx: Tx, clusterId: string, id: string, check: HealthCheck) {
  const before = await tx.healthCheck.findUniqueOrThrow({ where: { id }, select: { name: true } });
  await tx.healthCheck.update({
    where: { id },
    data: { name: check.name, kind: check.kind, definition: check as never },
  });
  // Instances track checks by name: a rename follows into their trackChecks, so renaming a
  // tracked check does not need the tracking removed first.
  if (before.name !== check.name) {
    const tracking = await tx.vrrpInstance.findMany({
      where: { clusterId },
      select: { id: true, trackChecks: true },
    });
    for (const inst of tracking) {
      const list = inst.trackChecks as { check: string; weight?: number }[];
      if (list.some((t) => t.check === before.name)) {
        await tx.vrrpInstance.update({
          where: { id: inst.id },
          data: { trackChecks: list.map((t) => (t.check === before.name ? { ...t, check: check.name } : t)) },
        });
      }
    }
  }
}

const SERVER_COLUMNS = {
  poolId: 'uuid',
  position: 'int',
  address: 'text',
  port: 'int',
  weight: 'int',
  maxFails: 'int',
  failTimeoutMs: 'int',
  backup: 'boolean',
  down: 'boolean',
};

function serverRows(poolId: string, pool: UpstreamPool) {
  return pool.servers.map((s, i) => ({
    poolId,
    position: i,
    address: s.address,
    port: s.port,
    weight: nullable(s.weight),
    maxFails: nullable(s.maxFails),
    failTimeoutMs: nullable(s.failTimeoutMs),
    backup: s.backup,
    down: s.down,
  }));
}

export async function insertPool(tx: Tx, clusterId: string, pool: UpstreamPool) {
  const row = await tx.upstreamPool.create({
    data: { clusterId, name: pool.name, method: pool.method as never, keepalive: nullable(pool.keepalive) },
  });
  await insertRows(tx, 'UpstreamServer', SERVER_COLUMNS, serverRows(row.id, pool));
  return row;
}

export async function replacePool(tx: Tx, id: string, pool: UpstreamPool) {
  await tx.upstreamServer.deleteMany({ where: { poolId: id } });
  await tx.upstreamPool.update({
    where: { id },
    data: { name: pool.name, method: pool.method as never, keepalive: nullable(pool.keepalive) },
  });
  await insertRows(tx, 'UpstreamServer', SERVER_COLUMNS, serverRows(id, pool));
}

/**
 * The spec fields of a virtual server or location that have no column of their own (TLS, the
 * proxy-host options: issue #17), for its `options` column: everything but the named columns.
 * The spec schema validated them; loadCluster spreads them back.
 */
function optionsOf<T extends object>(obj: T, columns: readonly (keyof T)[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([k, v]) => !columns.includes(k as keyof T) && v !== undefined));
}
const VS_COLUMNS = ['name', 'listen', 'serverNames', 'locations'] as const;
const LOCATION_COLUMNS = [
  'path',
  'pool',
  'proxyConnectTimeoutMs',
  'proxyReadTimeoutMs',
  'proxySendTimeoutMs',
  'headers',
] as const;

function virtualServerData(vs: VirtualServer) {
  return {
    name: vs.name,
    listen: vs.listen as never,
    serverNames: vs.serverNames,
    options: optionsOf(vs, VS_COLUMNS) as never,
  };
}

async function locationRows(tx: Tx, clusterId: string, vsId: string, vs: VirtualServer, field: string) {
  const names = vs.locations.map((l) => l.pool);
  const pools = await tx.upstreamPool.findMany({
    where: { clusterId, name: { in: names } },
    select: { id: true, name: true },
  });
  const poolIds = idsByName(pools, names, 'pool', (i) => `${field}.locations.${i}.pool`);
  return vs.locations.map((l, i) => ({
    virtualServerId: vsId,
    position: i,
    path: l.path,
    poolId: poolIds[i]!,
    proxyConnectTimeoutMs: nullable(l.proxyConnectTimeoutMs),
    proxyReadTimeoutMs: nullable(l.proxyReadTimeoutMs),
    proxySendTimeoutMs: nullable(l.proxySendTimeoutMs),
    headers: l.headers,
    options: optionsOf(l, LOCATION_COLUMNS) as never,
  }));
}

export async function insertVirtualServer(tx: Tx, clusterId: string, vs: VirtualServer, field = 'virtualServer') {
  const row = await tx.virtualServer.create({
    data: { clusterId, ...virtualServerData(vs) },
  });
  await tx.location.createMany({ data: await locationRows(tx, clusterId, row.id, vs, field) });
  return row;
}

export async function replaceVirtualServer(
  tx: Tx,
  clusterId: string,
  id: string,
  vs: VirtualServer,
  field = 'virtualServer',
) {
  const rows = await locationRows(tx, clusterId, id, vs, field);
  await tx.location.deleteMany({ where: { virtualServerId: id } });
  await tx.virtualServer.update({
    where: { id },
    data: virtualServerData(vs),
  });
  await tx.location.createMany({ data: rows });
}

/** The Prisma models of the config areas' tables: named, versioned rows per cluster. */
export type AreaModel = 'vrrpInstance' | 'healthCheck' | 'upstreamPool' | 'virtualServer';

/** A config area's table and its row writers, under one signature for the four areas. */
export interface AreaRows<T> {
  model: AreaModel;
  insert(tx: Tx, clusterId: string, obj: T): Promise<{ id: string }>;
  /** Rewrites row `id` (and its child rows) to `obj`; leaves its version alone. */
  replace(tx: Tx, clusterId: string, id: string, obj: T): Promise<void>;
}

/** The config areas by their key in the spec: what the area API (config-area.ts) and a revert write. */
export const areaRows: {
  vrrpInstances: AreaRows<VrrpInstance>;
  checks: AreaRows<HealthCheck>;
  pools: AreaRows<UpstreamPool>;
  virtualServers: AreaRows<VirtualServer>;
} = {
  vrrpInstances: { model: 'vrrpInstance', insert: insertInstance, replace: replaceInstance },
  checks: { model: 'healthCheck', insert: insertCheck, replace: replaceCheck },
  pools: {
    model: 'upstreamPool',
    insert: insertPool,
    replace: (tx, _clusterId, id, pool) => replacePool(tx, id, pool),
  },
  virtualServers: { model: 'virtualServer', insert: insertVirtualServer, replace: replaceVirtualServer },
};
