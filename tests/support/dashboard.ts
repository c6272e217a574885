import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
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

const WEB = fileURLToPath(new URL('../../apps/web/', import.meta.url));
/** What scripts/build-server.mjs bundles into dist/server.mjs: the server's sources and our packages. */
const BUNDLED = [
  join(WEB, 'server.ts'),
  join(WEB, 'src'),
  join(WEB, '../../packages/shared/dist'),
  join(WEB, '../../packages/vrrp/dist'),
];

function newestMtimeMs(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, e)));
  return newest;
}

/**
 * Whether apps/web/dist/server.mjs is newer than everything bundled into it. The compiled server
 * starts ~1 s sooner than server.ts through tsx (no transpiling at start), and a suite starts
 * dozens; after a source edit without `node apps/web/scripts/build-server.mjs`, tsx runs the edit.
 */
export function compiledIsCurrent(): boolean {
  const server = join(WEB, 'dist/server.mjs');
  if (!existsSync(server)) return false;
  const built = statSync(server).mtimeMs;
  return BUNDLED.every((p) => existsSync(p) && newestMtimeMs(p) <= built);
}

export type DashboardOptions = {
  /** Real PostgreSQL instead of the embedded database. */
  databaseUrl?: string;
  /** A data folder to use and keep (a restart on the same embedded database); default: a temp one, removed at stop. */
  dataDir?: string;
  /** The port to listen on (a restart on the same address); default: a free one. */
  port?: number;
  /** More environment for the server. */
  env?: Record<string, string>;
  /**
   * Run the compiled server (apps/web/dist/server.mjs, plain node, as production does) or server.ts
   * through tsx; default: the compiled one when it is newer than every file bundled into it (see
   * {@link compiledIsCurrent}), else tsx.
   */
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
  const compiled = opts.compiled ?? compiledIsCurrent();
  const argv = opts.program?.argv ?? (compiled ? ['dist/server.mjs', 'serve'] : ['--import', 'tsx', 'server.ts']);
  const server: ChildProcess = spawn(process.execPath, argv, {
    cwd: opts.program?.cwd ?? WEB,
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
