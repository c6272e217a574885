/**
 * The shared shape of the config areas (VRRP instances, health checks, pools, virtual servers):
 * create, full-replace update and delete, each guarded by the version the edit was based on,
 * each followed by a new config revision and an audit record in the same transaction.
 */
import type { ClusterSpecInput } from '@keepwatch/shared';
import { AppError, notFound, staleVersion } from '../errors';
import { writeAudit } from './audit';
import { commitRevision, loadClusterSpec, lockCluster } from './revisions';
import type { Actor, Db, Tx } from './types';

type SpecKey = 'nodes' | 'vrrpInstances' | 'checks' | 'pools' | 'virtualServers';
type SpecItem<K extends SpecKey> = NonNullable<ClusterSpecInput[K]>[number];

export interface AreaRow {
  id: string;
  clusterId: string;
  name: string;
  version: number;
}

export interface AreaTable<T, K extends string, X extends object = object> {
  /** "pool", "VRRP instance": for messages. */
  what: string;
  /** Audit target type and action prefix: `pool` → `pool.create`. */
  targetType: string;
  /** The input field holding the object (`pool`), for error paths. */
  field: K;
  specKey: SpecKey;
  find(tx: Tx | Db, id: string): Promise<AreaRow | null>;
  findByName(tx: Tx, clusterId: string, name: string): Promise<{ id: string } | null>;
  /** The rows in order; fields beside id, name and version are passed through to the list. */
  listRows(db: Db | Tx, clusterId: string): Promise<({ id: string; name: string; version: number } & X)[]>;
  /** Bumps the version if it is still `version`; returns how many rows matched (0 or 1). */
  bump(tx: Tx, id: string, version: number): Promise<number>;
  insert(tx: Tx, clusterId: string, obj: T): Promise<{ id: string }>;
  replace(tx: Tx, clusterId: string, id: string, obj: T): Promise<void>;
  remove(tx: Tx, id: string): Promise<void>;
  /** Refuses a delete that would leave a dangling reference (with a message that says which). */
  beforeDelete?(tx: Tx, id: string): Promise<void>;
  /** What the audit record shows of an object (e.g. without secrets). */
  redact?(obj: unknown): unknown;
}

/** The Prisma models of the area tables: named, versioned rows per cluster. */
type AreaModel = 'node' | 'vrrpInstance' | 'healthCheck' | 'upstreamPool' | 'virtualServer';

/** What `rowAccess` calls on an area model; Prisma's delegates are each their own type, so they are read through this. */
interface AreaDelegate {
  findUnique(args: { where: object; select: object }): Promise<unknown>;
  findMany(args: { where: object; select: object; orderBy: object }): Promise<unknown[]>;
  updateMany(args: { where: object; data: object }): Promise<{ count: number }>;
  delete(args: { where: { id: string } }): Promise<unknown>;
}

const rowSelect = { id: true, clusterId: true, name: true, version: true } as const;

/** An area's row reads and writes on its Prisma model: by id, by name in the cluster, in name order, version bump, delete. */
export function rowAccess(
  model: AreaModel,
): Pick<AreaTable<unknown, string>, 'find' | 'findByName' | 'listRows' | 'bump' | 'remove'> {
  const table = (db: Tx | Db) => db[model] as unknown as AreaDelegate;
  return {
    find: async (tx, id) => (await table(tx).findUnique({ where: { id }, select: rowSelect })) as AreaRow | null,
    findByName: async (tx, clusterId, name) =>
      (await table(tx).findUnique({ where: { clusterId_name: { clusterId, name } }, select: { id: true } })) as {
        id: string;
      } | null,
    listRows: async (db, clusterId) =>
      (await table(db).findMany({ where: { clusterId }, select: rowSelect, orderBy: { name: 'asc' } })) as AreaRow[],
    bump: async (tx, id, version) =>
      (await table(tx).updateMany({ where: { id, version }, data: { version: { increment: 1 } } })).count,
    remove: async (tx, id) => void (await table(tx).delete({ where: { id } })),
  };
}

export interface MutationResult {
  id: string;
  version: number;
  /** The config revision the change produced; null while the cluster has no nodes. */
  revision: number | null;
}

async function specItem(tx: Tx | Db, clusterId: string, key: SpecKey, name: string): Promise<unknown> {
  const spec = await loadClusterSpec(tx, clusterId);
  return (spec[key] as SpecItem<SpecKey>[] | undefined)?.find((o) => o.name === name) ?? null;
}

