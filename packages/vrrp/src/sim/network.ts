// An in-memory segment of VRRP routers (STYLE §F33, after etcd rafttest/network.go and
// hashicorp's Disconnect/Partition): each router runs the real state machine, its actions are
// carried out the way the shell must (README: shell contract), and its adverts travel through the
// real codec, with seeded loss, delay, duplication and partitions, on a fake clock that jumps to
// the next deadline or delivery. No real timers, no real time.
import { decodeAdvert, encodeAdvert } from '../codec/advert.js';
import { VRRP_MULTICAST_V4, VRRP_MULTICAST_V6, VRRP_TTL } from '../codec/constants.js';
import type { Advert } from '../codec/types.js';
import type { Action } from '../machine/actions.js';
import { assertNever } from '../machine/assert-never.js';
import type { InstanceConfig } from '../machine/config.js';
import type { Event } from '../machine/events.js';
import { advertFor, initialState, nextDeadline, step } from '../machine/instance.js';
import { effectivePriority } from '../machine/priority.js';
import type { InstanceState } from '../machine/state.js';
import { FakeClock } from './fake-clock.js';
import { SeededRng } from './prng.js';
import { actionLabel, eventLabel } from './trace.js';
import type { LinkConditions, Queued, Router, SimOptions, SimRouterView, SimStats } from './types.js';

/** Thrown when the machine's actions break the shell contract; the simulation stops at once. */
export class ShellContractError extends Error {}

const DEFAULT_CONDITIONS: LinkConditions = { lossRate: 0, duplicateRate: 0, delayMinMs: 1, delayMaxMs: 1 };
const MAX_STEPS_PER_RUN = 50_000_000;

/**
 * The segment. Deterministic: the same seed, routers and calls give the same trace.
 * Not re-entrant; drive it from one place (a scenario or a test).
 */
export class SimNetwork {
  /** The fake clock; read it, do not set it (use `runUntil`). */
  readonly clock: FakeClock;
  /** Counters over the run. */
  readonly stats: SimStats = {
    advertsSent: 0,
    copiesDelivered: 0,
    copiesLost: 0,
    copiesDuplicated: 0,
    transitions: 0,
    drops: 0,
  };
  private readonly rng: SeededRng;
  private readonly routers = new Map<string, Router>();
  private readonly queue: Queued[] = [];
  private readonly lines: string[] = [];
  private readonly wire: 'codec' | 'objects';
  private readonly traceLevel: 'summary' | 'full';
  private conditions: LinkConditions;
  private groups: readonly (readonly string[])[] | null = null;
  private seq = 0;
  private observer: ((net: SimNetwork) => void) | null = null;

  constructor(options: SimOptions) {
    this.rng = new SeededRng(options.seed);
    this.clock = new FakeClock(0);
    this.conditions = { ...DEFAULT_CONDITIONS, ...options.conditions };
    this.wire = options.wire ?? 'codec';
    this.traceLevel = options.trace ?? 'summary';
  }

  /** Current simulated time, ms. */
  get now(): number {
    return this.clock.now();
  }

  /** Add a router (not started). Names must be unique; so must primary addresses. */
  addRouter(name: string, config: InstanceConfig): void {
    if (this.routers.has(name)) throw new Error(`router ${name} already exists`);
    initialState(config); // validate now, not at start
    this.routers.set(name, { name, config, alive: false, state: null, holdsVips: false });
  }

