import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@keepwatch/lab';

/** The README's run command serves the dashboard with `next start`; this starts the built app on a free loopback port. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

describe('dashboard shell', () => {
  let server: ChildProcess | undefined;
  let base = '';

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const webDir = fileURLToPath(new URL('../apps/web/', import.meta.url));
    server = spawn(process.execPath, [fileURLToPath(import.meta.resolve('next/dist/bin/next')), 'start', '-p', String(port), '-H', '127.0.0.1'], {
      cwd: webDir,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: 'ignore',
    });
    await waitFor(async () => (await fetch(base).catch(() => null))?.ok, { timeoutMs: 30_000, intervalMs: 100, what: 'next start to answer' });
  });

  afterAll(async () => {
    if (server?.pid) {
      server.kill('SIGTERM');
      await waitFor(() => server?.exitCode !== null || server?.signalCode !== null, { timeoutMs: 5000, what: 'next to exit' }).catch(() => server?.kill('SIGKILL'));
    }
  });

  it('serves the dashboard page', async () => {
    const res = await fetch(base);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<title>Keepwatch</title>');
    expect(html).toContain('Clusters');
  });
});
