import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, stopChild, waitFor } from '@keepwatch/lab';

export const ADMIN = { username: 'admin', password: 'a long admin password' } as const;

/** Re-exported for the tests that take it from here. */
export { freePort };

export type Dashboard = {
  base: string;
  port: number;
  /** The server's process id (node itself: no launcher in between). */
  pid: number;
  /** What the server printed so far. */
  log(): string;
  stop(): Promise<void>;
};

export type DashboardOptions = {
  /** Real PostgreSQL instead of the embedded database. */
  databaseUrl?: string;
  /** A data folder to use and keep (a restart on the same embedded database); default: a temp one, removed at stop. */
  dataDir?: string;
  /** The port to listen on (a restart on the same address); default: a free one. */
  port?: number;
  /** More environment for the server. */
  env?: Record<string, string>;
  /** Run the compiled server (apps/web/dist/server.mjs, plain node, as production does) instead of server.ts through tsx. */
  compiled?: boolean;
  /** Another dashboard program (the previous release's control plane): where and what to run, and the path that answers once it is up. */
  program?: { cwd: string; argv: string[]; readyPath: string };
};

/**
 * `npm start`'s custom server (apps/web/server.ts, production build) on loopback, as on a fresh
 * machine: no DATABASE_URL, so the embedded database in a data folder of its own, and the first
 * admin from the environment. Resolves once the page answers.
 */
export async function startDashboard(opts: DashboardOptions = {}): Promise<Dashboard> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'keepwatch-dashboard-'));
  const port = opts.port ?? (await freePort());
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: String(port),
    HOST: '127.0.0.1',
    KEEPWATCH_DATA_DIR: join(dataDir, 'data'),
    KEEPWATCH_ADMIN_USERNAME: ADMIN.username,
    KEEPWATCH_ADMIN_PASSWORD: ADMIN.password,
    ...opts.env,
  };
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  else delete env.DATABASE_URL;
  let log = '';
  const argv = opts.program?.argv ?? (opts.compiled ? ['dist/server.mjs', 'serve'] : ['--import', 'tsx', 'server.ts']);
  const server: ChildProcess = spawn(process.execPath, argv, {
    cwd: opts.program?.cwd ?? fileURLToPath(new URL('../../apps/web/', import.meta.url)),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const stop = async () => {
    await stopChild(server, 'the dashboard');
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await fetch(`${base}${opts.program?.readyPath ?? ''}`).catch(() => null))?.ok, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: 'the dashboard to answer',
    });
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${log.slice(-1500)}`, { cause: e });
  }
  return { base, port, pid: server.pid ?? 0, log: () => log, stop };
}
