/**
 * The append-only audit log with a hash chain. Every record carries the hash of the one before
 * it; `verifyAuditChain` recomputes the chain and reports the first broken link.
 *
 * Writers serialize on a transaction-level advisory lock taken before reading the chain's head,
 * so two dashboard instances writing at once still produce one line (seq 1, 2, 3, …) rather than
 * two records claiming the same predecessor. The lock is held until the writer's transaction ends,
 * which is also when its record becomes visible to the next writer.
 */
import { createHash } from 'node:crypto';
import { Prisma } from '../db/client';
import { canonicalJson, toJsonValue } from './canonical-json';
import { actorId, actorName, type Actor, type Db, type Tx } from './types';

/** pg_advisory_xact_lock key of the audit chain ("kwau"). */
export const AUDIT_LOCK_KEY = 0x6b776175;
/** The predecessor hash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  /** Dotted verb, `pool.update`, `auth.login.failed`, `failover.promote`. */
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditRecord {
  seq: number;
  at: Date;
  actorId: string | null;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  sourceAddress: string | null;
  prevHash: string;
  hash: string;
}

type HashedFields = Omit<AuditRecord, 'hash'>;

/** The hash of one record: sha256 over the canonical JSON of every field but the hash itself. */
export function auditHash(r: HashedFields): string {
  const body = canonicalJson({
    seq: String(r.seq),
    at: r.at.toISOString(),
    actorId: r.actorId,
    actor: r.actor,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    before: r.before,
    after: r.after,
    sourceAddress: r.sourceAddress,
    prevHash: r.prevHash,
  });
  return createHash('sha256').update(body).digest('hex');
}

/** A Json? column value: SQL NULL for null (Prisma's DbNull marker). */
function jsonOrNull(v: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return v === undefined || v === null ? Prisma.DbNull : (v as Prisma.InputJsonValue);
}

/**
 * Appends one record in the caller's transaction. Call it from the same `$transaction` as the
 * change it records: when the transaction rolls back, so does the record.
 */
export async function writeAudit(
  tx: Tx,
  actor: Actor,
  entry: AuditEntry,
  now: Date = new Date(),
): Promise<AuditRecord> {
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
  const head = await tx.auditLog.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  const fields: HashedFields = {
    seq: head ? Number(head.seq) + 1 : 1,
    at: now,
    actorId: actorId(actor),
    actor: actorName(actor),
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    before: entry.before === undefined ? null : toJsonValue(entry.before),
    after: entry.after === undefined ? null : toJsonValue(entry.after),
    sourceAddress: actor.sourceAddress,
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  const hash = auditHash(fields);
  await tx.auditLog.create({
    data: {
      ...fields,
      seq: BigInt(fields.seq),
      before: jsonOrNull(fields.before),
      after: jsonOrNull(fields.after),
      hash,
    },
  });
  return { ...fields, hash };
}

type AuditRow = Awaited<ReturnType<Db['auditLog']['findFirstOrThrow']>>;

function fromRow(r: AuditRow): AuditRecord {
  return { ...r, seq: Number(r.seq), before: r.before ?? null, after: r.after ?? null };
}

export type VerifyResult =
  | { ok: true; count: number; headHash: string }
  | {
      ok: false;
      count: number;
      brokenAt: number;
      reason: 'gap' | 'prev-hash-mismatch' | 'hash-mismatch';
      detail: string;
    };

/**
 * Walks the whole chain in order and reports the first record that does not follow from its
 * predecessor: a missing seq, a `prevHash` that is not the previous record's hash, or a record
 * whose content no longer matches its own hash.
 */
export async function verifyAuditChain(db: Db | Tx, batch = 1000): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let count = 0;
  for (;;) {
    const rows = await db.auditLog.findMany({
      where: { seq: { gte: BigInt(expectedSeq) } },
      orderBy: { seq: 'asc' },
      take: batch,
    });
    if (rows.length === 0) return { ok: true, count, headHash: prev };
    for (const row of rows) {
      const r = fromRow(row);
      if (r.seq !== expectedSeq)
        return {
          ok: false,
          count,
          brokenAt: expectedSeq,
          reason: 'gap',
          detail: `record ${expectedSeq} is missing (next is ${r.seq})`,
        };
      if (r.prevHash !== prev)
        return {
          ok: false,
          count,
          brokenAt: r.seq,
          reason: 'prev-hash-mismatch',
          detail: `record ${r.seq} does not point at record ${r.seq - 1}`,
        };
      if (auditHash(r) !== r.hash)
        return {
          ok: false,
          count,
          brokenAt: r.seq,
          reason: 'hash-mismatch',
          detail: `record ${r.seq} was changed after it was written`,
        };
      prev = r.hash;
      expectedSeq++;
      count++;
    }
  }
}

