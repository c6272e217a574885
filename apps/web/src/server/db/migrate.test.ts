import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrateUrl, pgSession } from './client';
import { MIGRATION_LOCK_KEY, migrate, readMigrations, type MigrateResult } from './migrate';
import { createEmptyDatabase } from '../testing/db';

const webDir = fileURLToPath(new URL('../../../', import.meta.url));

function migrateInChildProcess(url: string): Promise<MigrateResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/testing/migrate-once.ts', url], {
      cwd: webDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as MigrateResult) : reject(new Error(`migrate-once exited ${code}: ${err}`)),
    );
  });
}

describe('migrations', () => {
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const d of drops) await d();
  });

  describe('on an empty database', () => {
    let url: string;
    beforeAll(async () => {
      const db = await createEmptyDatabase();
      drops.push(db.drop);
      url = db.url;
    });

    it('applies every committed migration and records it as prisma migrate does (sha256 checksum)', async () => {
      const files = await readMigrations();
      const r = await migrateUrl(url);
      expect(r.applied).toEqual(files.map((f) => f.name));
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        const rows = (
          await c.query(
            'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
          )
        ).rows;
        expect(rows.map((x) => [x.migration_name, x.checksum, x.applied_steps_count])).toEqual(
          files.map((f) => [f.name, f.checksum, 1]),
        );
        expect(rows.every((x) => x.finished_at !== null)).toBe(true);
      } finally {
        await c.end();
      }
    });

    it('is idempotent: a second run applies nothing', async () => {
      const r = await migrateUrl(url);
      expect(r.applied).toEqual([]);
      expect(r.alreadyApplied.length).toBeGreaterThan(0);
    });

    it('refuses to continue when an applied migration file was changed', async () => {
      const files = await readMigrations();
      const changed = files.map((f, i) => (i === 0 ? { ...f, checksum: 'f'.repeat(64) } : f));
      await expect(migrateUrl(url, { migrations: changed })).rejects.toThrow(/was changed after it was applied/);
    });
  });

  it('two dashboard processes starting together on an empty database: one applies, the other waits and finds nothing to do', async () => {
    const db = await createEmptyDatabase();
    drops.push(db.drop);
    const [a, b] = await Promise.all([migrateInChildProcess(db.url), migrateInChildProcess(db.url)]);
    const names = (await readMigrations()).map((f) => f.name);
    expect([a.applied, b.applied].sort((x, y) => y.length - x.length)).toEqual([names, []]);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      expect(Number((await c.query('SELECT count(*) AS n FROM "_prisma_migrations"')).rows[0].n)).toBe(names.length);
    } finally {
      await c.end();
    }
  });

  it('a failing migration is rolled back as a whole and reported by name', async () => {
    const db = await createEmptyDatabase();
    drops.push(db.drop);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const bad = [
        {
          name: '20990101000000_bad',
          sql: 'CREATE TABLE t1 (id int); CREATE TABLE t1 (id int);',
          checksum: '0'.repeat(64),
        },
      ];
      await expect(migrate(pgSession(c), { migrations: bad })).rejects.toThrow(
        /migration 20990101000000_bad failed: .*already exists/,
      );
      expect((await c.query(`SELECT to_regclass('t1') AS t`)).rows[0].t).toBeNull();
      expect(Number((await c.query('SELECT count(*) AS n FROM "_prisma_migrations"')).rows[0].n)).toBe(0);
      // The advisory lock was released: another session can take it at once.
      const other = new pg.Client({ connectionString: db.url });
      await other.connect();
      try {
        expect((await other.query(`SELECT pg_try_advisory_lock(${MIGRATION_LOCK_KEY}) AS ok`)).rows[0].ok).toBe(true);
      } finally {
        await other.end();
      }
    } finally {
      await c.end();
    }
  });
});
