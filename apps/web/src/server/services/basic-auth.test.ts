import { describe, expect, it } from 'vitest';
import { PasswordHashSchema } from '@keepwatch/shared';
import { encrypt, verify } from 'unixcrypt';
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
      listen: [{ port: 80, defaultServer: false, ssl: false }],
      locations: [{ path: '/', pool: 'app', headers: [] }],
    });
  });
});
