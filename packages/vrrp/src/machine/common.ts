// Handlers shared by several states: condition changes (tracked checks, interfaces) and the
// fault rules (keepalived vrrp_script / track_interface semantics).
import type { Event } from './events.js';
import { PRIORITY_OWNER } from './config.js';
import { effectivePriority, faultCause } from './priority.js';
import type { InstanceState } from './state.js';
import { transition, type StepResult } from './transition.js';

/** Record a tracked check's new status. Unknown names are not ours: nothing changes. */
export function applyTrack(state: InstanceState, event: Extract<Event, { type: 'track-changed' }>): InstanceState {
  if (!state.config.trackedChecks.some((c) => c.name === event.name)) return state;
  return { ...state, checks: { ...state.checks, [event.name]: event.ok } };
}

/** Record an interface's new status. Untracked names are not ours: nothing changes. */
export function applyInterface(
  state: InstanceState,
  event: Extract<Event, { type: 'interface-changed' }>,
): InstanceState {
  const name = event.name ?? '';
  if (name !== '' && !state.config.trackedInterfaces.includes(name)) return state;
  const rest = state.interfacesDown.filter((n) => n !== name);
  return { ...state, interfacesDown: event.up ? rest : [...rest, name] };
}

/** The condition changes: a tracked check's or a tracked interface's new status. */
export type ConditionEvent = Extract<Event, { type: 'track-changed' | 'interface-changed' }>;

/** Record a condition change, whichever kind it is. */
export function applyCondition(state: InstanceState, event: ConditionEvent): InstanceState {
  return event.type === 'track-changed' ? applyTrack(state, event) : applyInterface(state, event);
}

/** Backup or Master after a condition change: enter Fault if a fault now holds. */
export function runningOnCondition(current: InstanceState, event: ConditionEvent, now: number): StepResult {
  const state = applyCondition(current, event);
  const cause = faultCause(state);
  return cause ? transition(state, 'fault', cause, now) : { state, actions: [] };
}

/**
 * Where a running instance goes when it starts or leaves Fault: keepalived goes straight to
 * MASTER for the address owner; we do the same for a standing promote (README). Else Backup.
 */
export function enterRunning(
  current: InstanceState,
  now: number,
  backupReason: 'startup' | 'fault-cleared',
): StepResult {
  // A warm restart resumes mastership once, at startup; whatever happens, the flag is spent.
  const resume = current.resumeAsMaster && backupReason === 'startup';
  const state = current.resumeAsMaster ? { ...current, resumeAsMaster: false } : current;
  if (!state.maintenance && effectivePriority(state) === PRIORITY_OWNER)
    return transition(state, 'master', 'address-owner', now);
  if (!state.maintenance && state.promoted) return transition(state, 'master', 'promoted', now);
  if (!state.maintenance && resume) return transition(state, 'master', 'warm-restart', now);
  return transition(state, 'backup', backupReason, now);
}
