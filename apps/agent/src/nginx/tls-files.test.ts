import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushedCertificate } from '@keepwatch/shared';
import { TlsFiles } from './tls-files.js';

const cert = (name: string, serial: string): PushedCertificate => ({
  name,
  fingerprintSha256: serial.padEnd(64, '0'),
  certificatePem: `-----BEGIN CERTIFICATE-----\n${serial}\n-----END CERTIFICATE-----\n`,
  keyPem: `-----BEGIN PRIVATE KEY-----\n${serial}k\n-----END PRIVATE KEY-----\n`,
});

describe('TlsFiles', () => {
  let root = '';
  const files = () => {
    root = mkdtempSync(join(tmpdir(), 'kw-tls-files-'));
    return new TlsFiles(join(root, 'tls'));
  };
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes <name>.pem 0644 and <name>.key 0600, and reports a change', () => {
    const f = files();
    expect(f.stage([cert('www', 'a1')]).changed).toBe(true);
    expect(readFileSync(f.path('www', 'pem'), 'utf8')).toContain('a1');
    expect(statSync(f.path('www', 'pem')).mode & 0o777).toBe(0o644);
    expect(statSync(f.path('www', 'key')).mode & 0o777).toBe(0o600);
  });

  it('reports no change for the same certificates again', () => {
    const f = files();
    f.stage([cert('www', 'a1')]);
    expect(f.stage([cert('www', 'a1')]).changed).toBe(false);
  });

  it('reports a change for a renewal under the same name (new key and certificate)', () => {
    const f = files();
    f.stage([cert('www', 'a1')]);
    expect(f.stage([cert('www', 'b2')]).changed).toBe(true);
    expect(readFileSync(f.path('www', 'key'), 'utf8')).toContain('b2k');
  });

  it('puts the old files back on restore, and removes files that were new', () => {
    const f = files();
    f.stage([cert('www', 'a1')]);
    const staged = f.stage([cert('www', 'b2'), cert('api', 'c3')]);
    staged.restore();
    expect(readFileSync(f.path('www', 'pem'), 'utf8')).toContain('a1');
    expect(readFileSync(f.path('www', 'key'), 'utf8')).toContain('a1k');
    expect(statSync(f.path('www', 'key')).mode & 0o777).toBe(0o600);
    expect(() => statSync(f.path('api', 'pem'))).toThrow();
  });

  it('never writes a key into a wider temp file left behind', () => {
    const f = files();
    f.stage([]);
    const tmp = `${f.path('www', 'key')}.${process.pid}.tmp`;
    writeFileSync(tmp, 'old', { mode: 0o644 });
    f.stage([cert('www', 'a1')]);
    expect(statSync(f.path('www', 'key')).mode & 0o777).toBe(0o600);
  });

  it('prunes the files of certificates no longer pushed, and only .pem/.key files', () => {
    const f = files();
    f.stage([cert('www', 'a1'), cert('old', 'd4')]);
    writeFileSync(join(f.dir, 'README'), 'x');
    expect(f.prune(['www']).sort()).toEqual(['old.key', 'old.pem']);
    expect(statSync(f.path('www', 'key')).isFile()).toBe(true);
    expect(statSync(join(f.dir, 'README')).isFile()).toBe(true);
  });
});
