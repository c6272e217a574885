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

  constructor(private readonly net: NativeNet) {}

  start(runners: readonly LinkWatched[]): void {
    this.stop();
    const last = new Map<string, boolean>();
    const poll = () => {
      for (const runner of runners) {
        for (const name of [runner.iface, ...runner.trackedInterfaces]) {
          let up: boolean;
          try {
            up = this.net.interfaceInfo(name).up;
          } catch {
            up = false;
          }
          const key = `${runner.name}/${name}`;
          const before = last.get(key);
          last.set(key, up);
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
