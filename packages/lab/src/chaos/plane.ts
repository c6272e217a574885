/**
 * The chaos soak's control plane: a throw-away PostgreSQL and `npm start`'s dashboard on it, each
 * restartable in place (same port, same database), and a tRPC-over-HTTP client that signs in
 * again after a restart. The dashboard is run as a program, never imported.
 */
import type { ChildProcess } from 'node:child_process';
import { run } from '../exec.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from '../child.js';
import { dashboardLogin, spawnDashboardServer } from '../dashboard-server.js';
import { LAB_NICE } from '../lab.js';
import { freePort } from '../port.js';
import { waitFor } from '../poll.js';
import { PG_BIN, pgUrl, startTestPostgres, type TestPostgres } from '../postgres.js';

const ADMIN = { username: 'admin', password: 'a long admin password for chaos' } as const;

export type ChaosPlane = {
  port: number;
  base: string;
  query<T>(path: string, input: unknown): Promise<T>;
  mutate<T>(path: string, input: unknown): Promise<T>;
  /** Stops the dashboard (SIGTERM); {@link startDashboard} brings it back on the same port and database. */
  stopDashboard(): Promise<void>;
  startDashboard(): Promise<void>;
  /** `pg_ctl restart -m fast`: every connection of the dashboard is cut. */
  restartPostgres(): Promise<void>;
  log(): string;
  stop(): Promise<void>;
};

export async function startChaosPlane(): Promise<ChaosPlane> {
  const pg: TestPostgres = startTestPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'keepwatch-chaos-'));
  const logPath = join(dir, 'dashboard.log');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let server: ChildProcess | null = null;
  let cookie = '';
  const log = () => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };

  const startDashboard = async () => {
    const child = spawnDashboardServer({
      port,
      databaseUrl: pgUrl(pg, 'postgres'),
      dataDir: join(dir, 'data'),
      logPath,
      admin: ADMIN,
    });
    // The plane under test goes first, as the lab hosts do: its latency bound (the wire's master
    // shown within 2 s) is the product's, not that of the test file running beside this one.
    if (child.pid) setPriority(child.pid, LAB_NICE);
    server = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`the dashboard exited\n${log().slice(-1500)}`);
        return (await fetch(base).catch(() => null))?.ok;
      },
      { timeoutMs: 90_000, intervalMs: 250, what: 'the dashboard to answer' },
    );
  };
  const stopDashboard = async () => {
    const s = server;
    server = null;
    if (s) await stopChild(s, 'the dashboard');
  };

  const login = async () => {
    cookie = await dashboardLogin(base, ADMIN);
  };

  const call = async <T>(path: string, input: unknown, mutation: boolean, again = true): Promise<T> => {
    const signal = AbortSignal.timeout(15_000);
    const res = mutation
      ? await fetch(`${base}/api/trpc/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: base, cookie },
          body: JSON.stringify({ json: input }),
          signal,
        })
      : await fetch(`${base}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, {
          headers: { cookie },
          signal,
        });
    if (res.status === 401 && again) {
      await login();
      return call<T>(path, input, mutation, false);
    }
    const body = (await res.json()) as { result?: { data: { json: T } }; error?: unknown };
    if (!body.result) throw new Error(`${path}: ${JSON.stringify(body.error).slice(0, 500)}`);
    return body.result.data.json;
  };

  const stop = async () => {
    await stopDashboard().catch(() => undefined);
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await startDashboard();
    await login();
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    port,
    base,
    query: (path, input) => call(path, input, false),
    mutate: (path, input) => call(path, input, true),
    stopDashboard,
    startDashboard,
    async restartPostgres() {
      const data = join(pg.socketDir, 'data');
      const argv = [join(PG_BIN, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', '-t', '60', 'restart'];
      const [cmd, ...args] = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...argv] : argv;
      const opts = `-c listen_addresses='' -k ${pg.socketDir} -p ${pg.port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
      const r = await run(cmd!, [...args, '-l', join(pg.socketDir, 'server.log'), '-o', opts], { timeoutMs: 70_000 });
      if (r.code !== 0) throw new Error(`pg_ctl restart failed (${r.code}): ${r.stderr}${r.stdout}`);
    },
    log,
    stop,
  };
}