export function configArea<T extends { name: string }, K extends string, X extends object = object>(
  table: AreaTable<T, K, X>,
) {
  const redact = table.redact ?? ((o: unknown) => o);

  async function ensureNameFree(tx: Tx, clusterId: string, name: string, exceptId?: string) {
    const other = await table.findByName(tx, clusterId, name);
    if (other && other.id !== exceptId) {
      throw new AppError('CONFLICT', {
        field: `${table.field}.name`,
        message: `a ${table.what} named "${name}" already exists in this cluster`,
      });
    }
  }

  async function current(tx: Tx, id: string, version: number): Promise<AreaRow> {
    const found = await table.find(tx, id);
    if (!found) throw notFound(table.what);
    await lockCluster(tx, found.clusterId);
    // Read again under the lock: a writer that held it may have changed or removed the row.
    const row = await table.find(tx, id);
    if (!row) throw notFound(table.what);
    if (row.version !== version) throw staleVersion(table.what, version, row.version);
    return row;
  }

  async function bump(tx: Tx, row: AreaRow, version: number): Promise<void> {
    // The guarded update is what makes the check race-free: between the read above and here
    // another writer may have committed; then nothing matches and the edit is refused.
    if ((await table.bump(tx, row.id, version)) === 0) {
      const now = await table.find(tx, row.id);
      if (!now) throw notFound(table.what);
      throw staleVersion(table.what, version, now.version);
    }
  }

  return {
    async list(
      db: Db,
      clusterId: string,
    ): Promise<({ id: string; version: number } & Omit<X, 'name'> & Record<K, T>)[]> {
      const [rows, spec] = await Promise.all([table.listRows(db, clusterId), loadClusterSpec(db, clusterId)]);
      const items = new Map(((spec[table.specKey] ?? []) as SpecItem<SpecKey>[]).map((o) => [o.name, o]));
      return rows.map(
        ({ name, ...rest }) =>
          ({ ...rest, [table.field]: items.get(name) as unknown as T }) as { id: string; version: number } & Omit<
            X,
            'name'
          > &
            Record<K, T>,
      );
    },

    async create(tx: Tx, actor: Actor, input: { clusterId: string; obj: T }): Promise<MutationResult> {
      await lockCluster(tx, input.clusterId);
      await ensureNameFree(tx, input.clusterId, input.obj.name);
      const row = await table.insert(tx, input.clusterId, input.obj);
      const revision = await commitRevision(tx, actor, input.clusterId, `${table.what} ${input.obj.name} created`);
      await writeAudit(tx, actor, {
        action: `${table.targetType}.create`,
        targetType: table.targetType,
        targetId: row.id,
        after: { clusterId: input.clusterId, [table.field]: redact(input.obj), revision: revision?.number ?? null },
      });
      return { id: row.id, version: 1, revision: revision?.number ?? null };
    },

    async update(tx: Tx, actor: Actor, input: { id: string; version: number; obj: T }): Promise<MutationResult> {
      const row = await current(tx, input.id, input.version);
      const before = await specItem(tx, row.clusterId, table.specKey, row.name);
      await bump(tx, row, input.version);
      await ensureNameFree(tx, row.clusterId, input.obj.name, row.id);
      await table.replace(tx, row.clusterId, row.id, input.obj);
      const revision = await commitRevision(tx, actor, row.clusterId, `${table.what} ${input.obj.name} updated`);
      await writeAudit(tx, actor, {
        action: `${table.targetType}.update`,
        targetType: table.targetType,
        targetId: row.id,
        before: { [table.field]: redact(before), version: input.version },
        after: { [table.field]: redact(input.obj), version: input.version + 1, revision: revision?.number ?? null },
      });
      return { id: row.id, version: input.version + 1, revision: revision?.number ?? null };
    },

    async delete(tx: Tx, actor: Actor, input: { id: string; version: number }): Promise<MutationResult> {
      const row = await current(tx, input.id, input.version);
      const before = await specItem(tx, row.clusterId, table.specKey, row.name);
      await bump(tx, row, input.version);
      await table.beforeDelete?.(tx, row.id);
      await table.remove(tx, row.id);
      const revision = await commitRevision(tx, actor, row.clusterId, `${table.what} ${row.name} deleted`);
      await writeAudit(tx, actor, {
        action: `${table.targetType}.delete`,
        targetType: table.targetType,
        targetId: row.id,
        before: { [table.field]: redact(before), version: input.version },
        after: { revision: revision?.number ?? null },
      });
      return { id: row.id, version: input.version + 1, revision: revision?.number ?? null };
    },
  };
}
