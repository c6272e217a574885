/**
 * Encryption at rest for the SSH private keys an admin asks the dashboard to keep (most keys are
 * used once and never stored). AES-256-GCM with a random 96-bit IV per seal and the row's id as
 * associated data, so a sealed key copied into another row does not open. Stored as
 * `iv:tag:ciphertext`, each base64 (the SshHost.encryptedPrivateKey format).
 *
 * The 32-byte key comes from KEEPWATCH_SECRET_KEY (64 hex digits or base64 of 32 bytes) or, when
 * that is unset, from the key file (KEEPWATCH_SECRET_KEY_FILE, default `secret.key` beside the data
 * folder), created on first use with mode 0600. Losing the key only loses the stored private keys
 * (re-enter them); it must not be in the database backup, which is why it is neither in the
 * database nor in the embedded database's folder.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Parses a 32-byte key given as 64 hex digits or as base64; throws naming the variable. */
export function parseSecretKey(text: string, what = 'KEEPWATCH_SECRET_KEY'): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t)
    ? Buffer.from(t, 'hex')
    : /^[A-Za-z0-9+/]{43}=?$/.test(t)
      ? Buffer.from(t, 'base64')
      : null;
  if (!key || key.length !== 32)
    throw new Error(`${what}: must be 32 bytes as 64 hex digits or base64 (e.g. \`openssl rand -hex 32\`)`);
  return key;
}

/**
 * The key from the environment's value, or from `file` (created when missing).
 * A key file readable by others is refused: it would make the encryption pointless.
 */
export function loadSecretKey(opts: { envValue?: string | undefined; file: string }): Buffer {
  if (opts.envValue) return parseSecretKey(opts.envValue);
  const file = opts.file;
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`${file}: ${(e as Error).message}`, { cause: e });
  }
  if (text === null) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    text = readFileSync(file, 'utf8');
  }
  if ((statSync(file).mode & 0o077) !== 0)
    throw new Error(`${file}: the secret key file must not be readable by group or others (chmod 600)`);
  return parseSecretKey(text, file);
}

/**
 * Moves a key file that an older version created inside the data folder (`legacyFile`) to `file`,
 * so that copies of the data folder stop carrying it. Nothing to do when `file` exists already
 * (then a leftover legacy file is reported, not touched) or when there is no legacy file.
 */
export function relocateLegacySecretKey(opts: { file: string; legacyFile: string }): 'moved' | 'both' | 'none' {
  if (opts.file === opts.legacyFile || !existsSync(opts.legacyFile)) return 'none';
  if (existsSync(opts.file)) return 'both';
  mkdirSync(dirname(opts.file), { recursive: true, mode: 0o700 });
  try {
    renameSync(opts.legacyFile, opts.file);
  } catch (e) {
    // Another file system (e.g. /etc vs /var/lib): copy, keep it private, then remove the old one.
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    copyFileSync(opts.legacyFile, opts.file);
    chmodSync(opts.file, 0o600);
    unlinkSync(opts.legacyFile);
  }
  return 'moved';
}

/** Encrypts `plaintext`, bound to `context` (the owning row's id). */
export function sealSecret(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), ct].map((b) => b.toString('base64')).join(':');
}

/**
 * Decrypts what {@link sealSecret} made for the same `context`. Throws on a wrong key, a wrong
 * context or any change to the stored text (GCM authentication).
 */
export function openSecret(key: Buffer, sealed: string, context: string): string {
  const parts = sealed.split(':');
  if (parts.length !== 3) throw new Error('sealed secret: expected iv:tag:ciphertext');
  const [iv, tag, ct] = parts.map((p) => Buffer.from(p, 'base64')) as [Buffer, Buffer, Buffer];
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('sealed secret: bad iv or tag length');
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
  } catch (e) {
    throw new Error('sealed secret: cannot be opened (wrong key, wrong row, or the stored text was changed)', {
      cause: e,
    });
  }
}
