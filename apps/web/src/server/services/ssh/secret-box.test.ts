import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSecretKey, openSecret, parseSecretKey, relocateLegacySecretKey, sealSecret } from './secret-box';
import { withTempDir } from '../../../../test/temp-dir';

const KEY = Buffer.alloc(32, 7);
const PEM = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';

describe('secret box (AES-256-GCM)', () => {
  it('opens what it sealed, for the same row', () => {
    expect(openSecret(KEY, sealSecret(KEY, PEM, 'row-1'), 'row-1')).toBe(PEM);
  });

  it('stores iv:tag:ciphertext in base64 with a fresh IV each time, never the plaintext', () => {
    const a = sealSecret(KEY, PEM, 'row-1');
    const b = sealSecret(KEY, PEM, 'row-1');
    expect(a).not.toBe(b);
    const [iv, tag, ct] = a.split(':').map((p) => Buffer.from(p, 'base64'));
    expect(iv).toHaveLength(12);
    expect(tag).toHaveLength(16);
    expect(ct).toHaveLength(Buffer.byteLength(PEM));
    expect(a).not.toContain('PRIVATE KEY');
  });

  it('refuses to open with another key', () => {
    expect(() => openSecret(Buffer.alloc(32, 8), sealSecret(KEY, PEM, 'row-1'), 'row-1')).toThrow(/cannot be opened/);
  });

  it('refuses to open a secret moved to another row (the row id is associated data)', () => {
    expect(() => openSecret(KEY, sealSecret(KEY, PEM, 'row-1'), 'row-2')).toThrow(/cannot be opened/);
  });

  it('refuses a tampered ciphertext', () => {
    const [iv, tag, ct] = sealSecret(KEY, PEM, 'row-1').split(':') as [string, string, string];
    const bytes = Buffer.from(ct, 'base64');
    bytes[0] = bytes[0]! ^ 1;
    expect(() => openSecret(KEY, `${iv}:${tag}:${bytes.toString('base64')}`, 'row-1')).toThrow(/cannot be opened/);
    expect(() => openSecret(KEY, 'not-sealed', 'row-1')).toThrow(/iv:tag:ciphertext/);
  });

  it('accepts a key as 64 hex digits or base64 and names the variable otherwise', () => {
    expect(parseSecretKey('ab'.repeat(32))).toEqual(Buffer.alloc(32, 0xab));
    expect(parseSecretKey(Buffer.alloc(32, 1).toString('base64'))).toEqual(Buffer.alloc(32, 1));
    expect(() => parseSecretKey('too-short')).toThrow(/^KEEPWATCH_SECRET_KEY: must be 32 bytes/);
  });

  describe('key source', () => {
    it('prefers the environment value over the data folder', () => {
      withTempDir('kw-secret-', (dir) => {
        expect(loadSecretKey({ envValue: 'cd'.repeat(32), file: join(dir, 'secret.key') })).toEqual(
          Buffer.alloc(32, 0xcd),
        );
      });
    });

    it('creates the key file (mode 0600) once and reads the same key afterwards', () => {
      withTempDir('kw-secret-', (dir) => {
        const file = join(dir, 'state', 'secret.key');
        const k1 = loadSecretKey({ file });
        expect(statSync(file).mode & 0o777).toBe(0o600);
        expect(loadSecretKey({ file })).toEqual(k1);
      });
    });

    it('refuses a key file that others can read', () => {
      withTempDir('kw-secret-', (dir) => {
        writeFileSync(join(dir, 'secret.key'), 'ab'.repeat(32));
        chmodSync(join(dir, 'secret.key'), 0o644);
        expect(() => loadSecretKey({ file: join(dir, 'secret.key') })).toThrow(
          /must not be readable by group or others/,
        );
      });
    });
  });
  describe('relocateLegacySecretKey', () => {
    it('moves a key file from inside the data folder to the key file path, keeping the key', () => {
      withTempDir('kw-secret-', (dir) => {
        const legacyFile = join(dir, 'data', 'secret.key');
        const old = loadSecretKey({ file: legacyFile });
        const file = join(dir, 'secret.key');
        expect(relocateLegacySecretKey({ file, legacyFile })).toBe('moved');
        expect(existsSync(legacyFile)).toBe(false);
        expect(statSync(file).mode & 0o777).toBe(0o600);
        expect(loadSecretKey({ file })).toEqual(old);
      });
    });

    it('leaves both files alone when the key file exists already', () => {
      withTempDir('kw-secret-', (dir) => {
        const legacyFile = join(dir, 'data', 'secret.key');
        const file = join(dir, 'secret.key');
        loadSecretKey({ file: legacyFile });
        const kept = loadSecretKey({ file });
        expect(relocateLegacySecretKey({ file, legacyFile })).toBe('both');
        expect(existsSync(legacyFile)).toBe(true);
        expect(loadSecretKey({ file })).toEqual(kept);
      });
    });

    it('does nothing when there is no key file in the data folder', () => {
      withTempDir('kw-secret-', (dir) => {
        const file = join(dir, 'secret.key');
        expect(relocateLegacySecretKey({ file, legacyFile: join(dir, 'data', 'secret.key') })).toBe('none');
        expect(existsSync(file)).toBe(false);
      });
    });
  });
});
