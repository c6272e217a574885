import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FingerprintSchema, HostKeyChangedError, hostKeyOf, sameFingerprint } from './fingerprint';
import { withTempDir } from '../../../../test/temp-dir';

/** A fresh key made by OpenSSH's own ssh-keygen, with the fingerprint ssh-keygen prints for it. */
function opensshKey(type: 'ed25519' | 'ecdsa' | 'rsa'): { blob: Buffer; fingerprint: string } {
  return withTempDir('kw-fp-', (dir) => {
    const file = join(dir, 'key');
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', file, ...(type === 'rsa' ? ['-b', '2048'] : [])]);
    const pub = readFileSync(`${file}.pub`, 'utf8').split(' ');
    const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' }).split(
      ' ',
    )[1]!;
    return { blob: Buffer.from(pub[1]!, 'base64'), fingerprint: printed };
  });
}

describe('host key fingerprints', () => {
  it.each([
    { type: 'ed25519' as const, keyType: 'ssh-ed25519' },
    { type: 'ecdsa' as const, keyType: 'ecdsa-sha2-nistp256' },
    { type: 'rsa' as const, keyType: 'ssh-rsa' },
  ])('match what ssh-keygen -l -E sha256 prints for an $type key', ({ type, keyType }) => {
    const k = opensshKey(type);
    expect(hostKeyOf(k.blob)).toEqual({ fingerprint: k.fingerprint, keyType });
    expect(FingerprintSchema.safeParse(k.fingerprint).success).toBe(true);
  });

  it('compare equal only when identical', () => {
    const a = opensshKey('ed25519').fingerprint;
    const b = opensshKey('ed25519').fingerprint;
    expect(sameFingerprint(a, a)).toBe(true);
    expect(sameFingerprint(a, b)).toBe(false);
    expect(sameFingerprint(a, a.slice(0, -1))).toBe(false);
  });

  it('a key blob without a readable type still gets a fingerprint', () => {
    expect(hostKeyOf(Buffer.from([0xff, 0xff, 0xff, 0xff])).keyType).toBe('unknown');
  });

  it('refuse the wrong shapes (MD5 form, padding, missing prefix)', () => {
    for (const bad of ['MD5:12:34', `SHA256:${'A'.repeat(43)}=`, 'A'.repeat(43)])
      expect(FingerprintSchema.safeParse(bad).success).toBe(false);
  });

  it('a changed host key is refused with both fingerprints named', () => {
    const e = new HostKeyChangedError(
      '192.0.2.5:22',
      { fingerprint: 'SHA256:old', keyType: 'ssh-ed25519' },
      { fingerprint: 'SHA256:new', keyType: 'ssh-ed25519' },
    );
    expect(e.message).toMatch(/^HOST KEY CHANGED for 192\.0\.2\.5:22/);
    expect(e.message).toContain('SHA256:old');
    expect(e.message).toContain('SHA256:new');
    expect(e.message).toContain('refused');
  });
});
