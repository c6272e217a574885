import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, freePort, startDashboard, type Dashboard } from '../support/dashboard.js';
import { apiLogin, trpcHttp, type TrpcHttp } from '../support/trpc-http.js';
import { startTestPostgres, pgUrl, type TestPostgres } from '../support/postgres.js';
import { workFolder } from '../support/work-folder.js';
import {
  bootstrapWithStoredKey,
  newPrivateKey,
  createDatabase,
  pgTool,
  sealLikeTheDashboard,
  seedInstallation,
  snapshot,
  storeSealedKey,
  type Snapshot,
} from '../support/compiled-dashboard.js';

/**
 * Backup and restore as docs/operations.md describes them, on the compiled dashboard: PostgreSQL
 * with pg_dump -Fc / pg_restore into a new database; the embedded database by copying its data
 * folder while the dashboard is stopped; the secret key kept apart from both, and what losing it
 * means (stored SSH private keys cannot be unsealed; everything else is served).
 */

/** What must come back after a restore: everything but the audit count, which each sign-in raises. */
function served(s: Snapshot) {
  return { clusters: s.clusters, revisions: s.revisions, nodes: s.nodes, users: s.users };
}

/** The dashboard at `api` serves the clusters, revisions, nodes and users of the backup `before`. */
async function expectServedAsBefore(api: TrpcHttp, before: Snapshot) {
  expect(served(await snapshot(api))).toEqual(served(before));
}

/** The audit chain at `api` verifies and goes on past the backup's records (a restore's sign-in adds one). */
async function expectAuditChainGoesOn(api: TrpcHttp, before: Snapshot) {
  const now = await snapshot(api);
  expect(now.audit.ok).toBe(true);
  expect(now.audit.count).toBeGreaterThan(before.audit.count);
}

/** The hash of audit record `seq` in the database at `url`. */
function auditHash(url: string, seq: number): string {
  return pgTool('psql', ['-At', '-d', url, '-c', `SELECT hash FROM "AuditLog" WHERE seq = ${seq}`]).trim();
}