export interface AuditListInput {
  /** Records older than this seq (paging backwards from the newest). */
  before?: number | undefined;
  limit: number;
  targetType?: string | undefined;
  targetId?: string | undefined;
  /** Exact actor name (`admin`, `system:auth`). */
  actor?: string | undefined;
  /** An action or the start of one: `pool.update`, or `pool.` for every pool action. */
  action?: string | undefined;
  /** Records about the cluster or anything in it (see `clusterWhere`). */
  clusterId?: string | undefined;
  /** Time range, inclusive from, exclusive to. */
  from?: Date | undefined;
  to?: Date | undefined;
}

/**
 * Audit records carry no cluster column (the chain's fields are fixed), so "about this cluster"
 * means: the cluster itself, every object in it now, and every object whose create record names
 * the cluster (`after.clusterId`), so the records of an object deleted since still count. Not
 * found: records of an object that came with the cluster's import and was deleted later.
 */
async function clusterWhere(db: Db, clusterId: string): Promise<Prisma.AuditLogWhereInput> {
  const sel = { where: { clusterId }, select: { id: true } } as const;
  const [nodes, instances, checks, pools, virtualServers, created] = await Promise.all([
    db.node.findMany(sel),
    db.vrrpInstance.findMany(sel),
    db.healthCheck.findMany(sel),
    db.upstreamPool.findMany(sel),
    db.virtualServer.findMany(sel),
    db.auditLog.findMany({
      where: { after: { path: ['clusterId'], equals: clusterId }, targetId: { not: null } },
      distinct: ['targetId'],
      select: { targetId: true },
    }),
  ]);
  const ids = new Set([
    clusterId,
    ...[nodes, instances, checks, pools, virtualServers].flat().map((r) => r.id),
    ...created.map((r) => r.targetId as string),
  ]);
  return { targetId: { in: [...ids] } };
}

/**
 * Failed sign-ins name what was typed as the user name — often a password typed in the wrong
 * field — so only admins see them (issue #15 finding 8).
 */
export const ADMIN_ONLY_ACTIONS = ['auth.login.failed'] as const;

export async function listAudit(
  db: Db,
  input: AuditListInput,
  opts: { admin: boolean } = { admin: true },
): Promise<{ records: AuditRecord[]; nextBefore: number | null }> {
  const at = {
    ...(input.from !== undefined ? { gte: input.from } : {}),
    ...(input.to !== undefined ? { lt: input.to } : {}),
  };
  const rows = await db.auditLog.findMany({
    where: {
      ...(input.before !== undefined ? { seq: { lt: BigInt(input.before) } } : {}),
      ...(input.targetType !== undefined ? { targetType: input.targetType } : {}),
      ...(input.targetId !== undefined ? { targetId: input.targetId } : {}),
      ...(input.actor !== undefined ? { actor: input.actor } : {}),
      ...(input.action !== undefined ? { action: { startsWith: input.action } } : {}),
      ...(opts.admin ? {} : { NOT: { action: { in: [...ADMIN_ONLY_ACTIONS] } } }),
      ...(Object.keys(at).length > 0 ? { at } : {}),
      ...(input.clusterId !== undefined ? await clusterWhere(db, input.clusterId) : {}),
    },
    orderBy: { seq: 'desc' },
    take: input.limit,
  });
  const records = rows.map(fromRow);
  const last = records.at(-1);
  return { records, nextBefore: records.length === input.limit && last ? last.seq : null };
}

/** The actors and actions that occur in the log, for the filter pickers. */
export async function auditFacets(
  db: Db,
  opts: { admin: boolean } = { admin: true },
): Promise<{ actors: string[]; actions: string[] }> {
  const where = opts.admin ? {} : { NOT: { action: { in: [...ADMIN_ONLY_ACTIONS] } } };
  const [actors, actions] = await Promise.all([
    db.auditLog.findMany({ where, distinct: ['actor'], select: { actor: true }, orderBy: { actor: 'asc' } }),
    db.auditLog.findMany({ where, distinct: ['action'], select: { action: true }, orderBy: { action: 'asc' } }),
  ]);
  return { actors: actors.map((a) => a.actor), actions: actions.map((a) => a.action) };
}
