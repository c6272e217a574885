/**
 * The shared shape of the config areas (VRRP instances, health checks, pools, virtual servers):
 * create, full-replace update and delete, each guarded by the version the edit was based on,
 * each followed by a new config revision and an audit record in the same transaction.
 */
import type { ClusterSpecInput } from '@keepwatch/shared';
import { Prisma } from '../db/client';
import { AppError, notFound, staleVersion } from '../errors';
import { writeAudit } from './audit';
import { commitRevision, loadCluster, loadClusterSpec, lockCluster, type LoadedCluster } from './revisions';
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
  /** Takes lockCluster's lock on the cluster of row `id`, in one statement; its id, or null when there is no such row. */
  lockClusterOf(tx: Tx, id: string): Promise<string | null>;
  /** Bumps the version if it is still `version`; returns the row as bumped, or null when none matched. */
  bump(tx: Tx, id: string, version: number): Promise<AreaRow | null>;
  insert(tx: Tx, clusterId: string, obj: T): Promise<{ id: string }>;
  replace(tx: Tx, clusterId: string, id: string, obj: T): Promise<void>;
  remove(tx: Tx, id: string): Promise<void>;
  /** Refuses a delete that would leave a dangling reference (with a message that says which). */
  beforeDelete?(tx: Tx, id: string): Promise<void>;
  /** What the audit record shows of an object (e.g. without secrets). */
  redact?(obj: unknown): unknown;
  /**
   * True when the rows `replace` writes for an object read back (loadClusterSpec) as that object
   * and as nothing else changed in the spec, as long as its name stays: an update then puts it
   * into the spec read before the change instead of reading the cluster again. (Not instances:
   * their secrets are sealed on the way in and opened on the way out.)
   */
  readsBackAsGiven?: boolean;
}

/** The Prisma models of the area tables: named, versioned rows per cluster. */
type AreaModel = 'node' | 'vrrpInstance' | 'healthCheck' | 'upstreamPool' | 'virtualServer';

/** The SQL table of each area model (for the lock taken by a row's id). */
const SQL_TABLE: Record<AreaModel, string> = {
  node: 'Node',
  vrrpInstance: 'VrrpInstance',
  healthCheck: 'HealthCheck',
  upstreamPool: 'UpstreamPool',
  virtualServer: 'VirtualServer',
};

/** What `rowAccess` calls on an area model; Prisma's delegates are each their own type, so they are read through this. */
interface AreaDelegate {
  findUnique(args: { where: object; select: object }): Promise<unknown>;
  findMany(args: { where: object; select: object; orderBy: object }): Promise<unknown[]>;
  updateMany(args: { where: object; data: object }): Promise<{ count: number }>;
  updateManyAndReturn(args: { where: object; data: object; select: object }): Promise<unknown[]>;
  delete(args: { where: { id: string } }): Promise<unknown>;
}

const rowSelect = { id: true, clusterId: true, name: true, version: true } as const;

