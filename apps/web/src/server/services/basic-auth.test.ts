import { describe, expect, it } from 'vitest';
import { PasswordHashSchema } from '@keepwatch/shared';
import { encrypt, verify } from 'unixcrypt';
import { apiWithClusterForSuite } from '../testing/api';
import { VirtualServerInputSchema, hashBasicAuthPassword } from './basic-auth';

const vs = (users: unknown[]) => ({
  name: 'admin',
  listen: [{ port: 80 }],
  locations: [{ path: '/', pool: 'app' }],
  access: { basicAuth: { users } },
});

describe('basic-auth passwords', () => {
  it("hashes with sha512-crypt as glibc does (Drepper's test vector)", () => {
    expect(encrypt('Hello world!', '$6$saltstring')).toBe(
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    );
  });

  it('gives a $6$ hash with a fresh 16-character salt that the spec accepts and that verifies', () => {
    const a = hashBasicAuthPassword('correct horse');
    const b = hashBasicAuthPassword('correct horse');
    expect(a).toMatch(/^\$6\$[./A-Za-z0-9]{16}\$[./A-Za-z0-9]{86}$/);
    expect(a).not.toBe(b);
    expect(PasswordHashSchema.safeParse(a).success).toBe(true);
    expect(verify('correct horse', a)).toBe(true);
    expect(verify('wrong horse', a)).toBe(false);
  });

  it('turns a password in the API input into a hash, and keeps a hash given as it is', () => {
    const kept = hashBasicAuthPassword('kept password');
    const out = VirtualServerInputSchema.parse(
      vs([
        { name: 'alice', password: 'alice password' },
        { name: 'bob', passwordHash: kept },
      ]),
    );
    const users = out.access?.basicAuth?.users ?? [];
    expect(users.map((u) => u.name)).toEqual(['alice', 'bob']);
    expect(verify('alice password', users[0]!.passwordHash)).toBe(true);
    expect(users[1]!.passwordHash).toBe(kept);
    expect(JSON.stringify(out)).not.toContain('alice password');
  });

  it('refuses a short password, naming the field', () => {
    const r = VirtualServerInputSchema.safeParse(vs([{ name: 'alice', password: 'short' }]));
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain('access.basicAuth.users.0.password');
  });

  it('passes a virtual server without access list through unchanged', () => {
    const plain = { name: 'web', listen: [{ port: 80 }], locations: [{ path: '/', pool: 'app' }] };
    expect(VirtualServerInputSchema.parse(plain)).toEqual({
      ...plain,
      serverNames: [],
      listen: [{ port: 80, defaultServer: false }],
      locations: [{ path: '/', pool: 'app', headers: [] }],
    });
  });
});

describe('basic-auth users through the API', () => {
  const suite = apiWithClusterForSuite();

  it('stores a hash of the password, shows it to admins only, and audits neither', async () => {
    const { api, clusterId } = suite;
    const pool = (await api.admin.pools.list({ clusterId }))[0]!.pool.name;
    await api.admin.virtualServers.create({
      clusterId,
      virtualServer: {
        name: 'private',
        listen: [{ port: 8081 }],
        locations: [{ path: '/', pool }],
        access: { basicAuth: { users: [{ name: 'alice', password: 'alice password' }] } },
      },
    });
    const mine = (
      list: { virtualServer: { name: string; access?: { basicAuth?: { users: { passwordHash: string }[] } } } }[],
    ) => list.find((v) => v.virtualServer.name === 'private')?.virtualServer.access?.basicAuth?.users[0]?.passwordHash;
    const hash = mine(await api.admin.virtualServers.list({ clusterId }));
    expect(verify('alice password', hash ?? '')).toBe(true);
    expect(mine(await api.viewer.virtualServers.list({ clusterId }))).toBe('(redacted)');
    const rec = await api.db.prisma.auditLog.findFirstOrThrow({
      where: { action: 'virtualServer.create' },
      orderBy: { seq: 'desc' },
    });
    const shown = JSON.stringify(rec.after);
    expect(shown).toContain('(redacted)');
    expect(shown).not.toContain(hash);
    expect(shown).not.toContain('alice password');
  });
});
