import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { VrrpInstance } from '@keepwatch/shared';
import type { Logger } from '../log.js';
import { DEF_WARM_RESTART_MAX_AGE_MS } from '../config/defaults.js';
import { writePrivate } from './files.js';
import { readWarmState, resumesAsMaster, WARM_STATE_FILE, type WarmAdvert, type WarmState } from './warm-format.js';

/** A master's adverts touch the file at most this often (many instances share one file). */
const TOUCH_MIN_SPACING_MS = 20;
/**
 * More writes than this within BURST_WINDOW_MS (a mass takeover: hundreds of instances change
 * state, then send their first advert) are coalesced into one trailing write: each write renames
 * the whole file, and 400 of them took half of the event loop's time in a 200-instance takeover.
 */
const BURST_WRITES = 4;
const BURST_WINDOW_MS = 20;

export type WarmStateOptions = {
  /**
   * When this process began: a restart is judged by the file's age then, not after the modules
   * loaded — the same moment the start-up replay judged it (warm-start/replay.ts).
   */
  startedAt?: number;
};

/**
 * `stateDir/vrrp-state.json`: each instance's VRRP state and a master's last advert, so a restart
 * within a moment resumes as master instead of flapping the VIPs (warm restart), and the restarted
 * process can repeat the advert before its modules have loaded. No timer: the content is written
 * when it changes (a transition, an advert with other bytes), and each master advert sets the
 * file's mtime — "master as of this advert" — which is what a restart judges the age by.
 * Mode 0600: a VRRPv2 advert carries the simple-text password.
 */
export class WarmStateFile {
  private states = new Map<string, string>();
  private readonly adverts = new Map<string, WarmAdvert>();
  private written = '';
  private touchedAt = 0;
  private recentWrites: number[] = [];
  private trailing: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly stateDir: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly options: WarmStateOptions = {},
  ) {}

  private get path(): string {
    return join(this.stateDir, WARM_STATE_FILE);
  }

  /** The instances that resume as master (resumesAsMaster, judged at `startedAt`). */
  resuming(instances: readonly VrrpInstance[]): Set<string> {
    const warm = readWarmState(this.path);
    const at = this.options.startedAt ?? this.now();
    const out = new Set<string>();
    for (const instance of instances)
      if (resumesAsMaster(warm, instance.name, instance.advertIntervalMs, at, DEF_WARM_RESTART_MAX_AGE_MS))
        out.add(instance.name);
    return out;
  }

  /** Records each instance's state now (every transition; the instances that run). */
  save(states: readonly { name: string; state: string }[]): void {
    this.states = new Map(states.map((s) => [s.name, s.state]));
    for (const name of this.adverts.keys()) if (!this.states.has(name)) this.adverts.delete(name);
    this.write();
  }

  /** An advert went out: a master's is kept for the replay, and dates the file. */
  advertSent(name: string, advert: WarmAdvert): void {
    if (this.states.get(name) !== 'master') return;
    const before = this.adverts.get(name);
    this.adverts.set(name, advert);
    if (!before || !sameAdvert(before, advert)) return this.write();
    const now = this.now();
    if (now - this.touchedAt < TOUCH_MIN_SPACING_MS) return;
    this.touchedAt = now;
    try {
      utimesSync(this.path, now / 1000, now / 1000);
    } catch {
      this.write();
    }
  }

  /** After a graceful stop nothing is held: a restart must not resume as master. */
  saveStopped(): void {
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = null;
    this.states.clear();
    this.adverts.clear();
    try {
      writePrivate(this.path, JSON.stringify({ savedAt: 0, instances: {} } satisfies WarmState));
    } catch {
      // no state dir: nothing to forget
    }
  }

  private write(): void {
    if (this.trailing) return; // the trailing write carries this change too
    const now = this.now();
    this.recentWrites = this.recentWrites.filter((t) => now - t < BURST_WINDOW_MS);
    if (this.recentWrites.length >= BURST_WRITES) {
      this.trailing = setTimeout(() => {
        this.trailing = null;
        this.writeNow();
      }, BURST_WINDOW_MS);
      return;
    }
    this.recentWrites.push(now);
    this.writeNow();
  }

  private writeNow(): void {
    const instances: WarmState['instances'] = {};
    for (const [name, state] of this.states) {
      const advert = state === 'master' ? this.adverts.get(name) : undefined;
      instances[name] = advert ? { state, advert } : { state };
    }
    const now = this.now();
    const content = JSON.stringify({ savedAt: now, instances } satisfies WarmState);
    try {
      // Not fsynced: it is rewritten on every change and worthless after a reboot.
      writePrivate(this.path, content, { durable: false });
      this.written = content;
      this.touchedAt = now;
    } catch (e) {
      if (content !== this.written) this.log.warn({ err: e }, 'cannot save warm-restart state');
    }
  }
}

function sameAdvert(a: WarmAdvert, b: WarmAdvert): boolean {
  return (
    a.ifname === b.ifname &&
    a.src === b.src &&
    a.intervalMs === b.intervalMs &&
    a.packets.length === b.packets.length &&
    a.packets.every((p, i) => p.dst === b.packets[i]!.dst && p.hex === b.packets[i]!.hex)
  );
}
