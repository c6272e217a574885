/**
 * Table rows ⇄ spec objects for the config areas. Inputs arrive parsed by @keepwatch/shared's
 * schemas (defaults applied); references by name (a member's node, a location's pool) are
 * resolved to ids here and refused with the input field when unknown.
 */
import type { HealthCheck, UpstreamPool, VirtualServer, VrrpInstance, Node as SpecNode } from '@keepwatch/shared';
import { AppError } from '../errors';
import { Prisma } from '../db/client';
import { sealInstanceSecrets, specSecretKey } from './spec-secrets';
import type { Tx } from './types';

const nullable = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

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
  await tx.upstreamServer.createMany({ data: serverRows(row.id, pool) });
  return row;
}

export async function replacePool(tx: Tx, id: string, pool: UpstreamPool) {
  await tx.upstreamServer.deleteMany({ where: { poolId: id } });
  await tx.upstreamPool.update({
    where: { id },
    data: { name: pool.name, method: pool.method as never, keepalive: nullable(pool.keepalive) },
  });
  await tx.upstreamServer.createMany({ data: serverRows(id, pool) });
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
  }));
}

export async function insertVirtualServer(tx: Tx, clusterId: string, vs: VirtualServer, field = 'virtualServer') {
  const row = await tx.virtualServer.create({
    data: { clusterId, name: vs.name, listen: vs.listen as never, serverNames: vs.serverNames },
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
    data: { name: vs.name, listen: vs.listen as never, serverNames: vs.serverNames },
  });
  await tx.location.createMany({ data: rows });
}
