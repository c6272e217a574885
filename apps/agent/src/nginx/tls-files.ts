import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { PushedCertificate } from '@keepwatch/shared';
import { readOptional } from '../state/files.js';

/** What a staged write changed, and how to put the files back as they were. */
export type StagedTls = {
  /** Some certificate or key file differs from before (a renewal with the same spec too). */
  changed: boolean;
  /** Restores every file this stage wrote to its content before (or removes it when it was new). Idempotent. */
  restore(): void;
};

/**
 * The certificates of pushed revisions on disk, as the renderer names them: `<dir>/<name>.pem`
 * (leaf + chain, 0644) and `<dir>/<name>.key` (0600, owned by the agent's user — root, so nginx's
 * master, which loads keys before dropping privileges, reads it; its workers never do). Written
 * atomically before `nginx -t`, put back when the apply fails, and pruned after an apply
 * succeeded without them.
 */
export class TlsFiles {
  constructor(readonly dir: string) {}

  /** Writes the files of `certs` whose content differs from what is on disk. */
  stage(certs: readonly PushedCertificate[]): StagedTls {
    // 0711: nginx needs to traverse, nobody needs to list; the keys themselves are 0600.
    mkdirSync(this.dir, { recursive: true, mode: 0o711 });
    const before: { path: string; text: string | null; mode: number }[] = [];
    const write = (path: string, text: string, mode: number) => {
      const old = readOptional(path);
      if (old === text) return;
      before.push({ path, text: old, mode });
      writeNew(path, text, mode);
    };
    const restore = () => {
      for (const b of before.splice(0).reverse()) {
        if (b.text === null) rmSync(b.path, { force: true });
        else writeNew(b.path, b.text, b.mode);
      }
    };
    try {
      for (const c of certs) {
        write(this.path(c.name, 'key'), c.keyPem, 0o600);
        write(this.path(c.name, 'pem'), c.certificatePem, 0o644);
      }
    } catch (e) {
      restore();
      throw e;
    }
    return { changed: before.length > 0, restore };
  }

  /** Removes the files of every certificate not in `keep` (after an apply that no longer names them). */
  prune(keep: readonly string[]): string[] {
    const names = new Set(keep.flatMap((n) => [`${n}.pem`, `${n}.key`]));
    let files: string[];
    try {
      files = readdirSync(this.dir);
    } catch {
      return [];
    }
    const gone = files.filter((f) => /\.(pem|key)$/.test(f) && !names.has(f));
    for (const f of gone) rmSync(join(this.dir, f), { force: true });
    return gone;
  }

  path(name: string, ext: 'pem' | 'key'): string {
    return join(this.dir, `${name}.${ext}`);
  }
}

/**
 * Writes `text` to a fresh temp file created with `mode` (never an existing one, which could be
 * wider: a key must not be readable by others for a moment), fsync, rename over `path`.
 */
function writeNew(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
