/**
 * Earlier versions kept the embedded database in PGlite (PostgreSQL compiled to WebAssembly, in
 * process), its files at the top of the data folder. The first start of this version copies
 * that database into the embedded server, row for row, then keeps the PGlite files aside in
 * `pglite-backup/` for the operator to delete once satisfied: nothing is lost, nothing is
 * rewritten in place.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { migrate, pgSession, readMigrations, type MigrationFile } from './migrate';

/** Written once the copy is complete (the commit point: before it, a start copies again from scratch). */
export const IMPORTED_MARKER = 'pglite-imported.json';
export const BACKUP_DIR = 'pglite-backup';

const PGLITE_FILES = new Set(['PG_VERSION', 'base', 'global', 'postgresql.conf', 'postgresql.auto.conf']);
const PGLITE_FILES_TOO = new Set(['postmaster.pid', 'postmaster.opts']);

/** PGlite's files: a PostgreSQL data directory's top-level names. */
function isPgliteEntry(name: string): boolean {
  return PGLITE_FILES.has(name) || PGLITE_FILES_TOO.has(name) || name.startsWith('pg_');
}

/** True when the data folder holds a PGlite database not yet copied into the embedded server. */
export function pgliteImportPending(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION')) && !existsSync(join(dataDir, IMPORTED_MARKER));
}

/** Moves PGlite's files (left after a completed import) into `pglite-backup/`. */
export function setPgliteFilesAside(dataDir: string): string[] {
  if (!existsSync(join(dataDir, IMPORTED_MARKER))) return [];
  const moved = readdirSync(dataDir).filter(isPgliteEntry);
  if (moved.length === 0) return [];
  mkdirSync(join(dataDir, BACKUP_DIR), { recursive: true, mode: 0o700 });
  for (const name of moved) renameSync(join(dataDir, name), join(dataDir, BACKUP_DIR, name));
  return moved;
}

const quote = (ident: string) => `"${ident.replace(/"/g, '""')}"`;
const BATCH_ROWS = 500;

export interface PgliteImport {
  tables: Record<string, number>;
  migrations: number;
}

/**
 * Copies the PGlite database of `dataDir` into the (empty, freshly created) database at `url`:
 * the same migrations first, so both schemas match, then every table's rows in one transaction
 * with triggers and foreign keys set aside (`session_replication_role = replica`: the rows are
 * already valid, and the audit chain's hashes are kept as they are), then the sequences. The
 * copy is checked table by table (row counts) before it commits; the marker is written after.
 */
export async function importPglite(
  dataDir: string,
  url: string,
  opts: { migrations?: MigrationFile[]; log?: (msg: string, fields?: Record<string, unknown>) => void } = {},
): Promise<PgliteImport> {
  const log = opts.log ?? (() => {});
  const known = opts.migrations ?? (await readMigrations());
  const lite = await PGlite.create(dataDir);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const hasHistory =
      (await lite.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = '_prisma_migrations'`))
        .rows.length > 0;
    const applied = hasHistory
      ? (
          await lite.query<{ name: string }>(
            'SELECT migration_name AS name FROM "_prisma_migrations" WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL',
          )
        ).rows.map((r) => r.name)
      : [];
    const unknown = applied.filter((name) => !known.some((m) => m.name === name));
    if (unknown.length > 0) {
      throw new Error(
        `the PGlite database in ${dataDir} was written by a newer dashboard (migrations ${unknown.join(', ')}): start that version, or set DATABASE_URL`,
      );
    }
    const session = pgSession(client);
    await migrate(session, { migrations: known.filter((m) => applied.includes(m.name)) });
    const tables = (
      await lite.query<{ t: string }>(
        `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`,
      )
    ).rows.map((r) => r.t);
    const counts: Record<string, number> = {};
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL session_replication_role = replica');
      for (const table of tables) counts[table] = await copyTable(lite, client, table);
      await copySequences(lite, client);
      for (const table of tables) {
        const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quote(table)}`);
        if (Number(rows[0]?.n) !== counts[table]) {
          throw new Error(`copying ${table} from PGlite: ${counts[table]} rows read, ${rows[0]?.n} written`);
        }
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
    const result = { tables: counts, migrations: applied.length };
    writeFileSync(join(dataDir, IMPORTED_MARKER), `${JSON.stringify({ at: new Date().toISOString(), ...result })}\n`, {
      mode: 0o600,
    });
    log('copied the PGlite database into the embedded server', result);
    return result;
  } finally {
    await client.end().catch(() => {});
    await lite.close();
  }
}

async function copyTable(lite: PGlite, client: pg.Client, table: string): Promise<number> {
  let copied = 0;
  // Bounded: a table has at most its row count of batches; an empty batch ends it.
  for (let batch = 0; batch < 10_000_000; batch++) {
    const { rows } = await lite.query<{ r: string }>(
      `SELECT row_to_json(t)::text AS r FROM ${quote(table)} t ORDER BY ctid LIMIT ${BATCH_ROWS} OFFSET ${copied}`,
    );
    if (rows.length === 0) break;
    await client.query(`INSERT INTO ${quote(table)} SELECT * FROM json_populate_recordset(NULL::${quote(table)}, $1)`, [
      `[${rows.map((r) => r.r).join(',')}]`,
    ]);
    copied += rows.length;
  }
  return copied;
}

async function copySequences(lite: PGlite, client: pg.Client): Promise<void> {
  const { rows } = await lite.query<{ name: string; last: string | null }>(
    `SELECT sequencename AS name, last_value::text AS last FROM pg_sequences WHERE schemaname = 'public'`,
  );
  for (const s of rows) {
    if (s.last !== null) await client.query('SELECT setval($1, $2::bigint, true)', [quote(s.name), s.last]);
  }
}
