// One VRRP instance as a pure state machine (STYLE §F29–32). The shell contract is in the
// package README.
import type { Advert } from '../codec/types.js';
import type { Action } from './actions.js';
import type { AdminEvent, AdvertEvent, Event } from './events.js';
import { assertNever } from './assert-never.js';
import { resolveConfig, type InstanceConfig } from './config.js';
import { effectivePriority } from './priority.js';
import type { InstanceState } from './state.js';
import type { StepResult } from './transition.js';
import type { ConditionEvent } from './common.js';
import * as backup from './state-backup.js';
import * as fault from './state-fault.js';
import * as initialize from './state-initialize.js';
import * as master from './state-master.js';

/**
 * The state of a configured instance that has not started (Initialize). Throws when the
 * configuration breaks the machine's invariants (see `InstanceConfig`).
 */
export function initialState(config: InstanceConfig): InstanceState {
  const resolved = resolveConfig(config);
  const maintenance = config.maintenance ?? false;
  return {
    config: resolved,
    vrrpState: 'initialize',
    checks: Object.fromEntries(resolved.trackedChecks.map((c) => [c.name, c.initiallyOk])),
    interfacesDown: [],
    // Maintenance wins over a persisted promote (README: admin semantics).
    promoted: (config.promoted ?? false) && !maintenance,
    maintenance,
    resumeAsMaster: config.resumeAsMaster ?? false,
    masterAdverIntervalMs: resolved.advertIntervalMs,
    adverTimer: null,
    masterDownTimer: null,
    preemptDelayUntil: null,
    garpDelayTimer: null,
    garpRefreshTimer: null,
    vipsHeld: false,
    handoverUntil: null,
    previousAccepted: null,
    heardMaster: null,
    lastAnswerAt: null,
  };
}

function onInitialize(state: InstanceState, event: Event, now: number): StepResult {
  switch (event.type) {
    case 'startup':
      return initialize.onStartup(state, now);
    case 'shutdown':
      return initialize.onShutdown(state);
    case 'tick':
      return initialize.onTick(state);
    case 'advert-received':
      return initialize.onAdvert(state);
    case 'track-changed':
    case 'interface-changed':
      return initialize.onCondition(state, event);
    case 'admin':
      return initialize.onAdmin(state, event);
    default:
      return assertNever(event, 'event');
  }
}

/**
 * The handlers of a running state, one per event (STYLE §F31): the exports of state-backup.ts,
 * state-master.ts and state-fault.ts. A startup is the same contract violation in each.
 */
type RunningState = {
  onShutdown(state: InstanceState, now: number): StepResult;
  onTick(state: InstanceState, now: number): StepResult;
  onAdvert(state: InstanceState, event: AdvertEvent, now: number): StepResult;
  onCondition(state: InstanceState, event: ConditionEvent, now: number): StepResult;
  onAdmin(state: InstanceState, event: AdminEvent, now: number): StepResult;
};

function onRunning(handlers: RunningState, state: InstanceState, event: Event, now: number): StepResult {
  switch (event.type) {
    case 'startup':
      throw new Error(`startup in state ${state.vrrpState}: ${state.config.name} is already running`);
    case 'shutdown':
      return handlers.onShutdown(state, now);
    case 'tick':
      return handlers.onTick(state, now);
    case 'advert-received':
      return handlers.onAdvert(state, event, now);
    case 'track-changed':
    case 'interface-changed':
      return handlers.onCondition(state, event, now);
    case 'admin':
      return handlers.onAdmin(state, event, now);
    default:
      return assertNever(event, 'event');
  }
}

/**
 * Feed one event to the instance. Pure: the same (state, event, now) always gives the same
 * result, and `state` is not modified.
 *
 * @param state the current state (from `initialState` or the last `step`)
 * @param event what happened
 * @param now the shell's monotonic clock, integer ms; never less than the last `now`
 * @returns the next state and the actions the shell must carry out, in order (README: shell
 *   contract). After every step the shell re-arms its one timer at `nextDeadline(result.state)`.
 * @throws on a broken contract: `startup` while running, or an impossible transition.
 */
export function step(state: InstanceState, event: Event, now: number): StepResult {
  let r: StepResult;
  switch (state.vrrpState) {
    case 'initialize':
      r = onInitialize(state, event, now);
      break;
    case 'backup':
      r = onRunning(backup, state, event, now);
      break;
    case 'master':
      r = onRunning(master, state, event, now);
      break;
    case 'fault':
      r = onRunning(fault, state, event, now);
      break;
    default:
      return assertNever(state.vrrpState, 'state');
  }
  const before = effectivePriority(state);
  const after = effectivePriority(r.state);
  if (before !== after && r.state.vrrpState !== 'initialize') {
    const changed: Action = { type: 'priority-changed', from: before, to: after };
    return { state: r.state, actions: [changed, ...r.actions] };
  }
  return r;
}

/**
 * The earliest pending deadline (monotonic ms), or null when nothing is pending. The shell keeps
 * exactly one timer set to it and delivers a `tick` when it fires (a late tick is fine).
 */
export function nextDeadline(state: InstanceState): number | null {
  let best: number | null = null;
  const deadlines = [
    state.adverTimer,
    state.masterDownTimer,
    state.garpDelayTimer,
    state.garpRefreshTimer,
    state.handoverUntil,
  ];
  for (const d of deadlines) {
    if (d !== null && (best === null || d < best)) best = d;
  }
  return best;
}

/**
 * The advert a `send-advert {priority}` action asks for: this instance's version, VRID, configured
 * interval, VIPs and (v2) authentication. The shell encodes it with `encodeAdvert`.
 */
export function advertFor(state: InstanceState, priority: number): Advert {
  const c = state.config;
  const advert: Advert = {
    version: c.version,
    vrid: c.vrid,
    priority,
    advertIntervalMs: c.advertIntervalMs,
    addresses: [...c.vips],
  };
  if (c.version === 2) {
    if (c.auth) {
      advert.authType = 'pass';
      advert.authData = c.auth.password.slice(0, 8);
    } else {
      advert.authType = 'none';
    }
  }
  return advert;
}
