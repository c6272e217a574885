import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { ClusterSpecSchema } from '@keepwatch/shared';
import pg from 'pg';
import { migrateUrl, openDatabase, PrismaClient } from './client';
import { startEmbeddedServer } from './embedded-server';
import { migrate, readMigrations, type SqlSession } from './migrate';
import { BACKUP_DIR, IMPORTED_MARKER } from './pglite-import';
import { createFirstAdmin, login } from '../services/auth';
import { importCluster } from '../services/clusters';
import { verifyAuditChain, writeAudit } from '../services/audit';
import { referenceSpec } from '../../../test/fixtures';

const INSERT_CLUSTER = `INSERT INTO "Cluster" (id, name, "updatedAt") VALUES (gen_random_uuid(), $1, now())`;
const insertCluster = (name: string) => async (lite: PGlite) => void (await lite.query(INSERT_CLUSTER, [name]));

async function withClient<T>(url: string, use: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

const actor = { kind: 'system' as const, name: 'test', sourceAddress: null };
const PASSWORD = 'a long enough password';

const empty = mkdtempSync(join(tmpdir(), 'keepwatch-pglite-empty-'));
let emptyMade: Promise<void> | undefined;
/** An empty PGlite cluster at `dataDir`: made once and copied (PGlite's initdb is ~5 s of CPU). */
async function emptyPglite(dataDir: string) {
  emptyMade ??= PGlite.create(empty).then((lite) => lite.close());
  await emptyMade;
  cpSync(empty, dataDir, { recursive: true });
}

/** A data folder as an earlier version left it: PGlite's files, `migrations` of ours applied. */
async function pgliteFolder(dataDir: string, fill: (lite: PGlite) => Promise<void>, migrations?: number) {
  await emptyPglite(dataDir);
  const lite = await PGlite.create(dataDir);
  const session: SqlSession = {
    query: async (sql, params) => (await lite.query(sql, params)).rows as never[],
    exec: async (sql) => void (await lite.exec(sql)),
  };
  await migrate(session, { migrations: (await readMigrations()).slice(0, migrations) });
  await fill(lite);
  await lite.close();
}

/** An admin, the reference cluster (revision 1) and three more audit records, through Prisma on PGlite. */
async function fillLikeADashboard(lite: PGlite) {
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
  await createFirstAdmin(prisma, { username: 'admin', password: PASSWORD }, 'test');
  await prisma.$transaction((tx) => importCluster(tx, actor, { spec: ClusterSpecSchema.parse(referenceSpec()) }));
  for (let i = 0; i < 3; i++) {
    await prisma.$transaction((tx) =>
      writeAudit(tx, actor, { action: 'test.before', targetType: 'test', targetId: `${i}` }),
    );
  }
  await prisma.$disconnect();
}

describe('an embedded data folder of an earlier version (PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keepwatch-pglite-import-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  });

  it('is copied into the embedded server: users, clusters, revisions and the audit chain, which goes on', async () => {
    const dataDir = join(dir, 'full');
    await pgliteFolder(dataDir, fillLikeADashboard);
    const db = await openDatabase({ dataDir });
    try {
      expect(db.kind).toBe('embedded');
      expect(db.migrations.applied).toEqual([]);
      expect((await login(db.prisma, { username: 'admin', password: PASSWORD, sourceAddress: null })).ok).toBe(true);
      expect(await db.prisma.configRevision.count()).toBe(1);
      expect((await db.prisma.cluster.findMany()).map((c) => c.name)).toEqual([referenceSpec().name]);
      const before = await verifyAuditChain(db.prisma);
      expect(before).toMatchObject({ ok: true });
      await db.prisma.$transaction((tx) =>
        writeAudit(tx, actor, { action: 'test.after', targetType: 'test', targetId: 'x' }),
      );
      expect(await verifyAuditChain(db.prisma)).toMatchObject({
        ok: true,
        count: (before as { count: number }).count + 1,
      });
    } finally {
      await db.close();
    }
  });

  it('keeps the PGlite files aside in pglite-backup/ and copies only once', async () => {
    const dataDir = join(dir, 'full');
    expect(readdirSync(dataDir)).not.toContain('PG_VERSION');
    expect(readdirSync(join(dataDir, BACKUP_DIR))).toContain('PG_VERSION');
    expect(existsSync(join(dataDir, IMPORTED_MARKER))).toBe(true);
    const db = await openDatabase({ dataDir });
    try {
      expect(await db.prisma.configRevision.count()).toBe(1);
    } finally {
      await db.close();
    }
  });

  it('is copied at its own schema version, then brought up to date by the migrations it lacks', async () => {
    const dataDir = join(dir, 'old');
    await pgliteFolder(dataDir, insertCluster('old'), 1);
    const db = await openDatabase({ dataDir });
    try {
      expect(db.migrations.applied).toEqual((await readMigrations()).slice(1).map((m) => m.name));
      expect((await db.prisma.cluster.findMany()).map((c) => c.name)).toEqual(['old']);
    } finally {
      await db.close();
    }
  });

  it('is copied again from scratch when an earlier copy was cut short', async () => {
    const dataDir = join(dir, 'cut');
    await pgliteFolder(dataDir, insertCluster('kept'), 1);
    // A copy cut short: the server's cluster exists with rows in it, the marker does not.
    const half = await startEmbeddedServer({ dataDir });
    try {
      await migrateUrl(half.url);
      await withClient(half.url, (c) => c.query(INSERT_CLUSTER, ['half-copied']));
    } finally {
      await half.stop();
    }
    const db = await openDatabase({ dataDir });
    try {
      expect((await db.prisma.cluster.findMany()).map((c) => c.name)).toEqual(['kept']);
    } finally {
      await db.close();
    }
  });

  it('written by a newer dashboard, is refused with the migrations it does not know, and left as it was', async () => {
    const dataDir = join(dir, 'newer');
    await pgliteFolder(
      dataDir,
      async (lite) =>
        void (await lite.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count) VALUES ('x', 'x', '29991231000000_future', now(), 1)`,
        )),
      0,
    );
    await expect(openDatabase({ dataDir })).rejects.toThrow(
      `the PGlite database in ${dataDir} was written by a newer dashboard (migrations 29991231000000_future): start that version, or set DATABASE_URL`,
    );
    expect(readdirSync(dataDir)).toContain('PG_VERSION');
    expect(existsSync(join(dataDir, IMPORTED_MARKER))).toBe(false);
  });
});
