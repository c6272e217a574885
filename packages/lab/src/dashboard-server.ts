import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard's custom server (apps/web/server.ts, production build, through tsx) on loopback
 * with PostgreSQL, its output appended to `logPath`: what the chaos plane and the control-plane
 * benchmark run. The first admin comes from `admin`.
 */
export function spawnDashboardServer(opts: {
  port: number;
  databaseUrl: string;
  dataDir: string;
  logPath: string;
  admin: { username: string; password: string };
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** The compiled server (`dist/server.mjs serve`, what the unit runs) instead of server.ts under tsx. */
  compiled?: boolean;
}): ChildProcess {
  const fd = openSync(opts.logPath, 'a');
  try {
    const program = opts.compiled ? ['dist/server.mjs', 'serve'] : ['--import', 'tsx', 'server.ts'];
    return spawn(process.execPath, [...(opts.nodeArgs ?? []), ...program], {
      cwd: fileURLToPath(new URL('../../../apps/web/', import.meta.url)),
      env: {
        ...process.env,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        PORT: String(opts.port),
        HOST: '127.0.0.1',
        DATABASE_URL: opts.databaseUrl,
        KEEPWATCH_DATA_DIR: opts.dataDir,
        KEEPWATCH_ADMIN_USERNAME: opts.admin.username,
        KEEPWATCH_ADMIN_PASSWORD: opts.admin.password,
        ...opts.env,
      },
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
}

/** Signs in at the dashboard on `base`; resolves with the session cookie (`name=value`). */
export async function dashboardLogin(base: string, admin: { username: string; password: string }): Promise<string> {
  const res = await fetch(`${base}/api/trpc/session.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ json: admin }),
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  if (!cookie) throw new Error(`login failed: ${res.status}`);
  return cookie;
}
