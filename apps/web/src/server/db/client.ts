/**
 * Opens the dashboard's database: PostgreSQL through `@prisma/adapter-pg` — the server at
 * DATABASE_URL, or without one the embedded server: a PostgreSQL of the dashboard's own on a
 * cluster in the data folder (embedded-server.ts), so a new user sets up no database. Either way
 * the migrations are applied first.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, Prisma } from './generated/client';
import { migrate, pgSession, type MigrateResult, type MigrationFile } from './migrate';

export { pgSession } from './migrate';
import { CLUSTER_DIR, PASSWORD_FILE, startEmbeddedServer } from './embedded-server';
import { importPglite, pgliteImportPending, setPgliteFilesAside } from './pglite-import';

export { PrismaClient, Prisma };

export interface Database {
  prisma: PrismaClient;
  kind: 'postgresql' | 'embedded';
  /** The connection URL (the embedded server's: a unix socket in the data folder). */
  url: string;
  migrations: MigrateResult;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgresql:// URL; absent means the embedded database in `dataDir`. */
  url?: string | undefined;
  /** Folder of the embedded database. */
  dataDir: string;
  /** The embedded server's programs (KEEPWATCH_POSTGRES_BIN); default: the installed PostgreSQL. */
  postgresBin?: string | undefined;
  /** The embedded server exited without being stopped. */
  onEmbeddedServerExit?: ((code: number | null) => void) | undefined;
  /** Pool size for real PostgreSQL. */
  poolMax?: number;
  migrations?: MigrationFile[];
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

/** Applies the migrations on a dedicated connection to `url`. */
export async function migrateUrl(
  url: string,
  opts: Pick<OpenDatabaseOptions, 'migrations' | 'log'> = {},
): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await migrate(pgSession(client), opts);
  } finally {
    await client.end();
  }
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (!opts.url) return openEmbedded(opts);
  const url = opts.url;
  const migrations = await migrateUrl(url, opts);
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: opts.poolMax ?? 10 }) });
  return { prisma, kind: 'postgresql', url, migrations, close: () => prisma.$disconnect() };
}

async function openEmbedded(opts: OpenDatabaseOptions): Promise<Database> {
  const dataDir = resolve(opts.dataDir);
  const log = opts.log ?? (() => {});
  const importing = pgliteImportPending(dataDir);
  if (importing) {
    // A cluster beside PGlite's files without the import's marker is an earlier, unfinished copy.
    rmSync(join(dataDir, CLUSTER_DIR), { recursive: true, force: true });
    rmSync(join(dataDir, PASSWORD_FILE), { force: true });
  }
  const server = await startEmbeddedServer({
    dataDir,
    log,
    binDir: opts.postgresBin,
    onUnexpectedExit: opts.onEmbeddedServerExit,
  });
  try {
    if (importing) await importPglite(dataDir, server.url, opts);
    const moved = setPgliteFilesAside(dataDir);
    if (moved.length > 0) log('PGlite files kept in pglite-backup/ (delete them once the data is checked)', { moved });
    const migrations = await migrateUrl(server.url, opts);
    const adapter = new PrismaPg({ connectionString: server.url, max: opts.poolMax ?? 10 });
    const prisma = new PrismaClient({ adapter });
    return {
      prisma,
      kind: 'embedded',
      url: server.url,
      migrations,
      async close() {
        await prisma.$disconnect();
        await server.stop();
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
