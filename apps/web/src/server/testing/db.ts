/**
 * Per-file test databases on the run's PostgreSQL server (test/global-setup.ts): a fresh database
 * with the migrations applied, dropped again after the file.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../db/client';
import { pgUrl } from '../../../test/postgres';
import '../../../test/provided';

export interface TestDatabase extends Database {
  url: string;
  name: string;
  /** Drops the database (closing this client first). */
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: pgUrl(inject('pg'), 'postgres') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** An empty database (no migrations). */
export async function createEmptyDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `kw_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    url: pgUrl(inject('pg'), name),
    name,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A migrated database and a Prisma client on it. */
export async function createTestDatabase(poolMax = 5): Promise<TestDatabase> {
  const empty = await createEmptyDatabase();
  const db = await openDatabase({ url: empty.url, dataDir: '/nonexistent', poolMax });
  return {
    ...db,
    url: empty.url,
    name: empty.name,
    async drop() {
      await db.close();
      await empty.drop();
    },
  };
}
