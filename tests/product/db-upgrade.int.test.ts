import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ADMIN, startDashboard, type Dashboard } from '../support/dashboard.js';
import { apiLogin, trpcHttp, type TrpcHttp } from '../support/trpc-http.js';
import { startTestPostgres, pgUrl, type TestPostgres } from '../support/postgres.js';
import { createDatabase, pgTool, runDashboardCommand, snapshot, type Snapshot } from '../support/compiled-dashboard.js';

/**
 * Upgrading: a PostgreSQL database made by the dashboard as of commit 49436f2 (its schema and a
 * seeded installation, committed as tests/fixtures/db-upgrade) is served by this version, which
 * applies every migration added since at start. The data and the audit chain must survive. Written
 * against the migration folder as it is, so it keeps working as migrations are added.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/db-upgrade/49436f2.sql', import.meta.url));
const EXPECTED = JSON.parse(
  readFileSync(new URL('../fixtures/db-upgrade/49436f2.expected.json', import.meta.url), 'utf8'),
) as Snapshot;
const MIGRATIONS_AT_49436F2 = ['20261124160000_init', '20261124195029_live_state_commands_ssh'];
const MIGRATIONS_NOW = readdirSync(new URL('../../prisma/migrations/', import.meta.url), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

/** A new database on `pg` holding the fixture: an installation of 49436f2. */
function restoreFixture(pg: TestPostgres, name: string): string {
  createDatabase(pgUrl(pg, 'postgres'), name);
  pgTool('psql', ['-v', 'ON_ERROR_STOP=1', '-q', '-d', pgUrl(pg, name), '-f', FIXTURE]);
  return pgUrl(pg, name);
}

function appliedMigrations(url: string): string[] {
  const out = pgTool('psql', [
    '-At',
    '-d',
    url,
    '-c',
    'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
  ]);
  return out.split('\n').filter(Boolean);
}

describe('upgrading a database made by the dashboard as of 49436f2', () => {
  let pg: TestPostgres | undefined;
  let dashboard: Dashboard | undefined;
  let url = '';
  let api: TrpcHttp;
  let served: Snapshot;

  beforeAll(async () => {
    pg = startTestPostgres();
    url = restoreFixture(pg, 'upgrade');
    expect(appliedMigrations(url)).toEqual(MIGRATIONS_AT_49436F2);
    dashboard = await startDashboard({ compiled: true, databaseUrl: url });
    // The admin of the old installation, with the password set then.
    api = trpcHttp(dashboard.base, await apiLogin(dashboard.base, ADMIN));
    served = await snapshot(api);
  }, 180_000);

  afterAll(async () => {
    await dashboard?.stop();
    pg?.stop();
  });

  it('applies every migration added since, at start', () => {
    expect(appliedMigrations(url)).toEqual(MIGRATIONS_NOW);
  });

  it('serves the same clusters, revisions, nodes and users', () => {
    expect(served.clusters).toMatchObject(EXPECTED.clusters);
    expect(served.revisions).toMatchObject(EXPECTED.revisions);
    expect(served.nodes).toMatchObject(EXPECTED.nodes);
    expect(served.users).toEqual(EXPECTED.users);
  });

  it('keeps the audit chain: it verifies, through the old records unchanged', () => {
    expect(served.audit.ok).toBe(true);
    // Signing in above wrote records of its own after the old ones.
    expect(served.audit.count).toBeGreaterThan(EXPECTED.audit.count);
    const oldHead = pgTool('psql', [
      '-At',
      '-d',
      url,
      '-c',
      `SELECT hash FROM "AuditLog" WHERE seq = ${EXPECTED.audit.count}`,
    ]);
    expect(oldHead.trim()).toBe(EXPECTED.audit.headHash);
  });

  it('keepwatch-dashboard migrate upgrades such a database without serving it', () => {
    const other = restoreFixture(pg!, 'upgrade_by_command');
    const r = runDashboardCommand(['migrate'], { DATABASE_URL: other });
    expect(r).toMatchObject({
      status: 0,
      stdout: `postgresql database: applied ${MIGRATIONS_NOW.length - MIGRATIONS_AT_49436F2.length} migration(s), ${MIGRATIONS_AT_49436F2.length} already applied\n`,
    });
    expect(appliedMigrations(other)).toEqual(MIGRATIONS_NOW);
  });
});
