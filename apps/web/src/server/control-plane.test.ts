import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlane } from './control-plane';
import {
  ADMIN_PASSWORD,
  controlPlaneEnv,
  serveControlPlane,
  type ControlPlaneServer,
} from './testing/control-plane-server';

describe('control plane over HTTP', () => {
  let cp: ControlPlane;
  let server: ControlPlaneServer | undefined;
  let base: string;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const db = await controlPlaneEnv();
    drop = db.drop;
    server = await serveControlPlane(db.env);
    ({ cp, base } = server);
  });
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/api/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ json: body }),
    });

  it('the environment created the first admin, who signs in and gets an httpOnly SameSite cookie', async () => {
    const res = await post(
      'session.login',
      { username: 'admin', password: ADMIN_PASSWORD },
      { origin: base, 'sec-fetch-site': 'same-origin' },
    );
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^kw_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    const me = await fetch(`${base}/api/trpc/session.me`, { headers: { cookie: cookie.split(';')[0]! } });
    expect((await me.json()).result.data.json).toMatchObject({ username: 'admin', role: 'admin' });
  });

  it('anonymous calls are refused with 401, and the error names the field on bad input', async () => {
    expect((await fetch(`${base}/api/trpc/clusters.list`)).status).toBe(401);
    const res = await post('session.login', { username: '', password: 'x' });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.json.message).toMatch(/^username: /);
    expect(body.error.json.data).toMatchObject({ code: 'BAD_REQUEST', field: 'username' });
  });

  it.each<{ name: string; headers: Record<string, string> }>([
    { name: 'a cross-origin POST', headers: { origin: 'http://evil.example' } },
    { name: 'a cross-site fetch', headers: { 'sec-fetch-site': 'cross-site' } },
    { name: 'a form POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  ])('$name is refused before any procedure runs (CSRF)', async ({ headers }) => {
    const before = await cp.db.prisma.auditLog.count();
    const res = await post('session.login', { username: 'admin', password: ADMIN_PASSWORD }, headers);
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await cp.db.prisma.auditLog.count()).toBe(before);
  });

  it('refuses an oversized request body', async () => {
    const res = await post('session.login', { username: 'admin', password: 'x'.repeat(5 * 1024 * 1024) });
    expect(res.status).toBe(413);
  });

  it('serves Prometheus metrics, login failures included', async () => {
    await post('session.login', { username: 'admin', password: 'not the password' });
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/keepwatch_login_failures_total\{reason="bad-credentials"\} 1/);
    expect(text).toContain('keepwatch_logins_total 1');
    expect(text).toContain('keepwatch_agents_connected 0');
    expect(text).toContain('keepwatch_config_revisions_created_total 0');
  });

  it('leaves other paths to Next', async () => {
    expect(await (await fetch(`${base}/`)).text()).toBe('next would serve this');
  });
});
