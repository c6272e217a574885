import type { Event } from '@keepwatch/vrrp';
import type { NativeNet } from '../transport/native.js';

/** What the link watch needs of an instance runner. */
export interface LinkWatched {
  readonly name: string;
  readonly iface: string;
  readonly trackedInterfaces: readonly string[];
  deliver(event: Event): Promise<void>;
}

/** How often links are polled (one ioctl per interface): fast enough for a cable pull to count. */
const LINK_POLL_MS = 50;

/**
 * Link state of each instance's interface and tracked interfaces, polled every LINK_POLL_MS; a
 * change is delivered as `interface-changed` (no `name` for the instance's own interface). The
 * first poll reports only links that are down (the machine assumes up).
 */
export class LinkWatch {
  private timer: ReturnType<typeof setInterval> | null = null;
  private runners: readonly LinkWatched[] = [];

  constructor(private readonly net: NativeNet) {}

  /**
   * Watches another set of instances without starting over (a pushed revision): the links already
   * known keep their last state, so nothing already reported is reported again; a new instance's
   * or newly tracked interface's first poll reports it only when it is down.
   */
  update(runners: readonly LinkWatched[]): void {
    this.runners = runners;
  }

  start(runners: readonly LinkWatched[]): void {
    this.stop();
    this.runners = runners;
    // Per runner object: a restarted instance is a new runner whose machine assumes every link up.
    const seen = new WeakMap<LinkWatched, Map<string, boolean>>();
    const poll = () => {
      for (const runner of this.runners) {
        const last = seen.get(runner) ?? new Map<string, boolean>();
        seen.set(runner, last);
        const names = [runner.iface, ...runner.trackedInterfaces];
        // An interface no longer tracked is forgotten: tracked again, it is reported afresh.
        for (const k of last.keys()) if (!names.includes(k)) last.delete(k);
        for (const name of names) {
          let up: boolean;
          try {
            up = this.net.interfaceInfo(name).up;
          } catch {
            up = false;
          }
          const before = last.get(name);
          last.set(name, up);
          if (before === undefined ? up : before === up) continue;
          void runner.deliver(
            name === runner.iface ? { type: 'interface-changed', up } : { type: 'interface-changed', up, name },
          );
        }
      }
    };
    poll();
    this.timer = setInterval(poll, LINK_POLL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
