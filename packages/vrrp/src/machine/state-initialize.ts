// Initialize: not running (before startup, after shutdown). RFC 5798 6.4.1.
import type { AdminEvent } from './events.js';
import { applyCondition, enterRunning, type ConditionEvent } from './common.js';
import { refused } from './admin.js';
import { faultCause } from './priority.js';
import type { InstanceState } from './state.js';
import { transition, type StepResult } from './transition.js';

/**
 * RFC 5798 6.4.1: the owner (255) goes to Master, others to Backup; keepalived starts in FAULT
 * when a tracked interface is down or a weight-0 check fails.
 */
export function onStartup(state: InstanceState, now: number): StepResult {
  const cause = faultCause(state);
  if (cause) return transition({ ...state, resumeAsMaster: false }, 'fault', cause, now);
  return enterRunning(state, now, 'startup');
}

export function onShutdown(state: InstanceState): StepResult {
  return { state, actions: [] };
}

export function onTick(state: InstanceState): StepResult {
  return { state, actions: [] };
}

/** RFC 5798 6.4.1: an instance that is not running does not process adverts. */
export function onAdvert(state: InstanceState): StepResult {
  return { state, actions: [] };
}

export function onCondition(state: InstanceState, event: ConditionEvent): StepResult {
  return { state: applyCondition(state, event), actions: [] };
}

/** Admin commands need a running instance; a persisted promote/maintenance goes in the config. */
export function onAdmin(state: InstanceState, event: AdminEvent): StepResult {
  return { state, actions: [refused(event.command, 'not-running')] };
}
