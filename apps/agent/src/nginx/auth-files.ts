import { chmodSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { htpasswdPath, renderHtpasswd, type ClusterSpec } from '@keepwatch/shared';
import { readOptional, writeAtomic } from '../state/files.js';
import type { Logger } from '../log.js';

/** What a staged write changed, and how to put the files back as they were (nginx/apply.ts ApplyFiles). */
export type StagedAuth = { changed: boolean; restore(): void };

const SUFFIX = '.htpasswd';

/**
 * The htpasswd files of the spec's basic-auth virtual servers, as the renderer names them
 * (`<dir>/<virtual server>.htpasswd`, renderNginxConfig's `authDir`). nginx's workers open the
 * file on each request, after dropping privileges, and the agent does not know their user (the
 * `user` line of a distribution's nginx.conf: www-data on Debian, nginx on RHEL; nobody when none),
 * so files are 0644 and the folder 0755: they hold password hashes (sha512-crypt or bcrypt), never
 * passwords. Written atomically before `nginx -t`, put back when the apply fails, pruned after an
 * apply that no longer names them.
 */
export class AuthFiles {
  constructor(readonly dir: string) {}

  /** Writes the files whose content differs from what is on disk. */
  stage(spec: ClusterSpec): StagedAuth {
    const wanted = spec.virtualServers.flatMap((vs) =>
      vs.access?.basicAuth
        ? [{ path: htpasswdPath(this.dir, vs.name), text: renderHtpasswd(vs.access.basicAuth) }]
        : [],
    );
    const before: { path: string; text: string | null }[] = [];
    const restore = () => {
      for (const b of before.splice(0).reverse()) {
        if (b.text === null) rmSync(b.path, { force: true });
        else writeAtomic(b.path, b.text, 0o644);
      }
    };
    if (wanted.length === 0) return { changed: false, restore };
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    chmodSync(this.dir, 0o755);
    try {
      for (const w of wanted) {
        const old = readOptional(w.path);
        if (old === w.text) continue;
        before.push({ path: w.path, text: old });
        writeAtomic(w.path, w.text, 0o644);
      }
    } catch (e) {
      restore();
      throw e;
    }
    return { changed: before.length > 0, restore };
  }

  /** Removes the htpasswd files of virtual servers without basic auth in `spec` (after it applied). */
  prune(spec: ClusterSpec): string[] {
    const keep = new Set(spec.virtualServers.filter((vs) => vs.access?.basicAuth).map((vs) => `${vs.name}${SUFFIX}`));
    let files: string[];
    try {
      files = readdirSync(this.dir);
    } catch {
      return [];
    }
    const gone = files.filter((f) => f.endsWith(SUFFIX) && !keep.has(f));
    for (const f of gone) rmSync(join(this.dir, f), { force: true });
    return gone;
  }

  /**
   * The first folder above `dir` that others cannot search (mode without o+x), or null. nginx's
   * workers, a user other than the agent's, cannot open a file below it: auth_basic then answers
   * 500 ("open() … failed (13: Permission denied)" in nginx's error log).
   */
  unsearchableParent(): string | null {
    for (let d = dirname(this.dir); ; d = dirname(d)) {
      try {
        if ((statSync(d).mode & 0o001) === 0) return d;
      } catch {
        return null; // not there yet: mkdir makes it 0755
      }
      if (d === dirname(d)) return null;
    }
  }
}

/** `a` and `b` staged together: changed when either is; restored in reverse order. */
export function bothStaged<T extends StagedAuth>(a: T | undefined, b: StagedAuth): StagedAuth {
  if (!a) return b;
  return {
    changed: a.changed || b.changed,
    restore: () => {
      b.restore();
      a.restore();
    },
  };
}

/** Stages the htpasswd files of `spec`, with a warning when nginx's workers could not reach them. */
export function stageAuth(auth: AuthFiles, spec: ClusterSpec, log: Logger): StagedAuth {
  const staged = auth.stage(spec);
  const blocked = spec.virtualServers.some((vs) => vs.access?.basicAuth) ? auth.unsearchableParent() : null;
  if (blocked)
    log.warn(
      { folder: blocked, authDir: auth.dir },
      "nginx's workers cannot reach the htpasswd files: make the folder searchable by others (o+x)",
    );
  return staged;
}
