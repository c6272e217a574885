// One VRRP instance as a pure state machine (STYLE §F29–32). The shell contract is in the
// package README.
import type { Advert } from '../codec/types.js';
import type { Action } from './actions.js';
import type { Event } from './events.js';
import { assertNever } from './assert-never.js';
import { resolveConfig, type InstanceConfig } from './config.js';
import { effectivePriority } from './priority.js';
import type { InstanceState } from './state.js';
import type { StepResult } from './transition.js';
import { runningOnCondition } from './common.js';
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
      return initialize.initializeOnStartup(state, now);
    case 'shutdown':
      return initialize.initializeOnShutdown(state);
    case 'tick':
      return initialize.initializeOnTick(state);
    case 'advert-received':
      return initialize.initializeOnAdvert(state);
    case 'track-changed':
    case 'interface-changed':
      return initialize.initializeOnCondition(state, event);
    case 'admin':
      return initialize.initializeOnAdmin(state, event);
    default:
      return assertNever(event, 'event');
  }
}

function alreadyRunning(state: InstanceState): never {
  throw new Error(`startup in state ${state.vrrpState}: ${state.config.name} is already running`);
}

function onBackup(state: InstanceState, event: Event, now: number): StepResult {
  switch (event.type) {
    case 'startup':
      return alreadyRunning(state);
    case 'shutdown':
      return backup.backupOnShutdown(state, now);
    case 'tick':
      return backup.backupOnTick(state, now);
    case 'advert-received':
      return backup.backupOnAdvert(state, event, now);
    case 'track-changed':
    case 'interface-changed':
      return runningOnCondition(state, event, now);
    case 'admin':
      return backup.backupOnAdmin(state, event, now);
    default:
      return assertNever(event, 'event');
  }
}

function onMaster(state: InstanceState, event: Event, now: number): StepResult {
  switch (event.type) {
    case 'startup':
      return alreadyRunning(state);
    case 'shutdown':
      return master.masterOnShutdown(state, now);
    case 'tick':
      return master.masterOnTick(state, now);
    case 'advert-received':
      return master.masterOnAdvert(state, event, now);
    case 'track-changed':
    case 'interface-changed':
      return runningOnCondition(state, event, now);
    case 'admin':
      return master.masterOnAdmin(state, event, now);
    default:
      return assertNever(event, 'event');
  }
}

function onFault(state: InstanceState, event: Event, now: number): StepResult {
  switch (event.type) {
    case 'startup':
      return alreadyRunning(state);
    case 'shutdown':
      return fault.faultOnShutdown(state, now);
    case 'tick':
      return fault.faultOnTick(state);
    case 'advert-received':
      return fault.faultOnAdvert(state);
    case 'track-changed':
    case 'interface-changed':
      return fault.faultOnCondition(state, event, now);
    case 'admin':
      return fault.faultOnAdmin(state, event);
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
      r = onBackup(state, event, now);
      break;
    case 'master':
      r = onMaster(state, event, now);
      break;
    case 'fault':
      r = onFault(state, event, now);
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
