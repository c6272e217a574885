import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { legacySecretKeyFile, loadEnv, secretKeyFile } from './env';
import { withTempDir } from '../test/temp-dir';

describe('loadEnv', () => {
  it('defaults to the embedded database in a local folder, port 3000, no admin', () => {
    const env = loadEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env).toMatchObject({
      KEEPWATCH_DATA_DIR: '.keepwatch/data',
      PORT: 3000,
      KEEPWATCH_SECURE_COOKIES: false,
      KEEPWATCH_ALLOWED_ORIGINS: [],
    });
    expect(env.KEEPWATCH_ADMIN_PASSWORD).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    expect(loadEnv({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('reads a PostgreSQL URL, a port and allowed origins', () => {
    const env = loadEnv({
      DATABASE_URL: 'postgresql://kw@db.example/kw',
      PORT: '8080',
      KEEPWATCH_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      KEEPWATCH_SECURE_COOKIES: '1',
    });
    expect(env).toMatchObject({
      DATABASE_URL: 'postgresql://kw@db.example/kw',
      PORT: 8080,
      KEEPWATCH_ALLOWED_ORIGINS: ['https://a.example', 'https://b.example'],
      KEEPWATCH_SECURE_COOKIES: true,
    });
  });

  it('reads the key pins to announce to agents, and names the variable for a bad one', () => {
    const pin = `sha256/${'A'.repeat(43)}=`;
    expect(loadEnv({ KEEPWATCH_AGENT_PINS: ` ${pin} ,` }).KEEPWATCH_AGENT_PINS).toEqual([pin]);
    expect(() => loadEnv({ KEEPWATCH_AGENT_PINS: 'md5/abc' })).toThrow(/KEEPWATCH_AGENT_PINS/);
  });

  it('names each bad variable', () => {
    expect(() => loadEnv({ DATABASE_URL: 'mysql://x', PORT: 'eighty' })).toThrow(
      /DATABASE_URL: must be a postgresql:\/\/ URL\nPORT: /,
    );
  });
  it('keeps the secret key file beside the data folder, not inside it', () => {
    const env = loadEnv({ KEEPWATCH_DATA_DIR: '/var/lib/keepwatch/data' });
    expect(secretKeyFile(env)).toBe('/var/lib/keepwatch/secret.key');
    expect(legacySecretKeyFile(env)).toBe('/var/lib/keepwatch/data/secret.key');
  });

  it('takes the secret key file from KEEPWATCH_SECRET_KEY_FILE', () => {
    const env = loadEnv({
      KEEPWATCH_DATA_DIR: '/var/lib/keepwatch/data',
      KEEPWATCH_SECRET_KEY_FILE: '/etc/keepwatch/secret.key',
    });
    expect(secretKeyFile(env)).toBe('/etc/keepwatch/secret.key');
  });
  it('keeps using a key file left inside the data folder while none is beside it', () => {
    withTempDir('kw-env-', (dir) => {
      const env = loadEnv({ KEEPWATCH_DATA_DIR: join(dir, 'data') });
      mkdirSync(join(dir, 'data'));
      writeFileSync(join(dir, 'data', 'secret.key'), 'ab'.repeat(32));
      expect(secretKeyFile(env)).toBe(join(dir, 'data', 'secret.key'));
      writeFileSync(join(dir, 'secret.key'), 'cd'.repeat(32));
      expect(secretKeyFile(env)).toBe(join(dir, 'secret.key'));
    });
  });
});
