import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file atomically: a temporary file in the same folder, fsync, rename — a reader (nginx,
 * a restarted agent) sees the old content or the new, never a torn file. `mode` is applied to
 * the new file (0644 by default). `durable: false` skips the fsync: still atomic for a process
 * that crashes, not across a power loss — for a file that is stale after a reboot anyway.
 */
export function writeAtomic(path: string, content: string, mode = 0o644, opts: { durable?: boolean } = {}): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode); // the umask cannot widen it, but an existing temp file might be wider
  if (opts.durable !== false) {
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  renameSync(tmp, path);
}

/**
 * Writes a private file atomically, mode 0600, creating its folder (0700): the state directory
 * holds the node credential, and a revision's spec can hold VRRP passwords.
 */
export function writePrivate(path: string, content: string, opts: { durable?: boolean } = {}): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeAtomic(path, content, 0o600, opts);
}

/** The file's text, or null when it does not exist or cannot be read. */
export function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