  /** Every router, in name order. */
  view(): SimRouterView[] {
    return [...this.routers.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((r) => ({ name: r.name, config: r.config, alive: r.alive, state: r.state, holdsVips: r.holdsVips }));
  }

  /** One router. */
  router(name: string): SimRouterView {
    const r = this.get(name);
    return { name: r.name, config: r.config, alive: r.alive, state: r.state, holdsVips: r.holdsVips };
  }

  /** Start a router's process: a fresh instance (with `config`'s persisted flags) and `startup`. */
  start(name: string, config?: InstanceConfig): void {
    const r = this.get(name);
    if (r.alive) throw new Error(`router ${name} is already running`);
    if (config) r.config = config;
    this.note(`start ${name}`);
    r.alive = true;
    r.state = initialState(r.config);
    this.feed(r, { type: 'startup' });
  }

  /** Graceful stop: `shutdown` (priority 0, remove VIPs), then the process exits. */
  shutdown(name: string): void {
    const r = this.get(name);
    if (!r.alive) return;
    this.note(`shutdown ${name}`);
    this.feed(r, { type: 'shutdown' });
    r.alive = false;
    r.state = null;
  }

  /** The host dies: no priority 0, its VIPs vanish with it, packets to it are lost. */
  crash(name: string): void {
    const r = this.get(name);
    if (!r.alive) return;
    this.note(`crash ${name}`);
    r.alive = false;
    r.state = null;
    r.holdsVips = false;
  }

  /** Deliver an event (track-changed, interface-changed, admin …) to a running router now. */
  inject(name: string, event: Event): void {
    const r = this.get(name);
    if (!r.alive) throw new Error(`router ${name} is not running`);
    this.feed(r, event);
  }

  /**
   * Split the segment: adverts cross only within a group. A router in no group is alone.
   * Copies in flight are checked when they arrive.
   */
  partition(groups: readonly (readonly string[])[]): void {
    this.groups = groups.map((g) => [...g]);
    this.note(`partition ${groups.map((g) => `[${g.join(' ')}]`).join(' ')}`);
  }

  /** Join the segment again. */
  heal(): void {
    this.groups = null;
    this.note('heal');
  }

  /** Change loss, duplication or delay from now on. */
  setConditions(conditions: Partial<LinkConditions>): void {
    this.conditions = { ...this.conditions, ...conditions };
    const c = this.conditions;
    this.note(
      `conditions loss ${c.lossRate * 100}% dup ${c.duplicateRate * 100}% delay ${c.delayMinMs}..${c.delayMaxMs} ms`,
    );
  }

  /** Current link conditions. */
  currentConditions(): LinkConditions {
    return { ...this.conditions };
  }

  /** Whether adverts from `a` reach `b` now. */
  reachable(a: string, b: string): boolean {
    if (this.groups === null) return true;
    return this.groups.some((g) => g.includes(a) && g.includes(b));
  }

  /** The connected components now (each a sorted list of router names). */
  components(): string[][] {
    const names = [...this.routers.keys()].sort();
    if (this.groups === null) return [names];
    const seen = new Set<string>();
    const out: string[][] = [];
    for (const g of this.groups) {
      const members = names.filter((n) => g.includes(n) && !seen.has(n));
      members.forEach((n) => seen.add(n));
      if (members.length) out.push(members);
    }
    for (const n of names) if (!seen.has(n)) out.push([n]);
    return out;
  }

  /** Run `fn` at simulated time `at` (≥ now), in order with deliveries at the same time. */
  at(at: number, fn: () => void): void {
    if (at < this.now) throw new Error(`cannot schedule at ${at}, now is ${this.now}`);
    this.queue.push({ kind: 'call', at, seq: this.seq++, run: fn });
  }

  /** Called after every step of the simulation (for invariant checks). */
  observe(fn: ((net: SimNetwork) => void) | null): void {
    this.observer = fn;
  }

  /**
   * Advance to `endMs`: repeatedly jump the clock to the earliest scheduled call, delivery or
   * router deadline, and process it (calls and deliveries at equal times in scheduling order,
   * then the ticks of every router whose deadline has come, in name order).
   */
  runUntil(endMs: number): void {
    for (let n = 0; n < MAX_STEPS_PER_RUN; n++) {
      let qi = -1;
      for (let i = 0; i < this.queue.length; i++) {
        const q = this.queue[i];
        const best = qi >= 0 ? this.queue[qi] : undefined;
        if (q && (!best || q.at < best.at || (q.at === best.at && q.seq < best.seq))) qi = i;
      }
      const q = qi >= 0 ? this.queue[qi] : undefined;
      let deadline: number | null = null;
      for (const r of this.routers.values()) {
        const d = r.alive && r.state ? nextDeadline(r.state) : null;
        if (d !== null && (deadline === null || d < deadline)) deadline = d;
      }
      const next = Math.min(q?.at ?? Infinity, deadline ?? Infinity);
      if (next > endMs) {
        this.clock.set(Math.max(this.now, endMs));
        return;
      }
      this.clock.set(Math.max(this.now, next));
      if (q && q.at <= (deadline ?? Infinity)) {
        this.queue.splice(qi, 1);
        if (q.kind === 'call') q.run();
        else this.deliver(q);
      } else {
        for (const r of [...this.routers.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
          const d = r.alive && r.state ? nextDeadline(r.state) : null;
          if (d !== null && d <= this.now) this.feed(r, { type: 'tick' });
        }
      }
      this.observer?.(this);
    }
    throw new Error(
      `simulation did not reach ${endMs} ms within ${MAX_STEPS_PER_RUN} steps (a deadline that never moves?)`,
    );
  }

  /** The text trace so far, one line per scenario operation or action. */
  trace(): string {
    return this.lines.join('\n') + '\n';
  }

  /** Add a free-form line to the trace (scenario annotations). */
  note(text: string): void {
    this.lines.push(`${String(this.now).padStart(7)} ** ${text}`);
  }

  private get(name: string): Router {
    const r = this.routers.get(name);
    if (!r) throw new Error(`no router ${name}`);
    return r;
  }

  private line(r: Router, event: Event, text: string): void {
    this.lines.push(`${String(this.now).padStart(7)} ${r.name} ${eventLabel(event)}: ${text}`);
  }

  /** Step one router and carry out its actions, as the agent must (README: shell contract). */
  private feed(r: Router, event: Event): void {
    const before = r.state;
    if (!before) return;
    const result = step(before, event, this.now);
    r.state = result.state;
    const routine = event.type === 'tick' && before.vrrpState === 'master' && result.state.vrrpState === 'master';
    for (const a of result.actions) {
      const traced = this.traceLevel === 'full' || !(routine && a.type === 'send-advert');
      if (traced) this.line(r, event, actionLabel(a));
      this.execute(r, before, a);
    }
  }

  private execute(r: Router, before: InstanceState, a: Action): void {
    const fail = (why: string): never => {
      throw new ShellContractError(`${r.name} at ${this.now} ms: ${why}`);
    };
    switch (a.type) {
      case 'send-advert':
        this.broadcast(r, a.priority);
        return;
      case 'add-vips':
        if (r.holdsVips) fail('add-vips while the VIPs are held');
        r.holdsVips = true;
        return;
      case 'remove-vips':
        if (!r.holdsVips) fail('remove-vips without holding the VIPs');
        r.holdsVips = false;
        return;
      case 'send-garp':
        if (!r.holdsVips) fail('send-garp without holding the VIPs');
        return;
      case 'transition':
        if (a.from !== before.vrrpState) fail(`transition from ${a.from} but the state was ${before.vrrpState}`);
        this.stats.transitions++;
        return;
      case 'drop':
        this.stats.drops++;
        return;
      case 'advert-warning':
      case 'priority-changed':
      case 'admin-result':
        return;
      default:
        assertNever(a, 'action');
    }
  }

  private broadcast(from: Router, priority: number): void {
    if (!from.state) return;
    this.stats.advertsSent++;
    const family = from.config.family;
    const src = from.config.primaryAddress;
    const dst = family === 4 ? VRRP_MULTICAST_V4 : VRRP_MULTICAST_V6;
    const advert = advertFor(from.state, priority);
    const payload = this.wire === 'codec' ? encodeAdvert(advert, { family, src, dst }) : advert;
    const c = this.conditions;
    for (const to of [...this.routers.keys()].sort()) {
      if (to === from.name) continue;
      if (this.rng.next() < c.lossRate) {
        this.stats.copiesLost++;
        if (this.traceLevel === 'full')
          this.lines.push(`${String(this.now).padStart(7)} ${from.name} advert ${priority} to ${to}: lost`);
        continue;
      }
      const copies = this.rng.next() < c.duplicateRate ? 2 : 1;
      if (copies === 2) this.stats.copiesDuplicated++;
      for (let i = 0; i < copies; i++) {
        const at = this.now + this.rng.int(c.delayMinMs, c.delayMaxMs);
        this.queue.push({ kind: 'delivery', at, seq: this.seq++, from: from.name, to, src, dst, payload });
      }
    }
  }

  private deliver(d: Extract<Queued, { kind: 'delivery' }>): void {
    const to = this.get(d.to);
    if (!to.alive || !to.state || !this.reachable(d.from, d.to)) {
      this.stats.copiesLost++;
      return;
    }
    this.stats.copiesDelivered++;
    let advert: Advert;
    if (d.payload instanceof Uint8Array) {
      const decoded = decodeAdvert(d.payload, { family: to.config.family, src: d.src, dst: d.dst, ttl: VRRP_TTL });
      if (!decoded.ok) {
        this.stats.drops++;
        this.lines.push(`${String(this.now).padStart(7)} ${to.name} codec: drop ${decoded.reason} from ${d.src}`);
        return;
      }
      advert = decoded.advert;
    } else {
      advert = d.payload;
    }
    this.feed(to, { type: 'advert-received', advert, src: d.src, ttl: VRRP_TTL });
  }
}

/** The effective priority of a running router, or null. */
export function routerPriority(view: SimRouterView): number | null {
  return view.alive && view.state ? effectivePriority(view.state) : null;
}
