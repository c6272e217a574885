import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { VrrpInstance } from '@keepwatch/shared';
import type { Logger } from '../log.js';
import { DEF_WARM_RESTART_MAX_AGE_MS } from '../config/defaults.js';
import { readOptional, writeAtomic } from './files.js';

/** What the agent persists for a warm restart: each instance's last state and when. */
type WarmState = { savedAt: number; instances: Record<string, { state: string; promoted?: boolean }> };

/**
 * `stateDir/vrrp-state.json`: each instance's VRRP state, refreshed while the agent runs, so a
 * restart within a moment resumes as master instead of flapping the VIPs (warm restart).
 */
export class WarmStateFile {
  constructor(
    private readonly stateDir: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  private get path(): string {
    return join(this.stateDir, 'vrrp-state.json');
  }

  private read(): WarmState | null {
    const text = readOptional(this.path);
    if (text === null) return null;
    try {
      return JSON.parse(text) as WarmState;
    } catch {
      return null;
    }
  }

  /**
   * The instances that resume as master: the file, refreshed every DEF_WARM_STATE_REFRESH_MS
   * while running, said master less than 3 advert intervals ago — before any peer's
   * Master_Down_Timer (3 intervals plus skew) could have fired.
   */
  resuming(instances: readonly VrrpInstance[]): Set<string> {
    const warm = this.read();
    const out = new Set<string>();
    for (const instance of instances) {
      if (warm?.instances[instance.name]?.state !== 'master') continue;
      const age = this.now() - warm.savedAt;
      if (age >= 0 && age < Math.min(3 * instance.advertIntervalMs, DEF_WARM_RESTART_MAX_AGE_MS))
        out.add(instance.name);
    }
    return out;
  }

  /** Records each instance's state now. */
  save(states: readonly { name: string; state: string }[]): void {
    const instances: WarmState['instances'] = {};
    for (const s of states) instances[s.name] = { state: s.state };
    try {
      mkdirSync(this.stateDir, { recursive: true });
      writeAtomic(this.path, JSON.stringify({ savedAt: this.now(), instances } satisfies WarmState));
    } catch (e) {
      this.log.warn({ err: e }, 'cannot save warm-restart state');
    }
  }

  /** After a graceful stop nothing is held: a restart must not resume as master. */
  saveStopped(): void {
    try {
      writeAtomic(this.path, JSON.stringify({ savedAt: 0, instances: {} } satisfies WarmState));
    } catch {
      // no state dir: nothing to forget
    }
  }
}
