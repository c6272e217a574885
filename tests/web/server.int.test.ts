import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@keepwatch/lab';

/**
 * `npm start`'s custom server (apps/web/server.ts, production build) on a fresh machine: no
 * DATABASE_URL, so it runs on the embedded database in a data folder of its own; the first admin
 * comes from the environment. One port serves the page, the tRPC API and the metrics.
 */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

describe('dashboard custom server on the embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keepwatch-server-'));
  let server: ChildProcess | undefined;
  let base = '';
  let log = '';

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const webDir = fileURLToPath(new URL('../../apps/web/', import.meta.url));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      PORT: String(port),
      HOST: '127.0.0.1',
      KEEPWATCH_DATA_DIR: join(dataDir, 'data'),
      KEEPWATCH_ADMIN_USERNAME: 'admin',
      KEEPWATCH_ADMIN_PASSWORD: 'a long admin password',
    };
    delete env.DATABASE_URL;
    server = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: webDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await waitFor(async () => (await fetch(base).catch(() => null))?.ok, { timeoutMs: 60_000, intervalMs: 200, what: `the custom server to answer (log: ${log.slice(-500)})` });
  });

  afterAll(async () => {
    if (server?.pid && server.exitCode === null) {
      server.kill('SIGTERM');
      await waitFor(() => server?.exitCode !== null || server?.signalCode !== null, { timeoutMs: 10_000, what: 'the server to exit' }).catch(() => server?.kill('SIGKILL'));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the page, and the API signs the env-created admin in', async () => {
    expect(await (await fetch(base)).text()).toContain('<title>Keepwatch</title>');
    const login = await fetch(`${base}/api/trpc/session.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ json: { username: 'admin', password: 'a long admin password' } }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const list = await fetch(`${base}/api/trpc/clusters.list`, { headers: { cookie } });
    expect(((await list.json()) as { result: { data: { json: unknown } } }).result.data.json).toEqual([]);
    expect(log).toContain('"database":"embedded"');
  });

  it('exposes Prometheus metrics on the same port', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('keepwatch_logins_total 1');
    expect(text).toContain('keepwatch_login_failures_total');
  });
});
