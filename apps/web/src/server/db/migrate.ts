/**
 * The dashboard's own migration step (the Prisma CLI's migrate engine cannot run on hosts without
 * internet access, see STACK-NOTES). It applies the committed `prisma/migrations/<name>/migration.sql`
 * files in name order and records them in `_prisma_migrations` exactly as `prisma migrate deploy`
 * does (checksum = sha256 of the file), so the CLI and this runner can take turns on one database.
 *
 * Two dashboard instances starting together both call it: a session-level advisory lock makes the
 * second wait until the first has finished, then it finds nothing left to do.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClientBase } from 'pg';
import { REPO_DIR } from '../layout';

/** The migrations committed with this version of the dashboard (found from source or from the compiled server). */
export const MIGRATIONS_DIR = join(REPO_DIR, 'prisma', 'migrations');

/** pg_advisory_lock key of the migration step ("kwmg"); any constant unique to Keepwatch would do. */
export const MIGRATION_LOCK_KEY = 0x6b776d67;

/** The little a migration needs from a database session: one connection, in order. */
export interface SqlSession {
  /** A parameterised statement; resolves to its rows. */
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** A script of one or more statements without parameters. */
  exec(sql: string): Promise<void>;
}

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

interface MigrationRow extends Record<string, unknown> {
  migration_name: string;
  checksum: string;
  finished_at: Date | string | null;
}

/** Reads the migration folders in order. */
export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const out: MigrationFile[] = [];
  for (const name of names) {
    const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8');
    out.push({ name, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return out;
}

// The table `prisma migrate` creates, column for column, so either tool can continue the history.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/**
 * Applies every migration not yet applied, each in its own transaction, under the advisory lock.
 * Throws (and applies nothing further) when an applied migration's file has changed since, when an
 * earlier migration is recorded as failed, or when a migration's SQL fails (that one is rolled back).
 */
export async function migrate(
  session: SqlSession,
  opts: { migrations?: MigrationFile[]; log?: (msg: string, fields?: Record<string, unknown>) => void } = {},
): Promise<MigrateResult> {
  const migrations = opts.migrations ?? (await readMigrations());
  const log = opts.log ?? (() => {});
  await session.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})::text AS locked`);
  try {
    await session.exec(CREATE_MIGRATIONS_TABLE);
    const rows = await session.query<MigrationRow>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL ORDER BY started_at',
    );
    const failed = rows.find((r) => r.finished_at === null);
    if (failed) {
      throw new Error(
        `migration ${failed.migration_name} failed earlier and is not rolled back; fix the database, then mark it rolled back`,
      );
    }
    const done = new Map(rows.map((r) => [r.migration_name, r.checksum]));
    const result: MigrateResult = { applied: [], alreadyApplied: [] };
    for (const m of migrations) {
      const checksum = done.get(m.name);
      if (checksum !== undefined) {
        if (checksum !== m.checksum) {
          throw new Error(
            `migration ${m.name} was changed after it was applied (checksum ${checksum} in the database, ${m.checksum} on disk)`,
          );
        }
        result.alreadyApplied.push(m.name);
        continue;
      }
      await session.exec('BEGIN');
      try {
        await session.exec(m.sql);
        await session.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await session.exec('COMMIT');
      } catch (err) {
        await session.exec('ROLLBACK');
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      log('migration applied', { migration: m.name });
      result.applied.push(m.name);
    }
    const known = new Set(migrations.map((m) => m.name));
    const unknown = rows.filter((r) => !known.has(r.migration_name)).map((r) => r.migration_name);
    if (unknown.length > 0)
      log('database has migrations this version does not know (newer dashboard?)', { migrations: unknown });
    return result;
  } finally {
    await session.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})::text AS unlocked`);
  }
}

/** A `SqlSession` on one pg client (one server session, so the advisory lock holds). */
export function pgSession(client: Pick<ClientBase, 'query'>): SqlSession {
  return {
    async query(sql, params) {
      return (await client.query(sql, params as unknown[] | undefined)).rows;
    },
    async exec(sql) {
      await client.query(sql);
    },
  };
}
