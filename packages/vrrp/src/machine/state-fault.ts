// Fault: a tracked interface is down or a weight-0 check fails (keepalived FAULT state).
import type { AdminEvent } from './events.js';
import { accepted, refused } from './admin.js';
import { applyCondition, enterRunning, type ConditionEvent } from './common.js';
import { assertNever } from './assert-never.js';
import { faultCause } from './priority.js';
import type { InstanceState } from './state.js';
import { transition, type StepResult } from './transition.js';

export function onShutdown(state: InstanceState, now: number): StepResult {
  return transition(state, 'initialize', 'shutdown', now);
}

/** No timers run in Fault. */
export function onTick(state: InstanceState): StepResult {
  return { state, actions: [] };
}

/** keepalived ignores adverts in FAULT. */
export function onAdvert(state: InstanceState): StepResult {
  return { state, actions: [] };
}

/** A condition change: back to running once no fault holds. */
export function onCondition(state: InstanceState, event: ConditionEvent, now: number): StepResult {
  const next = applyCondition(state, event);
  return faultCause(next) ? { state: next, actions: [] } : enterRunning(next, now, 'fault-cleared');
}

/** In Fault the instance cannot hold the VIP: promote is refused; the flags still change. */
export function onAdmin(state: InstanceState, event: AdminEvent): StepResult {
  const { command } = event;
  switch (command) {
    case 'promote':
      return { state, actions: [refused(command, 'fault')] };
    case 'release':
      if (!state.promoted) return { state, actions: [refused(command, 'not-promoted')] };
      return { state: { ...state, promoted: false }, actions: [accepted(command)] };
    case 'maintenance-on':
      return { state: { ...state, maintenance: true, promoted: false }, actions: [accepted(command)] };
    case 'maintenance-off':
      return { state: { ...state, maintenance: false }, actions: [accepted(command)] };
    default:
      return assertNever(command, 'admin command');
  }
}
