import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ClusterSpecSchema, type ClusterSpec } from '@keepwatch/shared';
import { AuthFiles } from './auth-files.js';

const HASH = '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1';

function spec(users: Record<string, string[]>): ClusterSpec {
  return ClusterSpecSchema.parse({
    name: 'c',
    nodes: [{ name: 'lb1', interfaces: ['eth0'] }],
    pools: [{ name: 'app', servers: [{ address: '198.51.100.11', port: 8080 }] }],
    virtualServers: Object.entries(users).map(([name, names], i) => ({
      name,
      listen: [{ port: 8000 + i }],
      locations: [{ path: '/', pool: 'app' }],
      ...(names.length
        ? { access: { basicAuth: { users: names.map((n) => ({ name: n, passwordHash: HASH })) } } }
        : {}),
    })),
  });
}

const dirs: string[] = [];
function authDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'kw-auth-'));
  dirs.push(root);
  return join(root, 'nginx-auth');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('AuthFiles', () => {
  it('writes one htpasswd file per basic-auth virtual server, 0644 in a 0755 folder', () => {
    const files = new AuthFiles(authDir());
    const staged = files.stage(spec({ admin: ['alice', 'bob'], open: [] }));
    expect(staged.changed).toBe(true);
    const path = join(files.dir, 'admin.htpasswd');
    expect(readFileSync(path, 'utf8')).toBe(`alice:${HASH}\nbob:${HASH}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(statSync(files.dir).mode & 0o777).toBe(0o755);
    expect(existsSync(join(files.dir, 'open.htpasswd'))).toBe(false);
  });

  it('reports no change when the files already hold the users', () => {
    const files = new AuthFiles(authDir());
    files.stage(spec({ admin: ['alice'] }));
    expect(files.stage(spec({ admin: ['alice'] })).changed).toBe(false);
  });

  it('puts the old users back when the apply is rolled back, and removes a new file', () => {
    const files = new AuthFiles(authDir());
    files.stage(spec({ admin: ['alice'] }));
    const staged = files.stage(spec({ admin: ['bob'], other: ['carol'] }));
    staged.restore();
    expect(readFileSync(join(files.dir, 'admin.htpasswd'), 'utf8')).toBe(`alice:${HASH}\n`);
    expect(existsSync(join(files.dir, 'other.htpasswd'))).toBe(false);
  });

  it('prunes the files of virtual servers that lost basic auth, and nothing else', () => {
    const files = new AuthFiles(authDir());
    files.stage(spec({ admin: ['alice'], other: ['carol'] }));
    writeFileSync(join(files.dir, 'notes.txt'), 'x');
    expect(files.prune(spec({ admin: ['alice'], other: [] }))).toEqual(['other.htpasswd']);
    expect(existsSync(join(files.dir, 'admin.htpasswd'))).toBe(true);
    expect(existsSync(join(files.dir, 'notes.txt'))).toBe(true);
  });

  it('names a parent folder that nginx workers of another user cannot search', () => {
    const dir = authDir();
    const parent = dirname(dir);
    chmodSync(parent, 0o700);
    expect(new AuthFiles(dir).unsearchableParent()).toBe(parent);
    chmodSync(parent, 0o711);
    mkdirSync(dir);
    expect(new AuthFiles(dir).unsearchableParent()).toBeNull();
  });
});
