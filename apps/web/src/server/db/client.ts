/**
 * Opens the dashboard's database: real PostgreSQL through `@prisma/adapter-pg` when a URL is
 * given, otherwise the embedded PGlite (PostgreSQL compiled to WebAssembly) in a local folder, so
 * a new user needs no database server. Either way the migrations are applied first.
 */
import { mkdir } from 'node:fs/promises';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient, Prisma } from './generated/client';
import { migrate, type MigrateResult, type MigrationFile, type SqlSession } from './migrate';

export { PrismaClient, Prisma };

export interface Database {
  prisma: PrismaClient;
  kind: 'postgresql' | 'embedded';
  migrations: MigrateResult;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgresql:// URL; absent means the embedded database in `dataDir`. */
  url?: string | undefined;
  /** Folder of the embedded database. */
  dataDir: string;
  /** Pool size for real PostgreSQL. */
  poolMax?: number;
  migrations?: MigrationFile[];
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

/** A `SqlSession` on one pg client (one server session, so the advisory lock holds). */
export function pgSession(client: pg.ClientBase): SqlSession {
  return {
    async query(sql, params) {
      return (await client.query(sql, params as unknown[] | undefined)).rows;
    },
    async exec(sql) {
      await client.query(sql);
    },
  };
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
  if (opts.url) {
    const migrations = await migrateUrl(opts.url, opts);
    const adapter = new PrismaPg({ connectionString: opts.url, max: opts.poolMax ?? 10 });
    const prisma = new PrismaClient({ adapter });
    return { prisma, kind: 'postgresql', migrations, close: () => prisma.$disconnect() };
  }
  await mkdir(opts.dataDir, { recursive: true });
  const lite = await PGlite.create(opts.dataDir);
  const session: SqlSession = {
    async query(sql, params) {
      return (await lite.query(sql, params)).rows as never[];
    },
    async exec(sql) {
      await lite.exec(sql);
    },
  };
  const migrations = await migrate(session, opts);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
  return {
    prisma,
    kind: 'embedded',
    migrations,
    async close() {
      await prisma.$disconnect();
      await lite.close();
    },
  };
}
