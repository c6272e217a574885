import { describe, expect, it } from 'vitest';
import type { Event } from '@keepwatch/vrrp';
import type { LinkEvent } from '../transport/native.js';
import { LinkWatch, type LinkNet, type LinkWatched } from './link-watch.js';

/** The kernel as the link watch sees it: link states, queued events, one readable callback. */
function fakeKernel(links: Record<string, boolean>) {
  let onReadable: ((status: number) => void) | null = null;
  let queued: LinkEvent[] | null = [];
  let reads = 0;
  const net: LinkNet = {
    interfaceInfo(name) {
      reads++;
      if (!(name in links)) throw new Error(`no ${name}`);
      return { index: 1, mac: '00:00:5e:00:01:01', up: links[name]! };
    },
    openLinkEvents: () => 7,
    readLinkEvents: () => {
      const out = queued;
      queued = [];
      return out;
    },
    closeFd: () => {},
    Watcher: class {
      constructor(_fd: number, cb: (status: number) => void) {
        onReadable = cb;
      }
      stop() {
        onReadable = null;
      }
    },
  };
  return {
    net,
    reads: () => reads,
    /** A link changes: the state, then the event, then the socket is readable. */
    set(name: string, up: boolean) {
      links[name] = up;
      queued?.push({ index: 1, name, up });
      onReadable?.(0);
    },
    /** The kernel's buffer overran: events lost, the next read says so. */
    overrun(name: string, up: boolean) {
      links[name] = up;
      queued = null;
      onReadable?.(0);
    },
  };
}

function runner(iface: string, tracked: string[] = []): LinkWatched & { events: Event[] } {
  const events: Event[] = [];
  return {
    name: 'VI_1',
    iface,
    trackedInterfaces: tracked,
    events,
    deliver: (e) => {
      events.push(e);
      return Promise.resolve();
    },
  };
}

describe('LinkWatch (link state from the kernel, not polled)', () => {
  it('reports nothing at start for links that are up', () => {
    const k = fakeKernel({ eth0: true });
    const r = runner('eth0');
    new LinkWatch(k.net).start([r]);
    expect(r.events).toEqual([]);
  });

  it('reports a link that is down at start', () => {
    const k = fakeKernel({ eth0: false });
    const r = runner('eth0');
    new LinkWatch(k.net).start([r]);
    expect(r.events).toEqual([{ type: 'interface-changed', up: false }]);
  });

  it("delivers the instance's own link going down and up, without a name", () => {
    const k = fakeKernel({ eth0: true });
    const r = runner('eth0');
    new LinkWatch(k.net).start([r]);
    k.set('eth0', false);
    k.set('eth0', true);
    expect(r.events).toEqual([
      { type: 'interface-changed', up: false },
      { type: 'interface-changed', up: true },
    ]);
  });

  it('delivers a tracked link with its name', () => {
    const k = fakeKernel({ eth0: true, eth1: true });
    const r = runner('eth0', ['eth1']);
    new LinkWatch(k.net).start([r]);
    k.set('eth1', false);
    expect(r.events).toEqual([{ type: 'interface-changed', up: false, name: 'eth1' }]);
  });

  it('does not read links no event named (no polling)', () => {
    const k = fakeKernel({ eth0: true, eth1: true, eth2: true });
    new LinkWatch(k.net).start([runner('eth0', ['eth1'])]);
    const before = k.reads();
    k.set('eth2', false);
    expect(k.reads()).toBe(before);
  });

  it('reads every link again when the kernel dropped events', () => {
    const k = fakeKernel({ eth0: true });
    const r = runner('eth0');
    new LinkWatch(k.net).start([r]);
    k.overrun('eth0', false);
    expect(r.events).toEqual([{ type: 'interface-changed', up: false }]);
  });

  it('a link that disappears counts as down', () => {
    const links: Record<string, boolean> = { eth0: true, eth1: true };
    const k = fakeKernel(links);
    const r = runner('eth0', ['eth1']);
    new LinkWatch(k.net).start([r]);
    delete links.eth1;
    k.set('eth0', true);
    k.overrun('eth0', true);
    expect(r.events).toEqual([{ type: 'interface-changed', up: false, name: 'eth1' }]);
  });

  it('an update reads only the newly watched links, and reports them only when down', () => {
    const k = fakeKernel({ eth0: true, eth1: false });
    const a = runner('eth0');
    const w = new LinkWatch(k.net);
    w.start([a]);
    const b = runner('eth1');
    w.update([a, b]);
    expect(a.events).toEqual([]);
    expect(b.events).toEqual([{ type: 'interface-changed', up: false }]);
  });

  it('nothing is delivered after stop', () => {
    const k = fakeKernel({ eth0: true });
    const r = runner('eth0');
    const w = new LinkWatch(k.net);
    w.start([r]);
    w.stop();
    k.set('eth0', false);
    expect(r.events).toEqual([]);
  });
});
