/**
 * What the heartbeat says about nginx beyond its master (issue #17 item 5): how many old workers
 * of a reload are still draining, and whether the rendered file on disk is still the one the
 * agent wrote. Both are read when a heartbeat is built — no polling of their own.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { MAX_HAND_EDIT_JSON_BYTES, type HandEditReplaced } from '@keepwatch/shared';
import { procStat } from '../health/kinds/process.js';
import { readOptional, writePrivate } from '../state/files.js';

/** The title nginx gives a worker of an older generation after a reload (ngx_process_cycle.c). */
const DRAINING_TITLE = 'nginx: worker process is shutting down';

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The master's children: from `/proc/PID/task/PID/children` (one read; nginx's master has one
 * thread), else by a scan of /proc for their parent (kernels without CONFIG_PROC_CHILDREN).
 */
function childrenOf(master: number): number[] {
  try {
    return readFileSync(`/proc/${master}/task/${master}/children`, 'latin1').split(' ').filter(Boolean).map(Number);
  } catch {
    return readdirSync('/proc')
      .map(Number)
      .filter((pid) => Number.isInteger(pid) && procStat(pid)?.ppid === master);
  }
}

/**
 * The master's children whose title says they are shutting down: an old generation's workers
 * still serving their open connections. Read from /proc (no `ps`): nginx rewrites its argv, so
 * `/proc/PID/cmdline` holds the title.
 */
export function drainingWorkers(master: number): number {
  let n = 0;
  for (const pid of childrenOf(master)) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith(DRAINING_TITLE)) n++;
    } catch {
      // gone since
    }
  }
  return n;
}

/** Drift of the rendered file: whether it is what the agent wrote last, and its hash when not. */
export type Drift = { drifted: boolean; onDiskSha256?: string | null };

/**
 * Remembers the hash of what the agent wrote (or found identical) and compares the file on disk
 * with it. The file is hashed again only when its inode, size, mtime or ctime changed, so a
 * heartbeat costs one stat. With `statePath` the hash is kept across restarts, so the start's
 * apply knows a hand edit made while the agent was down (a hash, not a render: an upgraded
 * renderer's different output is not a hand edit).
 */
export class RenderedFileDrift {
  private expected: string | null;
  private cache: { key: string; sha: string | null } | null = null;
  /** While the agent itself rewrites the file (an apply), what `check` said before it began. */
  private held: Drift | null | undefined = undefined;

  constructor(
    private readonly path: string,
    private readonly statePath?: string,
  ) {
    const kept = statePath === undefined ? null : readOptional(statePath);
    const m = kept === null ? null : /"sha256":"([0-9a-f]{64})"/.exec(kept);
    this.expected = m?.[1] ?? null;
  }

  /** The agent wrote `content` (or the file already held it): this is the file as it should be. */
  wrote(content: string): void {
    const sha = sha256(content);
    if (sha === this.expected) return;
    this.expected = sha;
    if (this.statePath === undefined) return;
    try {
      // Stale after a power loss is fine: it is compared with the file, never trusted for more.
      writePrivate(this.statePath, JSON.stringify({ sha256: sha }), { durable: false });
    } catch {
      // Best effort: without it, a hand edit made while the agent is down goes unreported.
    }
  }

  /** The hash the file should have; null before the agent wrote it. */
  get expectedSha256(): string | null {
    return this.expected;
  }

  /** The hash of the file on disk (null when missing). */
  onDisk(): string | null {
    let key: string;
    try {
      const st = statSync(this.path, { bigint: true });
      key = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    } catch {
      this.cache = null;
      return null;
    }
    if (this.cache?.key !== key) {
      let sha: string | null;
      try {
        sha = sha256(readFileSync(this.path));
      } catch {
        sha = null;
      }
      this.cache = { key, sha };
    }
    return this.cache.sha;
  }

  /**
   * Runs `change` (an apply) with `check` answering what it said before: the file is briefly the
   * candidate, or restored, before the agent knows which it keeps — not a hand edit.
   */
  async during<T>(change: () => Promise<T>): Promise<T> {
    this.held = this.check();
    try {
      return await change();
    } finally {
      this.held = undefined;
    }
  }

  /** Nothing written yet: no drift to report (the file is not the agent's yet). */
  check(): Drift | null {
    if (this.held !== undefined) return this.held;
    if (this.expected === null) return null;
    const onDisk = this.onDisk();
    return onDisk === this.expected ? { drifted: false } : { drifted: true, onDiskSha256: onDisk };
  }
}

/** Control characters the protocol's text refuses (all C0 but tab, LF, CR; DEL) become U+FFFD. */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * The replaced file for an apply-result: printable, and cut so its JSON encoding stays within
 * MAX_HAND_EDIT_JSON_BYTES (the message has a size limit; the hash still covers the whole file).
 */
export function handEditReplaced(onDisk: Buffer): HandEditReplaced {
  const clean = onDisk.toString('utf8').replace(UNPRINTABLE, '\ufffd');
  const jsonBytes = (s: string) => Buffer.byteLength(JSON.stringify(s)) - 2;
  if (jsonBytes(clean) <= MAX_HAND_EDIT_JSON_BYTES)
    return { onDiskSha256: sha256(onDisk), text: clean, truncated: false };
  // Binary search for the longest prefix that fits (escapes make the size non-linear in length).
  let lo = 0;
  let hi = Math.min(clean.length, MAX_HAND_EDIT_JSON_BYTES);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (jsonBytes(clean.slice(0, mid)) <= MAX_HAND_EDIT_JSON_BYTES) lo = mid;
    else hi = mid - 1;
  }
  // Never end on half a surrogate pair.
  const cut = /[\ud800-\udbff]$/.test(clean.slice(0, lo)) ? lo - 1 : lo;
  return { onDiskSha256: sha256(onDisk), text: clean.slice(0, cut), truncated: true };
}
