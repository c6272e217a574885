import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { waitFor } from '@keepwatch/lab';
import { startDashboard, type Dashboard } from '../support/dashboard.js';

/**
 * `npm start`'s custom server (apps/web/server.ts, production build) on a fresh machine: no
 * DATABASE_URL, so it runs on the embedded database in a data folder of its own; the first admin
 * comes from the environment. One port serves the page, the tRPC API and the metrics.
 */
describe('dashboard custom server on the embedded database', () => {
  let dashboard: Dashboard;
  let base = '';

  beforeAll(async () => {
    dashboard = await startDashboard();
    base = dashboard.base;
  });

  afterAll(async () => {
    await dashboard?.stop();
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
    expect(dashboard.log()).toContain('"database":"embedded"');
  });

  it('forbids framing the page by any other site, on pages and the API alike (CSP frame-ancestors)', async () => {
    for (const path of ['/', '/login', '/api/trpc/session.me']) {
      const res = await fetch(`${base}${path}`);
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('exposes Prometheus metrics on the same port, to this host only unless a token is set', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('keepwatch_logins_total 1');
    // Through a proxy on this host (a forwarded request), the public gets no metrics without the token.
    expect((await fetch(`${base}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(403);
    expect(text).toContain('keepwatch_login_failures_total');
  });

  // Last: it ends the dashboard.
  it('stops with a non-zero status, saying why, when its embedded database server dies', async () => {
    const children = (pid: number) =>
      readdirSync(`/proc/${pid}/task`).flatMap((t) =>
        readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
      );
    // The dashboard → the watchdog shell → the postmaster.
    const postmaster = children(dashboard.pid).flatMap(children)[0];
    expect(readFileSync(`/proc/${postmaster}/cmdline`, 'utf8')).toMatch(/\/postgres\0/);
    process.kill(postmaster!, 'SIGKILL');
    await waitFor(() => !existsSync(`/proc/${dashboard.pid}`), {
      timeoutMs: 20_000,
      intervalMs: 100,
      what: 'the dashboard to exit',
    });
    expect(dashboard.log()).toContain('the embedded database server exited; the dashboard stops');
  });
});
