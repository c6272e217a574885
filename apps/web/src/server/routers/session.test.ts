import { describe, expect, it } from 'vitest';
import { apiForSuite, PASSWORD, trpcError, type Api } from '../testing/api';
import { lookupSession } from '../services/auth';
import { readSessionToken } from '../auth/cookies';
import { createFirstAdmin, SESSION_IDLE_MS } from '../services/auth';

describe('session', () => {
  let api: Api;
  apiForSuite((a) => {
    api = a;
  });

  it('signs in with the right password: an httpOnly SameSite cookie whose token opens the session', async () => {
    const { caller, cookies } = api.as(null);
    const me = await caller.session.login({ username: 'operator1', password: PASSWORD });
    expect(me).toMatchObject({ username: 'operator1', role: 'operator' });
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^kw_session=[A-Za-z0-9_-]{40,}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    const token = readSessionToken(cookies[0]!.split(';')[0]);
    expect(await lookupSession(api.db.prisma, token)).toMatchObject({ username: 'operator1', role: 'operator' });
    // Only the token's hash is stored.
    const stored = await api.db.prisma.session.findMany({ where: { userId: api.users.operator.id } });
    expect(JSON.stringify(stored)).not.toContain(token!);
    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ orderBy: { seq: 'desc' } });
    expect(audit).toMatchObject({ action: 'auth.login', actor: 'operator1', sourceAddress: '198.51.100.9' });
  });

  it('ends a session unused for SESSION_IDLE_MS (2 h), and keeps one in use alive by touching it', async () => {
    const signIn = async () => {
      const { caller, cookies } = api.as(null);
      await caller.session.login({ username: 'viewer1', password: PASSWORD });
      return readSessionToken(cookies[0]!.split(';')[0])!;
    };
    const idle = await signIn();
    const used = await signIn();
    const t0 = new Date();
    // `used` is looked up an hour in, so it was last used 1 h before the 2 h check below.
    const hourLater = new Date(t0.getTime() + 60 * 60 * 1000);
    expect(await lookupSession(api.db.prisma, used, hourLater)).toMatchObject({ username: 'viewer1' });
    const later = new Date(t0.getTime() + SESSION_IDLE_MS + 1000);
    expect(await lookupSession(api.db.prisma, idle, later)).toBeNull();
    expect(await lookupSession(api.db.prisma, used, later)).toMatchObject({ username: 'viewer1' });
    // The idle one is gone for good, not only refused.
    expect(await lookupSession(api.db.prisma, idle, t0)).toBeNull();
  });

  it('refuses a wrong password and an unknown user alike, and audits both', async () => {
    const { caller } = api.as(null, { sourceAddress: '203.0.113.1' });
    const a = await trpcError(caller.session.login({ username: 'viewer1', password: 'wrong password!' }));
    const b = await trpcError(caller.session.login({ username: 'nobody', password: 'wrong password!' }));
    expect([a.code, a.message]).toEqual(['UNAUTHORIZED', 'wrong username or password']);
    expect([b.code, b.message]).toEqual(['UNAUTHORIZED', 'wrong username or password']);
    const failed = await api.db.prisma.auditLog.findMany({
      where: { action: 'auth.login.failed' },
      orderBy: { seq: 'asc' },
    });
    expect(failed.map((r) => [(r.after as { username: string }).username, r.sourceAddress])).toEqual([
      ['viewer1', '203.0.113.1'],
      ['nobody', '203.0.113.1'],
    ]);
  });

  it('rate-limits sign-in: after 5 failures for a username even the right password is refused for a while', async () => {
    const { caller } = api.as(null, { sourceAddress: '203.0.113.2' });
    for (let i = 0; i < 5; i++)
      expect((await trpcError(caller.session.login({ username: 'admin1', password: `guess ${i}` }))).code).toBe(
        'UNAUTHORIZED',
      );
    const e = await trpcError(caller.session.login({ username: 'admin1', password: PASSWORD }));
    expect(e.code).toBe('TOO_MANY_REQUESTS');
    const metrics = await api.deps.metrics.registry.getSingleMetricAsString('keepwatch_login_failures_total');
    expect(metrics).toMatch(/keepwatch_login_failures_total\{reason="rate-limited"\} 1/);
    expect(metrics).toMatch(/keepwatch_login_failures_total\{reason="bad-credentials"\} 7/);
  });

  it('a disabled user cannot sign in, and their sessions stop working', async () => {
    const { caller, cookies } = api.as(null, { sourceAddress: '203.0.113.3' });
    await caller.session.login({ username: 'viewer1', password: PASSWORD });
    const token = readSessionToken(cookies[0]!.split(';')[0]);
    const u = (await api.admin.users.list()).find((x) => x.username === 'viewer1')!;
    await api.admin.users.update({ id: u.id, version: u.version, disabled: true });
    expect(await lookupSession(api.db.prisma, token)).toBeNull();
    expect((await trpcError(caller.session.login({ username: 'viewer1', password: PASSWORD }))).code).toBe(
      'UNAUTHORIZED',
    );
  });

  it('the last enabled admin cannot be demoted', async () => {
    const u = (await api.admin.users.list()).find((x) => x.username === 'admin1')!;
    const e = await trpcError(api.admin.users.update({ id: u.id, version: u.version, role: 'viewer' }));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(/^role: this is the last enabled admin/);
  });

  it('the first admin is created only while there is none: no default password, no reset by a leftover variable', async () => {
    expect(
      await createFirstAdmin(api.db.prisma, { username: 'root', password: 'another long password' }, 'env'),
    ).toEqual({ created: false, reason: 'an admin exists already' });
  });

  it('me answers null for anonymous and the user when signed in', async () => {
    expect(await api.anonymous.session.me()).toBeNull();
    expect(await api.operator.session.me()).toMatchObject({ username: 'operator1', role: 'operator' });
  });
});
