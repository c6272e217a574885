import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@keepwatch/lab';
import { ADMIN, freePort, startDashboard, type Dashboard } from '../support/dashboard.js';
import { apiLogin, loginAttempt, trpcHttp } from '../support/trpc-http.js';
import { startTestPostgres, pgUrl, type TestPostgres } from '../support/postgres.js';
import {
  bootstrapWithStoredKey,
  newPrivateKey,
  clusterSpec,
  COMPILED_SERVER,
  createDatabase,
  runDashboardCommand,
  sealLikeTheDashboard,
  storeSealedKey,
} from '../support/compiled-dashboard.js';

/**
 * The dashboard as production runs it: the compiled server (apps/web/dist/server.mjs, built by
 * `npm run build -w @keepwatch/web`) under plain node — what the `keepwatch-dashboard` command
 * and the systemd unit start. Its subcommands, its argument and environment errors, serving with
 * no tsx and no launcher process, and an older installation's secret key inside the data folder.
 */
const WEB_VERSION = (
  JSON.parse(readFileSync(new URL('../../apps/web/package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

describe('keepwatch-dashboard, the compiled server', () => {
  let work = '';

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'keepwatch-service-'));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('prints its version', () => {
    const r = runDashboardCommand(['--version']);
    expect(r).toMatchObject({ status: 0, stdout: `keepwatch-dashboard ${WEB_VERSION}\n` });
  });

  it('refuses an unknown command with the usage, exit status 2', () => {
    const r = runDashboardCommand(['start']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^unknown command "start"\nusage: keepwatch-dashboard /);
  });

  it('says create-admin needs --username', () => {
    const r = runDashboardCommand(['create-admin']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^--username is required for create-admin\n/);
  });

  it('names a bad environment variable instead of starting', () => {
    const r = runDashboardCommand(['serve'], { PORT: 'eighty', KEEPWATCH_DATA_DIR: join(work, 'never') });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^invalid environment:\nPORT: /);
    expect(existsSync(join(work, 'never'))).toBe(false);
  });

  it('refuses to start with a secret key file others can read, naming it', () => {
    const file = join(work, 'open-key', 'secret.key');
    mkdirSync(join(work, 'open-key'));
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o644 });
    chmodSync(file, 0o644);
    const r = runDashboardCommand(['serve'], {
      KEEPWATCH_DATA_DIR: join(work, 'open-key', 'data'),
      KEEPWATCH_SECRET_KEY_FILE: file,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `keepwatch-dashboard serve: ${file}: the secret key file must not be readable by group or others`,
    );
  });

  it('migrate applies the committed migrations once', () => {
    const env = { KEEPWATCH_DATA_DIR: join(work, 'migrate', 'data') };
    const migrations = readdirSync(new URL('../../prisma/migrations/', import.meta.url), {
      withFileTypes: true,
    }).filter((e) => e.isDirectory()).length;
    expect(runDashboardCommand(['migrate'], env)).toMatchObject({
      status: 0,
      stdout: `embedded database: applied ${migrations} migration(s), 0 already applied\n`,
    });
    expect(runDashboardCommand(['migrate'], env)).toMatchObject({
      status: 0,
      stdout: `embedded database: applied 0 migration(s), ${migrations} already applied\n`,
    });
  });

  it('create-admin takes the password from standard input, once', () => {
    const env = { KEEPWATCH_DATA_DIR: join(work, 'admin', 'data') };
    const first = runDashboardCommand(['create-admin', '--username', 'olga'], env, 'a long admin password\n');
    expect(first).toMatchObject({ status: 0, stdout: 'admin "olga" created\n' });
    const second = runDashboardCommand(['create-admin', '--username', 'otto'], env, 'another long password\n');
    expect(second.status).toBe(1);
    expect(second.stdout).toMatch(/^not created: /);
  });

  describe('serving', () => {
    let dashboard: Dashboard | undefined;

    beforeAll(async () => {
      // The admin made by the command before the first start, as the service documentation says.
      const dataDir = join(work, 'serve');
      runDashboardCommand(
        ['create-admin', '--username', 'olga'],
        { KEEPWATCH_DATA_DIR: join(dataDir, 'data') },
        'a long admin password\n',
      );
      dashboard = await startDashboard({
        compiled: true,
        dataDir,
        env: { KEEPWATCH_ADMIN_USERNAME: '', KEEPWATCH_ADMIN_PASSWORD: '' },
      });
    });
    afterAll(async () => {
      await dashboard?.stop();
    });

    it('is node running dist/server.mjs itself, with no tsx and no child process', () => {
      const argv = readFileSync(`/proc/${dashboard!.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      expect(argv).toEqual([process.execPath, 'dist/server.mjs', 'serve']);
      const children = readdirSync(`/proc/${dashboard!.pid}/task`).flatMap((t) =>
        readFileSync(`/proc/${dashboard!.pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean),
      );
      expect(children).toEqual([]);
      const maps = readFileSync(`/proc/${dashboard!.pid}/maps`, 'utf8');
      expect(maps).not.toMatch(/esbuild/);
      expect(existsSync(COMPILED_SERVER)).toBe(true);
    });

    it('serves the pages, the API with the admin made by create-admin, and /metrics', async () => {
      expect((await fetch(`${dashboard!.base}/login`)).status).toBe(200);
      const api = trpcHttp(
        dashboard!.base,
        await apiLogin(dashboard!.base, { username: 'olga', password: 'a long admin password' }),
      );
      expect(await api.query('clusters.list')).toEqual([]);
      expect((await loginAttempt(dashboard!.base, ADMIN)).cookie).toBe('');
      const metrics = await fetch(`${dashboard!.base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^# HELP /m);
    });
  });

  describe('an installation whose secret key is inside the data folder (before KEEPWATCH_SECRET_KEY_FILE)', () => {
    let pg: TestPostgres | undefined;
    let dashboard: Dashboard | undefined;
    const key = randomBytes(32);
    const installDir = () => join(work, 'legacy');

    beforeAll(async () => {
      pg = startTestPostgres();
      createDatabase(pgUrl(pg, 'postgres'), 'legacy');
      mkdirSync(join(installDir(), 'data'), { recursive: true, mode: 0o700 });
      writeFileSync(join(installDir(), 'data', 'secret.key'), `${key.toString('hex')}\n`, { mode: 0o600 });
      chmodSync(join(installDir(), 'data', 'secret.key'), 0o600);
      writeFileSync(join(installDir(), 'agent.tar.gz'), 'not a real package');
      dashboard = await startDashboard({
        compiled: true,
        dataDir: installDir(),
        databaseUrl: pgUrl(pg, 'legacy'),
        env: { KEEPWATCH_AGENT_PACKAGE: join(installDir(), 'agent.tar.gz') },
      });
    }, 120_000);
    afterAll(async () => {
      await dashboard?.stop();
      pg?.stop();
    });

    it('moves the key out of the data folder at start and says so', async () => {
      await waitFor(() => dashboard!.log().includes('secret key moved out of the data folder'), {
        timeoutMs: 10_000,
        what: 'the log line about the moved key',
      });
      expect(existsSync(join(installDir(), 'data', 'secret.key'))).toBe(false);
      expect(readFileSync(join(installDir(), 'secret.key'), 'utf8').trim()).toBe(key.toString('hex'));
    });

    it('still opens a private key stored under the moved key', async () => {
      const api = trpcHttp(dashboard!.base, await apiLogin(dashboard!.base, ADMIN));
      const cluster = await api.mutate<{ id: string }>('clusters.import', { spec: clusterSpec('edge', 51) });
      const nodes = await api.query<{ id: string; node: { name: string } }[]>('nodes.list', { clusterId: cluster.id });
      const nodeId = nodes.find((n) => n.node.name === 'lb1')!.id;
      storeSealedKey(pgUrl(pg!, 'legacy'), nodeId, sealLikeTheDashboard(key, newPrivateKey(work), nodeId));
      // Unsealing comes before connecting: a refused connection means the key opened.
      const r = await bootstrapWithStoredKey(api, nodeId, await freePort());
      expect(r).toMatchObject({ field: 'target', message: expect.stringMatching(/ECONNREFUSED/) });
    });
  });
});
