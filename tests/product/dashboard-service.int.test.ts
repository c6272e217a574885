import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { bootSystemd, Lab, waitFor, type SystemdContainer } from '@keepwatch/lab';
import { ADMIN, freePort, startDashboard, type Dashboard } from '../support/dashboard.js';
import { apiLogin, loginAttempt, trpcHttp } from '../support/trpc-http.js';
import { startTestPostgres, pgUrl, type TestPostgres } from '../support/postgres.js';
import { workFolder } from '../support/work-folder.js';
import {
  bootstrapWithStoredKey,
  newPrivateKey,
  clusterSpec,
  COMPILED_SERVER,
  createDatabase,
  runDashboardCommand,
  sealLikeTheDashboard,
  storeSealedKey,
  WEB_DIR,
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
  const work = workFolder('keepwatch-service-');

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
    const r = runDashboardCommand(['serve'], { PORT: 'eighty', KEEPWATCH_DATA_DIR: join(work(), 'never') });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^invalid environment:\nPORT: /);
    expect(existsSync(join(work(), 'never'))).toBe(false);
  });

  it('refuses to start with a secret key file others can read, naming it', () => {
    const file = join(work(), 'open-key', 'secret.key');
    mkdirSync(join(work(), 'open-key'));
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o644 });
    chmodSync(file, 0o644);
    const r = runDashboardCommand(['serve'], {
      KEEPWATCH_DATA_DIR: join(work(), 'open-key', 'data'),
      KEEPWATCH_SECRET_KEY_FILE: file,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `keepwatch-dashboard serve: ${file}: the secret key file must not be readable by group or others`,
    );
  });

  it('migrate applies the committed migrations once', () => {
    const env = { KEEPWATCH_DATA_DIR: join(work(), 'migrate', 'data') };
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
    const env = { KEEPWATCH_DATA_DIR: join(work(), 'admin', 'data') };
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
      const dataDir = join(work(), 'serve');
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

    it("is node running dist/server.mjs itself, with no tsx; its one child is the embedded database's server", () => {
      const argv = (pid: number | string) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const children = (pid: number | string) =>
        readdirSync(`/proc/${pid}/task`).flatMap((t) =>
          readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean),
        );
      expect(argv(dashboard!.pid)).toEqual([process.execPath, 'dist/server.mjs', 'serve']);
      // The watchdog shell (as root, in the mount namespace unshare made), and under it the postmaster.
      const [watchdog, ...others] = children(dashboard!.pid);
      expect(others).toEqual([]);
      expect(argv(watchdog!)[0]).toBe('sh');
      const server = children(watchdog!).map(argv);
      // Beside it the watchdog's reader of the dashboard's pipe (a subshell).
      expect(server).toContainEqual(expect.arrayContaining([expect.stringMatching(/\/postgres$/)]));
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
    const installDir = () => join(work(), 'legacy');

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
      storeSealedKey(pgUrl(pg!, 'legacy'), nodeId, sealLikeTheDashboard(key, newPrivateKey(work()), nodeId));
      // Unsealing comes before connecting: a refused connection means the key opened.
      const r = await bootstrapWithStoredKey(api, nodeId, await freePort());
      expect(r).toMatchObject({ field: 'target', message: expect.stringMatching(/ECONNREFUSED/) });
    });
  });

  describe('under a real systemd: the shipped keepwatch-dashboard.service and dashboard.env', () => {
    let lab: Lab | undefined;
    let box: SystemdContainer;
    const repo = join(WEB_DIR, '..', '..');
    const inside = async (argv: string[]) => {
      const r = await box.exec(argv, { timeoutMs: 20_000 });
      if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
      return r.stdout;
    };
    const mainPid = async () => Number((await box.show('keepwatch-dashboard', ['MainPID'])).MainPID);

    beforeAll(async () => {
      lab = await Lab.create({ hosts: [{ name: 'dash', ipv4: ['192.0.2.10/24'] }] });
      // The checkout is the installation, mounted where the unit expects it (/opt/keepwatch): a
      // mount, not a link, so the service's own /tmp (PrivateTmp=) and a 0700 folder above the
      // checkout (CI clones into one) do not hide it from the service's unprivileged user.
      box = await bootSystemd(lab, { host: 'dash', binds: [repo] });
      await inside(['mkdir', '-p', '/opt/keepwatch']);
      await inside(['mount', '--bind', '-o', 'ro', repo, '/opt/keepwatch']);
      const env = readFileSync(join(WEB_DIR, 'systemd', 'dashboard.env'), 'utf8');
      box.writeFile(
        '/etc/keepwatch/dashboard.env',
        `${env}\nHOST=127.0.0.1\nKEEPWATCH_ADMIN_USERNAME=${ADMIN.username}\nKEEPWATCH_ADMIN_PASSWORD=${ADMIN.password}\n`,
        0o600,
      );
      box.writeFile(
        '/etc/systemd/system/keepwatch-dashboard.service',
        readFileSync(join(WEB_DIR, 'systemd', 'keepwatch-dashboard.service'), 'utf8'),
      );
      await inside(['systemctl', 'daemon-reload']);
      await inside(['systemctl', 'start', 'keepwatch-dashboard']);
      await waitFor(
        async () => (await box.exec(['curl', '-sf', '-o', '/dev/null', 'http://127.0.0.1:3000/login'])).code === 0,
        { timeoutMs: 120_000, intervalMs: 500, what: 'the dashboard unit to answer' },
      ).catch(async (e: unknown) => {
        throw new Error(`${(e as Error).message}\n${(await box.journal('keepwatch-dashboard')).slice(-3000)}`, {
          cause: e,
        });
      });
    }, 240_000);
    afterAll(async () => {
      await lab?.teardown();
    });

    it("runs node on dist/server.mjs itself as the unit's main process, as a user of its own", async () => {
      const pid = await mainPid();
      const argv = (await inside(['cat', `/proc/${pid}/cmdline`])).split('\0').filter(Boolean);
      expect(argv).toEqual([
        '/usr/bin/node',
        '--heap-growing-percent=20',
        '/opt/keepwatch/apps/web/dist/server.mjs',
        'serve',
      ]);
      const uid = /^Uid:\s+(\d+)/m.exec(await inside(['cat', `/proc/${pid}/status`]))?.[1];
      expect(Number(uid)).toBeGreaterThan(0);
    });

    it('serves the dashboard: the first admin from the environment file signs in', async () => {
      const out = await inside([
        'curl',
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-H',
        'content-type: application/json',
        '-H',
        'origin: http://127.0.0.1:3000',
        '--data',
        JSON.stringify({ json: ADMIN }),
        'http://127.0.0.1:3000/api/trpc/session.login',
      ]);
      expect(out).toBe('200');
      // The sandbox (read-only checkout, ProtectSystem=strict) costs nothing: no error logged.
      const journal = await box.journal('keepwatch-dashboard');
      expect(journal).toContain('dashboard listening');
      expect(journal).not.toMatch(/"level":(50|60)|EROFS|EACCES/);
    });

    it('keeps the embedded database in its state directory and the secret key beside it, private', async () => {
      expect(await inside(['ls', '/var/lib/keepwatch-dashboard/data'])).not.toMatch(/secret\.key/);
      expect((await inside(['stat', '-c', '%a', '/var/lib/keepwatch-dashboard/secret.key'])).trim()).toBe('600');
    });

    it('stops cleanly on systemctl stop', async () => {
      await inside(['systemctl', 'stop', 'keepwatch-dashboard']);
      expect(await box.show('keepwatch-dashboard', ['ActiveState', 'Result', 'ExecMainStatus'])).toEqual({
        ActiveState: 'inactive',
        Result: 'success',
        ExecMainStatus: '0',
      });
    });
  });
});
