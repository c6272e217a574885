/**
 * The hub's writing side of node live state: it tells the writer what it heard; the writer
 * stores it in batches (one UPDATE per column family per flush for all nodes), so 1000 agents
 * heartbeating every second cost a few statements per second, not 1000. Readers and the liveness
 * rule are in services/node-status.ts.
 */
import type { CheckResultMessage, HeartbeatMessage } from '@keepwatch/shared';
import type { Logger } from '../logger';
import type { Db } from '../services/types';

/** How often the writer flushes what the hub heard. */
export const DEF_LIVE_FLUSH_MS = 1000;
/** An unchanged heartbeat is still stored this often, so the stored one's agent time stays recent. */
export const DEF_LIVE_STATE_REFRESH_MS = 30_000;
/**
 * A node that is only heard from (nothing changed) is still announced this often, so pages
 * showing its last-seen age refresh without polling; well under the 15 s offline limit.
 */
export const DEF_SEEN_ANNOUNCE_MS = 5000;

/** A heartbeat's content without its send time: two heartbeats with the same key need no write. */
export function heartbeatKey(hb: HeartbeatMessage): string {
  const { at: _at, ...rest } = hb;
  return JSON.stringify(rest);
}

export interface NodeRef {
  id: string;
  clusterId: string;
}

export interface LiveStateWriterOptions {
  db: Db;
  log: Logger;
  flushMs?: number;
  liveStateRefreshMs?: number;
  seenAnnounceMs?: number;
  now?: () => number;
  /**
   * Called after a flush with the nodes whose stored heartbeat or check results changed, and
   * those only heard from when last announced `seenAnnounceMs` ago or more.
   */
  onFlushed?: (changed: NodeRef[]) => void;
}

interface Pending {
  clusterId: string;
  lastSeenAt: number | null;
  heartbeat: HeartbeatMessage | null;
  /** heartbeatKey(heartbeat), computed once when the heartbeat arrived. */
  heartbeatKey: string | null;
  checks: Record<string, CheckResultMessage> | null;
}

/**
 * Batches what the hub hears into the Node row: `lastSeenAt` for every node heard from since
 * the last flush in one UPDATE, changed heartbeats in a second, check results in a third. A
 * heartbeat is written when its content changed (ignoring `at`) or `liveStateRefreshMs` after
 * the last write. Writes never move `lastSeenAt` backwards (two instances may both hold a node
 * for a moment during a reconnect).
 */
export class LiveStateWriter {
  private pending = new Map<string, Pending>();
  /** Per node: the key of the stored heartbeat and when it was written. */
  private stored = new Map<string, { key: string; at: number }>();
  /** Per node: when its lastSeenAt was last announced. */
  private announced = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private flushing: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly refreshMs: number;