describe('backup and restore', () => {
  const work = workFolder('keepwatch-backup-');

  describe('PostgreSQL: pg_dump, then pg_restore into a new database', () => {
    let pg: TestPostgres | undefined;
    let before: Snapshot;
    let nodeId = '';
    const liveDir = () => join(work(), 'pg-live');
    const dump = () => join(work(), 'keepwatch.dump');
    const keyBackup = () => join(work(), 'key-backup', 'secret.key');

    beforeAll(async () => {
      pg = startTestPostgres();
      createDatabase(pgUrl(pg, 'postgres'), 'live');
      const live = await startDashboard({ compiled: true, dataDir: liveDir(), databaseUrl: pgUrl(pg, 'live') });
      try {
        const api = trpcHttp(live.base, await apiLogin(live.base, ADMIN));
        await seedInstallation(api);
        const clusters = await api.query<{ id: string; name: string }[]>('clusters.list');
        const nodes = await api.query<{ id: string; node: { name: string } }[]>('nodes.list', {
          clusterId: clusters.find((c) => c.name === 'edge-eu')!.id,
        });
        nodeId = nodes.find((n) => n.node.name === 'lb1')!.id;
        // A private key kept for SSH bootstrap, sealed with the installation's key file.
        const key = Buffer.from(readFileSync(join(liveDir(), 'secret.key'), 'utf8').trim(), 'hex');
        storeSealedKey(pgUrl(pg, 'live'), nodeId, sealLikeTheDashboard(key, newPrivateKey(work()), nodeId));
        before = await snapshot(api);
        // The backup, taken while the dashboard runs (pg_dump reads one consistent snapshot).
        pgTool('pg_dump', ['-Fc', '-f', dump(), '-d', pgUrl(pg, 'live')]);
      } finally {
        await live.stop();
      }
      // The key file goes to a backup of its own (docs/operations.md), never into the dump.
      mkdirSync(join(work(), 'key-backup'), { mode: 0o700 });
      cpSync(join(liveDir(), 'secret.key'), keyBackup());
      createDatabase(pgUrl(pg, 'postgres'), 'restored');
      pgTool('pg_restore', ['--no-owner', '--exit-on-error', '-d', pgUrl(pg, 'restored'), dump()]);
    }, 180_000);

    afterAll(() => {
      pg?.stop();
    });

    it('the dump does not carry the secret key', () => {
      const key = readFileSync(keyBackup(), 'utf8').trim();
      expect(readFileSync(dump()).includes(Buffer.from(key))).toBe(false);
      expect(readFileSync(dump()).includes(Buffer.from(key, 'hex'))).toBe(false);
    });

    describe('restored with its secret key', () => {
      let dashboard: Dashboard | undefined;
      let api: TrpcHttp;

      beforeAll(async () => {
        const dir = join(work(), 'pg-restored');
        mkdirSync(dir, { recursive: true });
        cpSync(keyBackup(), join(dir, 'secret.key'));
        // Any file: the bootstrap below stops at the connection, before the package is read.
        writeFileSync(join(dir, 'agent.tar.gz'), 'not a real package');
        dashboard = await startDashboard({
          compiled: true,
          dataDir: dir,
          databaseUrl: pgUrl(pg!, 'restored'),
          env: { KEEPWATCH_AGENT_PACKAGE: join(dir, 'agent.tar.gz') },
        });
        api = trpcHttp(dashboard.base, await apiLogin(dashboard.base, ADMIN));
      }, 120_000);
      afterAll(async () => {
        await dashboard?.stop();
      });

      it('serves the same clusters, revisions, nodes and users', async () => {
        await expectServedAsBefore(api, before);
      });

      it('has an audit chain that verifies through the records of the backup', async () => {
        await expectAuditChainGoesOn(api, before);
        expect(auditHash(pgUrl(pg!, 'restored'), before.audit.count)).toBe(before.audit.headHash);
      });

      it('still opens the stored SSH private key', async () => {
        const r = await bootstrapWithStoredKey(api, nodeId, await freePort());
        // Unsealing comes before connecting: a refused connection means the key opened.
        expect(r).toMatchObject({ field: 'target', message: expect.stringMatching(/ECONNREFUSED/) });
      });
    });

    describe('restored without its secret key', () => {
      let dashboard: Dashboard | undefined;
      let api: TrpcHttp;

      beforeAll(async () => {
        dashboard = await startDashboard({
          compiled: true,
          dataDir: join(work(), 'pg-lost-key'),
          databaseUrl: pgUrl(pg!, 'restored'),
        });
        api = trpcHttp(dashboard.base, await apiLogin(dashboard.base, ADMIN));
      }, 120_000);
      afterAll(async () => {
        await dashboard?.stop();
      });

      it('says the stored SSH private key cannot be unsealed, and what to do', async () => {
        const r = await bootstrapWithStoredKey(api, nodeId, await freePort());
        expect(r.field).toBe('auth');
        expect(r.message).toMatch(/cannot be unsealed with this dashboard's secret key/);
        expect(r.message).toMatch(/give the private key or a password again/);
      });

      it('serves everything else as before', async () => {
        await expectServedAsBefore(api, before);
      });
    });
  });

  describe('the embedded database: its data folder copied while the dashboard is stopped', () => {
    let before: Snapshot;
    let dashboard: Dashboard | undefined;
    let api: TrpcHttp;
    const original = () => join(work(), 'embedded');
    const copy = () => join(work(), 'embedded-copy');

    beforeAll(async () => {
      const first = await startDashboard({ compiled: true, dataDir: original() });
      try {
        const a = trpcHttp(first.base, await apiLogin(first.base, ADMIN));
        await seedInstallation(a);
        before = await snapshot(a);
      } finally {
        await first.stop();
      }
      mkdirSync(copy());
      cpSync(join(original(), 'data'), join(copy(), 'data'), { recursive: true, preserveTimestamps: true });
      cpSync(join(original(), 'secret.key'), join(copy(), 'secret.key'));
      rmSync(original(), { recursive: true, force: true });
      dashboard = await startDashboard({ compiled: true, dataDir: copy() });
      api = trpcHttp(dashboard.base, await apiLogin(dashboard.base, ADMIN));
    }, 180_000);
    afterAll(async () => {
      await dashboard?.stop();
    });

    it('the data folder holds no secret key: it is beside it', () => {
      expect(readdirSync(join(copy(), 'data'))).not.toContain('secret.key');
      expect(existsSync(join(copy(), 'secret.key'))).toBe(true);
    });

    it('the copy serves the same clusters, revisions, nodes and users', async () => {
      await expectServedAsBefore(api, before);
    });

    it("the copy's audit chain verifies", async () => {
      await expectAuditChainGoesOn(api, before);
    });
  });
});
