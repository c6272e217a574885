/**
 * The secrets inside a cluster spec — each instance's VRRPv2 password and auth_hmac keys — sealed
 * at rest like the stored SSH keys (secret-box.ts: AES-256-GCM under the dashboard's secret key,
 * which is never in the database). Sealed where they are stored (`ConfigRevision.spec`, the
 * `VrrpInstance.authPassword`/`authHmac` columns) and opened where they are read, so a database
 * dump or backup carries none of them in clear; everything in between handles plain values.
 *
 * A sealed value is `kwsealed:v1:<iv>:<tag>:<ciphertext>`, bound (associated data) to the cluster,
 * the instance and the secret's place in it: a value copied into another instance or cluster does
 * not open. A value without the prefix is plain (written before this version) and opens as itself;
 * `sealStoredSecrets` seals those at start-up.
 */
import type { ClusterSpec, VrrpInstance } from '@keepwatch/shared';
import { Prisma } from '../db/client';
import { AppError } from '../errors';
import { openSecret, sealSecret } from './ssh/secret-box';
import { defaultBootstrapSettings } from './ssh/settings';
import type { Db } from './types';

export const SEALED_PREFIX = 'kwsealed:v1:';

type InstanceSecrets = Pick<VrrpInstance, 'name' | 'authentication' | 'authHmac'>;

/** `inst` with each secret replaced by `fn(value, place)` (place: `password` or `hmac-key-<id>`). */
export function mapInstanceSecrets<I extends Partial<InstanceSecrets>>(
  inst: I,
  fn: (value: string, place: string) => string,
): I {
  let out = inst;
  if (inst.authentication)
    out = {
      ...out,
      authentication: { ...inst.authentication, password: fn(inst.authentication.password, 'password') },
    };
  if (inst.authHmac)
    out = {
      ...out,
      authHmac: {
        ...inst.authHmac,
        keys: inst.authHmac.keys.map((k) => ({ id: k.id, hex: fn(k.hex, `hmac-key-${k.id}`) })),
      },
    };
  return out;
}

export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

const context = (clusterId: string, instance: string, place: string) => `${clusterId}/${instance}/${place}`;

/** The instance with its secrets sealed (already sealed values are kept). */
export function sealInstanceSecrets<I extends Partial<InstanceSecrets> & { name: string }>(
  inst: I,
  key: Buffer,
  clusterId: string,
): I {
  return mapInstanceSecrets(inst, (v, place) =>
    isSealed(v) ? v : SEALED_PREFIX + sealSecret(key, v, context(clusterId, inst.name, place)),
  );
}

/**
 * The instance with its secrets opened (plain values pass). A value sealed under another secret key
 * (the key file lost or replaced) cannot be opened: refused naming the instance and what to do.
 */
export function openInstanceSecrets<I extends Partial<InstanceSecrets> & { name: string }>(
  inst: I,
  key: Buffer,
  clusterId: string,
): I {
  return mapInstanceSecrets(inst, (v, place) => {
    if (!isSealed(v)) return v;
    try {
      return openSecret(key, v.slice(SEALED_PREFIX.length), context(clusterId, inst.name, place));
    } catch (e) {
      throw new AppError('INTERNAL', {
        message: `the VRRP secrets of instance "${inst.name}" cannot be unsealed with this dashboard's secret key (KEEPWATCH_SECRET_KEY or KEEPWATCH_SECRET_KEY_FILE): they were sealed under another key, which was lost or replaced; restore that key file (docs/operations.md)`,
        cause: e,
      });
    }
  });
}

type WithInstances<I> = { vrrpInstances: I[] };

export function sealSpecSecrets<I extends InstanceSecrets, S extends WithInstances<I>>(
  spec: S,
  key: Buffer,
  clusterId: string,
): S {
  return { ...spec, vrrpInstances: spec.vrrpInstances.map((i) => sealInstanceSecrets(i, key, clusterId)) };
}

export function openSpecSecrets<I extends InstanceSecrets, S extends WithInstances<I>>(
  spec: S,
  key: Buffer,
  clusterId: string,
): S {
  return { ...spec, vrrpInstances: spec.vrrpInstances.map((i) => openInstanceSecrets(i, key, clusterId)) };
}

/** The key that seals spec secrets: the dashboard's secret key (one per process, loaded on first use). */
export function specSecretKey(): Buffer {
  return defaultBootstrapSettings().secretKey();
}

const BATCH = 100;
// Paths of every secret in a stored spec whose value is still plain (jsonpath, PostgreSQL 12+ and PGlite).
const PLAIN_IN_SPEC = `$.vrrpInstances[*] ? (exists(@.authentication.password ? (!(@ starts with "${SEALED_PREFIX}"))) || exists(@.authHmac.keys[*].hex ? (!(@ starts with "${SEALED_PREFIX}"))))`;

/**
 * Seals the secrets that versions before this one stored in clear: in the instance columns and in
 * every stored revision (its content, and so its hash, unchanged). Run at start-up; finds nothing
 * to do after the first run. Bounded: each pass seals what it read, so it ends after at most
 * (rows / batch) passes.
 */
export async function sealStoredSecrets(db: Db, key: Buffer): Promise<{ instances: number; revisions: number }> {
  let instances = 0;
  const rows = await db.vrrpInstance.findMany({
    where: { OR: [{ authPassword: { not: null } }, { authHmac: { not: Prisma.DbNull } }] },
    select: { id: true, clusterId: true, name: true, authPassword: true, authHmac: true },
  });
  for (const r of rows) {
    const inst = {
      name: r.name,
      authentication: r.authPassword === null ? undefined : { type: 'pass' as const, password: r.authPassword },
      authHmac: (r.authHmac ?? undefined) as VrrpInstance['authHmac'],
    };
    const sealed = sealInstanceSecrets(inst, key, r.clusterId);
    if (JSON.stringify(sealed) === JSON.stringify(inst)) continue;
    await db.vrrpInstance.update({
      where: { id: r.id },
      data: { authPassword: sealed.authentication?.password ?? null, authHmac: sealed.authHmac ?? Prisma.DbNull },
    });
    instances++;
  }
  let revisions = 0;
  const total = await db.configRevision.count();
  for (let pass = 0; pass <= total / BATCH; pass++) {
    const batch = await db.$queryRaw<{ id: string; clusterId: string; spec: ClusterSpec }[]>`
      SELECT id::text AS id, "clusterId"::text AS "clusterId", spec FROM "ConfigRevision"
      WHERE jsonb_path_exists(spec, ${PLAIN_IN_SPEC}::jsonpath) LIMIT ${BATCH}`;
    if (batch.length === 0) break;
    for (const r of batch) {
      await db.configRevision.update({
        where: { id: r.id },
        data: { spec: sealSpecSecrets(r.spec, key, r.clusterId) as never },
      });
      revisions++;
    }
  }
  return { instances, revisions };
}