  constructor(private readonly opts: LiveStateWriterOptions) {
    this.now = opts.now ?? Date.now;
    this.refreshMs = opts.liveStateRefreshMs ?? DEF_LIVE_STATE_REFRESH_MS;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.opts.flushMs ?? DEF_LIVE_FLUSH_MS);
  }

  private entry(node: NodeRef): Pending {
    let p = this.pending.get(node.id);
    if (!p) {
      p = { clusterId: node.clusterId, lastSeenAt: null, heartbeat: null, heartbeatKey: null, checks: null };
      this.pending.set(node.id, p);
    }
    return p;
  }

  /** The hub heard a frame from the node at `at` (dashboard clock, epoch ms). */
  seen(node: NodeRef, at: number = this.now()): void {
    const p = this.entry(node);
    p.lastSeenAt = Math.max(p.lastSeenAt ?? 0, at);
  }

  /**
   * The node's current heartbeat (also after the hub patched it with a transition). `key` is its
   * heartbeatKey when the caller has it already (the hub compares keys on every heartbeat).
   */
  heartbeat(node: NodeRef, hb: HeartbeatMessage, key: string = heartbeatKey(hb)): void {
    const last = this.stored.get(node.id);
    if (last && last.key === key && this.now() - last.at < this.refreshMs) {
      // Back to what is stored (e.g. a state that flipped and flipped back within one flush):
      // a pending, now outdated heartbeat must not be written over it.
      const p = this.pending.get(node.id);
      if (p) {
        p.heartbeat = null;
        p.heartbeatKey = null;
      }
      return;
    }
    const p = this.entry(node);
    p.heartbeat = hb;
    p.heartbeatKey = key;
  }

  checkResult(node: NodeRef, m: CheckResultMessage): void {
    const p = this.entry(node);
    (p.checks ??= {})[m.check] = m;
  }

  /** Forget a node's stored-heartbeat key (its next heartbeat is written even if unchanged). */
  forget(nodeId: string): void {
    this.stored.delete(nodeId);
    this.announced.delete(nodeId);
  }

  /** Writes what is pending; concurrent calls share one flush. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    if (this.pending.size === 0) return Promise.resolve();
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.write(batch)
      .catch((err: unknown) => {
        // Put the batch back (newer values win) so the next flush retries it: the database may be
        // down for a moment; liveness must not be lost for it.
        for (const [id, p] of batch) {
          const cur = this.pending.get(id);
          if (!cur) this.pending.set(id, p);
          else {
            cur.lastSeenAt = Math.max(cur.lastSeenAt ?? 0, p.lastSeenAt ?? 0) || null;
            if (!cur.heartbeat) {
              cur.heartbeat = p.heartbeat;
              cur.heartbeatKey = p.heartbeatKey;
            }
            cur.checks = p.checks || cur.checks ? { ...p.checks, ...cur.checks } : null;
          }
        }
        this.opts.log.warn({ err, nodes: batch.size }, 'live state not written; will retry');
      })
      .finally(() => {
        this.flushing = null;
      });
    return this.flushing;
  }

  private async write(batch: Map<string, Pending>): Promise<void> {
    const seen: [string, string][] = [];
    const states: [string, string, string][] = [];
    const checks: [string, string][] = [];
    for (const [id, p] of batch) {
      if (p.lastSeenAt !== null) seen.push([id, new Date(p.lastSeenAt).toISOString()]);
      if (p.heartbeat) states.push([id, JSON.stringify(p.heartbeat), p.heartbeatKey ?? heartbeatKey(p.heartbeat)]);
      if (p.checks) checks.push([id, JSON.stringify(p.checks)]);
    }
    const db = this.opts.db;
    // unnest over parallel arrays: one statement whatever the number of nodes.
    if (seen.length > 0) {
      await db.$executeRaw`UPDATE "Node" AS n SET "lastSeenAt" = v.at::timestamptz
        FROM unnest(${seen.map((s) => s[0])}::text[], ${seen.map((s) => s[1])}::text[]) AS v(id, at)
        WHERE n.id = v.id::uuid AND (n."lastSeenAt" IS NULL OR n."lastSeenAt" < v.at::timestamptz)`;
    }
    if (states.length > 0) {
      await db.$executeRaw`UPDATE "Node" AS n SET "liveState" = v.s::jsonb
        FROM unnest(${states.map((s) => s[0])}::text[], ${states.map((s) => s[1])}::text[]) AS v(id, s)
        WHERE n.id = v.id::uuid`;
      const at = this.now();
      for (const [id, , key] of states) this.stored.set(id, { key, at });
    }
    if (checks.length > 0) {
      await db.$executeRaw`UPDATE "Node" AS n SET "checkResults" = n."checkResults" || v.c::jsonb
        FROM unnest(${checks.map((c) => c[0])}::text[], ${checks.map((c) => c[1])}::text[]) AS v(id, c)
        WHERE n.id = v.id::uuid`;
    }
    const now = this.now();
    const every = this.opts.seenAnnounceMs ?? DEF_SEEN_ANNOUNCE_MS;
    const changed = [...batch]
      .filter(
        ([id, p]) =>
          p.heartbeat || p.checks || (p.lastSeenAt !== null && now - (this.announced.get(id) ?? -Infinity) >= every),
      )
      .map(([id, p]) => ({ id, clusterId: p.clusterId }));
    for (const c of changed) this.announced.set(c.id, now);
    if (changed.length > 0) this.opts.onFlushed?.(changed);
  }

  /** Stops the timer and writes what is still pending. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
