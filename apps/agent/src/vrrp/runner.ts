import {
  advertFor,
  handOver,
  initialState,
  nextDeadline,
  reconfigure,
  step,
  type Action,
  type AdminCommand,
  type Advert,
  type Event,
  type InstanceConfig,
  type InstanceState,
  type VrrpState,
  type TransitionReason,
} from '@keepwatch/vrrp';
import type { Logger } from '../log.js';
import type { AgentMetrics } from '../metrics.js';
import type { Vip } from '../vip/addresses.js';
import { LogThrottle } from '../log-throttle/throttle.js';

/** What an instance runner needs from the rest of the agent (passed in by the composition root). */
export type InstanceRunnerDeps = {
  config: InstanceConfig;
  /** The interface the instance runs on. */
  iface: string;
  /** Every VIP of the instance with its prefix and device (the machine knows only addresses). */
  vips: readonly Vip[];
  /** Sends one advert (the transport adds the IP header; multicast or each unicast peer). */
  sendAdvert(advert: Advert): void;
  addVips(vips: readonly Vip[]): Promise<void>;
  removeVips(vips: readonly Vip[]): Promise<void>;
  /** Gratuitous ARP / unsolicited NA, `count` per VIP. */
  announce(vips: readonly Vip[], count: number): void;
  /** Monotonic milliseconds (the machine's clock). */
  now(): number;
  log: Logger;
  metrics: AgentMetrics;
  /** Told of every transition (the control plane, notify hooks). */
  onTransition?(t: {
    instance: string;
    from: VrrpState;
    to: VrrpState;
    reason: TransitionReason;
    priority: number;
    at: number;
  }): void;
  /** Told of every admin command's result. */
  onAdminResult?(r: Extract<Action, { type: 'admin-result' }>): void;
};

/**
 * The imperative shell around one `@keepwatch/vrrp` instance: it feeds events to `step` one at a
 * time (a queue, so a slow `ip addr` never interleaves two steps), executes the actions in the
 * order of the shell contract, and keeps exactly one real timer, set to `nextDeadline(state)`,
 * that delivers a `tick`. Each action's failure is logged and counted; the runner keeps going
 * (STYLE §D23).
 */
export class InstanceRunner {
  private state: InstanceState;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Lines about received adverts, per reason and source: one per 10 s (counters stay exact). */
  private readonly advertLog = new LogThrottle();
  private queue: Promise<void> = Promise.resolve();
  private readonly log: Logger;
  private stopped = false;
  private priority = 0;

  constructor(private deps: InstanceRunnerDeps) {
    this.state = initialState(deps.config);
    this.log = deps.log.child({ instance: deps.config.name, vrid: deps.config.vrid, family: deps.config.family });
    this.priority = deps.config.basePriority;
    deps.metrics.basePriority.set({ instance: deps.config.name }, deps.config.basePriority);
    deps.metrics.effectivePriority.set({ instance: deps.config.name }, deps.config.basePriority);
    deps.metrics.setState(deps.config.name, 'initialize');
  }

  get name(): string {
    return this.deps.config.name;
  }

  get vrid(): number {
    return this.deps.config.vrid;
  }

  get config(): InstanceConfig {
    return this.deps.config;
  }

  get iface(): string {
    return this.deps.iface;
  }

  /** The other interfaces whose link state the instance tracks (the link watch polls them). */
  get trackedInterfaces(): readonly string[] {
    return this.deps.config.trackedInterfaces ?? [];
  }

  /** The machine's current state (read-only snapshot). */
  current(): InstanceState {
    return this.state;
  }

  start(): Promise<void> {
    return this.deliver({ type: 'startup' });
  }

  /** Queues an event; resolves once it has been stepped and its actions executed. */
  deliver(event: Event): Promise<void> {
    if (this.stopped && event.type !== 'shutdown') return this.queue;
    this.queue = this.queue
      .then(async () => void (await this.process(event)))
      .catch((e: unknown) => {
        this.log.error({ err: e, event: event.type, state: this.state.vrrpState }, 'vrrp step failed');
      });
    return this.queue;
  }

  /**
   * Runs an admin command through the machine and resolves with its `admin-result` (README of
   * @keepwatch/vrrp: admin semantics) once the step's actions (VIPs, adverts) have been executed.
   * A stopped runner refuses with `not-running`.
   */
  admin(command: AdminCommand): Promise<AdminResult> {
    if (this.stopped) return Promise.resolve({ type: 'admin-result', command, accepted: false, reason: 'not-running' });
    return new Promise<AdminResult>((resolve) => {
      this.queue = this.queue
        .then(async () => {
          const actions = await this.process({ type: 'admin', command });
          const r = actions.find((a): a is AdminResult => a.type === 'admin-result');
          resolve(r ?? { type: 'admin-result', command, accepted: false, reason: 'not-running' });
        })
        .catch((e: unknown) => {
          this.log.error({ err: e, event: 'admin', command, state: this.state.vrrpState }, 'vrrp step failed');
          resolve({ type: 'admin-result', command, accepted: false, reason: 'not-running' });
        });
    });
  }

  /**
   * Takes a new configuration in place (@keepwatch/vrrp `reconfigure`), queued like an event: no
   * state change, only the VIPs that changed are added or removed. While it runs, the VIP details
   * of the old and the new list are both known, so a removed VIP can still be removed.
   */
  reconfigure(config: InstanceConfig, vips: readonly Vip[]): Promise<void> {
    if (this.stopped) return this.queue;
    const done = this.queue.then(async () => {
      const { state, actions } = reconfigure(this.state, config, this.deps.now());
      this.state = state;
      const known = new Set(vips.map((v) => v.address.toLowerCase()));
      const gone = this.deps.vips.filter((v) => !known.has(v.address.toLowerCase()));
      this.deps = { ...this.deps, config, vips: [...vips, ...gone] };
      for (const action of actions) await this.executeLogged(action);
      this.deps = { ...this.deps, vips };
      this.deps.metrics.basePriority.set({ instance: config.name }, config.basePriority);
      this.log.info({ state: this.state.vrrpState }, 'reconfigured in place');
      this.arm();
    });
    // The queue goes on; the caller hears a refused configuration (the revision then fails).
    this.queue = done.catch((e: unknown) => {
      this.log.error({ err: e, state: this.state.vrrpState }, 'vrrp reconfigure failed');
    });
    return done;
  }

