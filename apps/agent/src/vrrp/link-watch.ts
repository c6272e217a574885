import type { Event } from '@keepwatch/vrrp';
import type { NativeNet, Watcher } from '../transport/native.js';

/** What the link watch needs of an instance runner. */
export interface LinkWatched {
  readonly name: string;
  readonly iface: string;
  readonly trackedInterfaces: readonly string[];
  deliver(event: Event): Promise<void>;
}

export type LinkNet = Pick<NativeNet, 'interfaceInfo' | 'openLinkEvents' | 'readLinkEvents' | 'closeFd' | 'Watcher'>;

/**
 * Link state of each instance's interface and tracked interfaces, told by the kernel (rtnetlink
 * RTMGRP_LINK events, native/netlink.cc) instead of polled; a change is delivered as
 * `interface-changed` (no `name` for the instance's own interface). A link is first read when it
 * starts being watched and reported only if it is down (the machine assumes up). When the kernel
 * dropped events (its buffer overran), every link is read again.
 */
export class LinkWatch {
  private runners: readonly LinkWatched[] = [];
  private fd = -1;
  private watcher: Watcher | null = null;
  /** Per runner object: a restarted instance is a new runner whose machine assumes every link up. */
  private seen = new WeakMap<LinkWatched, Map<string, boolean>>();

  constructor(private readonly net: LinkNet) {}

  /**
   * Watches another set of instances without starting over (a pushed revision): the links already
   * known keep their last state, so nothing already reported is reported again; a new instance's
   * or newly tracked interface's link is read now and reported only when it is down.
   */
  update(runners: readonly LinkWatched[]): void {
    this.runners = runners;
    if (this.fd >= 0) this.check(null);
  }

  start(runners: readonly LinkWatched[]): void {
    this.stop();
    this.runners = runners;
    this.seen = new WeakMap();
    // Subscribed before the first read: a change between the two is not lost.
    this.fd = this.net.openLinkEvents();
    this.watcher = new this.net.Watcher(this.fd, (status) => {
      const events = status < 0 ? null : this.net.readLinkEvents(this.fd);
      this.check(events === null ? 'all' : new Set(events.map((e) => e.name)));
    });
    this.check('all');
  }

  stop(): void {
    this.watcher?.stop();
    this.watcher = null;
    if (this.fd >= 0) this.net.closeFd(this.fd);
    this.fd = -1;
  }

  /**
   * Reads the links named (all; or only those not known yet when null) for every runner and
   * delivers what changed. The state is read, not taken from the event: several events for one
   * link in a batch end in the state now.
   */
  private check(changed: Set<string> | 'all' | null): void {
    for (const runner of this.runners) {
      const last = this.seen.get(runner) ?? new Map<string, boolean>();
      this.seen.set(runner, last);
      const names = [runner.iface, ...runner.trackedInterfaces];
      // An interface no longer tracked is forgotten: tracked again, it is reported afresh.
      for (const k of last.keys()) if (!names.includes(k)) last.delete(k);
      for (const name of names) {
        const before = last.get(name);
        if (before !== undefined && changed !== 'all' && !changed?.has(name)) continue;
        let up: boolean;
        try {
          up = this.net.interfaceInfo(name).up;
        } catch {
          up = false;
        }
        last.set(name, up);
        if (before === undefined ? up : before === up) continue;
        void runner.deliver(
          name === runner.iface ? { type: 'interface-changed', up } : { type: 'interface-changed', up, name },
        );
      }
    }
  }
}
