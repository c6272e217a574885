import { join } from 'node:path';
import type { VrrpInstance } from '@keepwatch/shared';
import type { Logger } from '../log.js';
import { DEF_WARM_RESTART_MAX_AGE_MS } from '../config/defaults.js';
import { readOptional, writePrivate } from './files.js';
import { parseWarmState, resumesAsMaster, WARM_STATE_FILE, type WarmAdvert, type WarmState } from './warm-format.js';

export type WarmStateOptions = {
  /**
   * When this process began: a restart is judged by the file's age then, not after the modules
   * loaded — the same moment the start-up replay judged it (warm-start/replay.ts).
   */
  startedAt?: number;
  /** An instance's last advert as sent (VrrpTransport.lastSent), saved for the start-up replay. */
  lastAdvert?: (instance: string) => WarmAdvert | undefined;
};

/**
 * `stateDir/vrrp-state.json`: each instance's VRRP state and last advert, refreshed while the agent
 * runs, so a restart within a moment resumes as master instead of flapping the VIPs (warm
 * restart), and the restarted process can repeat the advert before its modules have loaded.
 * Mode 0600: a VRRPv2 advert carries the simple-text password.
 */
export class WarmStateFile {
  constructor(
    private readonly stateDir: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly options: WarmStateOptions = {},
  ) {}

  private get path(): string {
    return join(this.stateDir, WARM_STATE_FILE);
  }

  /**
   * The instances that resume as master: the file, refreshed every DEF_WARM_STATE_REFRESH_MS
   * while running, said master less than 3 advert intervals ago (resumesAsMaster).
   */
  resuming(instances: readonly VrrpInstance[]): Set<string> {
    const warm = parseWarmState(readOptional(this.path));
    const at = this.options.startedAt ?? this.now();
    const out = new Set<string>();
    for (const instance of instances)
      if (resumesAsMaster(warm, instance.name, instance.advertIntervalMs, at, DEF_WARM_RESTART_MAX_AGE_MS))
        out.add(instance.name);
    return out;
  }

  /** Records each instance's state now, and a master's last advert. */
  save(states: readonly { name: string; state: string }[]): void {
    const instances: WarmState['instances'] = {};
    for (const s of states) {
      const advert = s.state === 'master' ? this.options.lastAdvert?.(s.name) : undefined;
      instances[s.name] = advert ? { state: s.state, advert } : { state: s.state };
    }
    try {
      // Not fsynced: it is rewritten every advert interval, and worthless after a reboot.
      writePrivate(this.path, JSON.stringify({ savedAt: this.now(), instances } satisfies WarmState), {
        durable: false,
      });
    } catch (e) {
      this.log.warn({ err: e }, 'cannot save warm-restart state');
    }
  }

  /** After a graceful stop nothing is held: a restart must not resume as master. */
  saveStopped(): void {
    try {
      writePrivate(this.path, JSON.stringify({ savedAt: 0, instances: {} } satisfies WarmState));
    } catch {
      // no state dir: nothing to forget
    }
  }
}