  /** Graceful stop: priority-0 advert, VIPs removed (the machine's shutdown actions), timer cleared. */
  async stop(): Promise<void> {
    if (this.stopped) return this.queue;
    const done = this.deliver({ type: 'shutdown' });
    this.stopped = true;
    await done;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.deps.metrics.forgetInstance(this.deps.config.name);
  }

  /**
   * Stops an instance that leaves this node make-before-break: a Master first hands its VIPs over
   * (@keepwatch/vrrp `handOver`: priority 0, VIPs kept until the new master is heard or the
   * hand-over deadline passes), then stops. A backup stops at once.
   */
  async retire(): Promise<void> {
    if (this.stopped) return this.queue;
    const done = this.queue.then(async () => {
      const { state, actions } = handOver(this.state, this.deps.now());
      this.state = state;
      for (const action of actions) await this.executeLogged(action);
      this.arm();
    });
    this.queue = done.catch((e: unknown) => this.log.error({ err: e }, 'vrrp hand-over failed'));
    await this.queue;
    // The machine ends the hand-over itself (an advert heard, or its deadline tick): wait for it,
    // bounded by that deadline and a margin for a loaded host.
    const until = this.deps.now() + Math.max(0, (this.state.handoverUntil ?? 0) - this.deps.now()) + 500;
    while (this.state.handoverUntil !== null && this.deps.now() < until) await sleep(10);
    await this.stop();
  }

  private async process(event: Event): Promise<readonly Action[]> {
    const now = this.deps.now();
    const { state, actions } = step(this.state, event, now);
    this.state = state;
    for (const action of actions) await this.executeLogged(action);
    this.arm();
    return actions;
  }

  private async executeLogged(action: Action): Promise<void> {
    try {
      await this.execute(action);
    } catch (e) {
      this.log.error({ err: e, action: action.type, state: this.state.vrrpState }, 'vrrp action failed');
    }
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    const deadline = nextDeadline(this.state);
    if (deadline === null) return;
    const delay = Math.max(0, deadline - this.deps.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.deliver({ type: 'tick' });
    }, delay);
  }

  private vipsFor(addresses: readonly string[]): Vip[] {
    const want = new Set(addresses.map((a) => a.toLowerCase()));
    return this.deps.vips.filter((v) => want.has(v.address.toLowerCase()));
  }

  private async execute(action: Action): Promise<void> {
    const { config, metrics } = this.deps;
    const instance = config.name;
    switch (action.type) {
      case 'send-advert':
        this.deps.sendAdvert(advertFor(this.state, action.priority));
        metrics.advertsSent.inc({ instance });
        return;
      case 'add-vips':
        await this.deps.addVips(this.vipsFor(action.vips));
        this.log.info({ state: this.state.vrrpState, vips: action.vips }, 'vips added');
        return;
      case 'remove-vips':
        await this.deps.removeVips(this.vipsFor(action.vips));
        this.log.info({ state: this.state.vrrpState, vips: action.vips }, 'vips removed');
        return;
      case 'send-garp':
        this.deps.announce(this.vipsFor(action.vips), action.count);
        return;
      case 'transition':
        metrics.setState(instance, action.to);
        metrics.transitions.inc({ instance, from: action.from, to: action.to, reason: action.reason });
        this.log.info(
          { state: action.to, from: action.from, reason: action.reason, priority: this.priority },
          'vrrp transition',
        );
        this.deps.onTransition?.({
          instance,
          from: action.from,
          to: action.to,
          reason: action.reason,
          priority: this.priority,
          at: Date.now(),
        });
        return;
      case 'drop': {
        metrics.dropped.inc({ instance, reason: action.reason });
        const d = this.advertLog.decide(`drop ${action.reason} ${action.src}`, this.deps.now());
        if (d.log)
          this.log.debug(
            {
              state: this.state.vrrpState,
              reason: action.reason,
              src: action.src,
              detail: action.detail,
              suppressed: d.suppressed,
            },
            'advert dropped',
          );
        return;
      }
      case 'advert-warning': {
        const d = this.advertLog.decide(`warn ${action.reason} ${action.src}`, this.deps.now());
        if (d.log)
          this.log.warn(
            {
              state: this.state.vrrpState,
              reason: action.reason,
              src: action.src,
              detail: action.detail,
              suppressed: d.suppressed,
            },
            'advert warning',
          );
        return;
      }
      case 'priority-changed':
        this.priority = action.to;
        metrics.effectivePriority.set({ instance }, action.to);
        this.log.info({ state: this.state.vrrpState, from: action.from, to: action.to }, 'priority changed');
        return;
      case 'admin-result':
        this.log.info(
          {
            state: this.state.vrrpState,
            command: action.command,
            accepted: action.accepted,
            ...(action.accepted ? {} : { reason: action.reason }),
          },
          'admin command',
        );
        this.deps.onAdminResult?.(action);
        return;
      default:
        assertNever(action);
    }
  }
}

/** The machine's answer to an admin command. */
export type AdminResult = Extract<Action, { type: 'admin-result' }>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function assertNever(x: never): never {
  throw new Error(`unhandled action ${JSON.stringify(x)}`);
}
