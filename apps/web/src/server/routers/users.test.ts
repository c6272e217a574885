import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { apiForSuite, trpcError, type Api } from '../testing/api';
import { lookupSession } from '../services/auth';
import { readSessionToken } from '../auth/cookies';
import { referenceSpec } from '../../../test/fixtures';
import { makeContext } from '../context';
import { createCaller } from '../root';

describe('users', () => {
  let api: Api;
  apiForSuite((a) => {
    api = a;
  });

  it('an admin creates a user; the hash is argon2id and never returned', async () => {
    const u = await api.admin.users.create({
      username: 'carol',
      password: 'carol has a long password',
      role: 'operator',
    });
    expect(u).toMatchObject({ username: 'carol', role: 'operator', disabled: false, version: 1 });
    expect(u).not.toHaveProperty('passwordHash');
    expect((await api.db.prisma.user.findUniqueOrThrow({ where: { id: u.id } })).passwordHash).toMatch(/^\$argon2id\$/);
    expect(
      (
        await trpcError(
          api.admin.users.create({ username: 'carol', password: 'another long password', role: 'viewer' }),
        )
      ).message,
    ).toBe('username: a user named "carol" already exists');
  });

  it("a password change ends the user's sessions; the new password works", async () => {
    const { caller, cookies } = api.as(null, { sourceAddress: '192.0.2.50' });
    await caller.session.login({ username: 'carol', password: 'carol has a long password' });
    const token = readSessionToken(cookies[0]!.split(';')[0]);
    const u = (await api.admin.users.list()).find((x) => x.username === 'carol')!;
    await api.admin.users.setPassword({ id: u.id, version: u.version, password: 'carol changed her password' });
    expect(await lookupSession(api.db.prisma, token)).toBeNull();
    await expect(
      caller.session.login({ username: 'carol', password: 'carol changed her password' }),
    ).resolves.toMatchObject({ username: 'carol' });
    expect(
      (await trpcError(api.admin.users.setPassword({ id: u.id, version: u.version, password: 'a stale edit of it' })))
        .code,
    ).toBe('CONFLICT');
  });

  it('sign-out deletes the session and clears the cookie', async () => {
    const { caller, cookies } = api.as(null, { sourceAddress: '192.0.2.51' });
    await caller.session.login({ username: 'carol', password: 'carol changed her password' });
    const token = readSessionToken(cookies[0]!.split(';')[0]);
    const session = (await lookupSession(api.db.prisma, token))!;
    const cookieJar: string[] = [];
    const caller2 = createCaller(
      makeContext(api.deps, { user: session, sourceAddress: '192.0.2.51', setCookie: (c) => cookieJar.push(c) }),
    );
    await caller2.session.logout();
    expect(await lookupSession(api.db.prisma, token)).toBeNull();
    expect(cookieJar).toEqual(['kw_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0']);
  });
});

describe('node enrollment token', () => {
  let api: Api;
  apiForSuite((a) => {
    api = a;
  });

  it('is shown once, stored only as a hash, expires in an hour, and its issue is audited without it', async () => {
    const clusterId = (await api.admin.clusters.import({ spec: referenceSpec() })).id;
    const node = (await api.viewer.nodes.list({ clusterId }))[0]!;
    expect(node.enrolled).toBe(false);
    const before = Date.now();
    const { token, expiresAt } = await api.admin.nodes.issueEnrollToken({ id: node.id });
    expect(token).toMatch(/^kwe_[A-Za-z0-9_-]{32}$/);
    expect(expiresAt.getTime() - before).toBeGreaterThan(59 * 60_000);
    const row = await api.db.prisma.node.findUniqueOrThrow({ where: { id: node.id } });
    expect(row.enrollTokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'node.enroll-token' } });
    expect(JSON.stringify(audit.after)).not.toContain(token);
  });
});