/** An area's row reads and writes on its Prisma model: by id, by name in the cluster, in name order, version bump, delete. */
export function rowAccess(
  model: AreaModel,
): Pick<AreaTable<unknown, string>, 'find' | 'findByName' | 'listRows' | 'lockClusterOf' | 'bump' | 'remove'> {
  const table = (db: Tx | Db) => db[model] as unknown as AreaDelegate;
  const sqlTable = Prisma.raw(`"${SQL_TABLE[model]}"`);
  return {
    find: async (tx, id) => (await table(tx).findUnique({ where: { id }, select: rowSelect })) as AreaRow | null,
    findByName: async (tx, clusterId, name) =>
      (await table(tx).findUnique({ where: { clusterId_name: { clusterId, name } }, select: { id: true } })) as {
        id: string;
      } | null,
    listRows: async (db, clusterId) =>
      (await table(db).findMany({ where: { clusterId }, select: rowSelect, orderBy: { name: 'asc' } })) as AreaRow[],
    lockClusterOf: async (tx, id) => {
      // The row's clusterId never changes, so reading it in the same statement as the lock is safe.
      const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM "Cluster"
        WHERE id = (SELECT "clusterId" FROM ${sqlTable} WHERE id = ${id}::uuid) FOR NO KEY UPDATE`;
      return rows[0]?.id ?? null;
    },
    bump: async (tx, id, version) => {
      const rows = await table(tx).updateManyAndReturn({
        where: { id, version },
        data: { version: { increment: 1 } },
        select: rowSelect,
      });
      return (rows[0] as AreaRow | undefined) ?? null;
    },
    remove: async (tx, id) => void (await table(tx).delete({ where: { id } })),
  };
}

export interface MutationResult {
  id: string;
  version: number;
  /** The config revision the change produced; null while the cluster has no nodes. */
  revision: number | null;
}

function specItem(spec: ClusterSpecInput, key: SpecKey, name: string): unknown {
  return (spec[key] as SpecItem<SpecKey>[] | undefined)?.find((o) => o.name === name) ?? null;
}

/** `cluster` with the item named `name` of area `key` replaced by `obj` (same name), or removed when `obj` is null. */
function withItem(cluster: LoadedCluster, key: SpecKey, name: string, obj: { name: string } | null): LoadedCluster {
  const items = (cluster.spec[key] ?? []) as { name: string }[];
  const next = obj ? items.map((o) => (o.name === name ? obj : o)) : items.filter((o) => o.name !== name);
  return { ...cluster, spec: { ...cluster.spec, [key]: next } };
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

  /**
   * Locks the row's cluster, then bumps the row's version if it is still `version` (the edit was
   * based on the row as it is): the row (with its new version) and its cluster, read under the lock.
   */
  async function claim(tx: Tx, id: string, version: number): Promise<{ row: AreaRow; cluster: LoadedCluster }> {
    const clusterId = await table.lockClusterOf(tx, id);
    if (clusterId === null) throw notFound(table.what);
    // The guarded update runs under the lock, so a writer that held it has committed: its change
    // of the version (or its delete) makes nothing match, and the edit is refused.
    const bumped = await table.bump(tx, id, version);
    if (!bumped) {
      const now = await table.find(tx, id);
      if (!now) throw notFound(table.what);
      throw staleVersion(table.what, version, now.version);
    }
    return { row: bumped, cluster: await loadCluster(tx, clusterId) };
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
      const summary = `${table.what} ${input.obj.name} created`;
      const revision = await commitRevision(
        tx,
        actor,
        input.clusterId,
        summary,
        await loadCluster(tx, input.clusterId),
      );
      await writeAudit(tx, actor, {
        action: `${table.targetType}.create`,
        targetType: table.targetType,
        targetId: row.id,
        after: { clusterId: input.clusterId, [table.field]: redact(input.obj), revision: revision?.number ?? null },
      });
      return { id: row.id, version: 1, revision: revision?.number ?? null };
    },

    async update(tx: Tx, actor: Actor, input: { id: string; version: number; obj: T }): Promise<MutationResult> {
      const { row, cluster } = await claim(tx, input.id, input.version);
      const before = specItem(cluster.spec, table.specKey, row.name);
      const renamed = input.obj.name !== row.name;
      // Names are unique per cluster (the table's constraint): a name kept is still free.
      if (renamed) await ensureNameFree(tx, row.clusterId, input.obj.name, row.id);
      await table.replace(tx, row.clusterId, row.id, input.obj);
      // A rename moves the object in the name order and follows into references (a location's
      // pool, a tracked check): read the cluster again then.
      const after =
        table.readsBackAsGiven && !renamed
          ? withItem(cluster, table.specKey, row.name, input.obj)
          : await loadCluster(tx, row.clusterId);
      const revision = await commitRevision(tx, actor, row.clusterId, `${table.what} ${input.obj.name} updated`, after);
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
      const { row, cluster } = await claim(tx, input.id, input.version);
      const before = specItem(cluster.spec, table.specKey, row.name);
      await table.beforeDelete?.(tx, row.id);
      await table.remove(tx, row.id);
      // The object's rows went with it (and beforeDelete refused one still referenced): the
      // cluster read before, without it, is what the tables now hold.
      const after = withItem(cluster, table.specKey, row.name, null);
      const revision = await commitRevision(tx, actor, row.clusterId, `${table.what} ${row.name} deleted`, after);
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
