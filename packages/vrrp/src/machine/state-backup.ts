// Backup: RFC 5798 6.4.2, keepalived vrrp_state_backup.
import type { Action } from './actions.js';
import type { AdminEvent, AdvertEvent } from './events.js';
import { accepted, peerBlocksPromote, refused } from './admin.js';
import { checkReceived, speaksConfig } from './advert-checks.js';
import { assertNever } from './assert-never.js';
import { currentMasterDownInterval, currentSkewTime, effectivePriority } from './priority.js';
import type { InstanceState } from './state.js';
import { transition, type StepResult } from './transition.js';

/** RFC 5798 6.4.2: on Shutdown, cancel the Master_Down_Timer and go to Initialize. */
export function onShutdown(state: InstanceState, now: number): StepResult {
  return transition(state, 'initialize', 'shutdown', now);
}

/** A tracked check or interface changed: enter Fault if a fault now holds (as Master does, common.ts). */
export { runningOnCondition as onCondition } from './common.js';

/**
 * RFC 5798 6.4.2: when the Master_Down_Timer fires, become Master. A maintenance hand-over whose
 * deadline has passed gives the VIPs up.
 */
export function onTick(state: InstanceState, now: number): StepResult {
  if (state.masterDownTimer !== null && state.masterDownTimer <= now) {
    return transition(state, 'master', 'master-down-timer', now);
  }
  if (state.handoverUntil !== null && state.handoverUntil <= now) return endHandover(state, []);
  return { state, actions: [] };
}

/** Ends a maintenance hand-over: the VIPs the old master kept go now. */
function endHandover(state: InstanceState, actions: Action[]): StepResult {
  return {
    state: { ...state, vipsHeld: false, handoverUntil: null },
    actions: [...actions, { type: 'remove-vips', vips: state.config.vips }],
  };
}

/** Whether a lower-priority master is accepted now because of `preempt_delay` (keepalived). */
function preemptDelayHolds(state: InstanceState, now: number): boolean {
  return state.config.preemptDelayMs > 0 && (state.preemptDelayUntil === null || state.preemptDelayUntil > now);
}

/**
 * RFC 5798 6.4.2, with keepalived's nopreempt and preempt_delay:
 * - priority 0: Master_Down_Timer = Skew_Time;
 * - priority ≥ ours, or nopreempt, or inside preempt_delay: accept — adopt the master's interval
 *   (v2: the configured one, or the previous one during a rollout), reset Master_Down_Timer;
 * - else (preempt, lower priority): discard, the timer keeps running, so we take over.
 */
export function onAdvert(state: InstanceState, event: AdvertEvent, now: number): StepResult {
  const check = checkReceived(state, event, now);
  if (!check.ok) return { state, actions: [check.drop] };
  const { advert } = event;
  const actions = [...check.warnings];
  let next: InstanceState = { ...state, heardMaster: { address: event.src, priority: advert.priority, atMs: now } };
  // The master speaks the new password and interval: it has applied the revision, and it applies
  // last (the dashboard's rollout order), so the previous ones are no longer needed.
  if (next.previousAccepted && advert.priority > 0 && speaksConfig(next.config, advert))
    next = { ...next, previousAccepted: null };
  const ours = effectivePriority(next);
  // A standing promote keeps its claim even with nopreempt (README: admin semantics).
  const preempt = next.config.preempt || next.promoted;

  if (advert.priority === 0) {
    // RFC 5798 6.4.2: the master is leaving; take over after Skew_Time.
    next = { ...next, masterDownTimer: next.maintenance ? null : now + currentSkewTime(next) };
  } else if (!preempt || advert.priority >= ours || preemptDelayHolds(next, now)) {
    // RFC 5798 6.4.2: set Master_Adver_Interval to the advert's interval. v2 adverts get here only
    // with the configured interval, or the previous one while a rollout changes it (`previousAccepted`).
    next = { ...next, masterAdverIntervalMs: advert.advertIntervalMs };
    next = { ...next, masterDownTimer: next.maintenance ? null : now + currentMasterDownInterval(next) };
    if (next.config.preemptDelayMs > 0) {
      // keepalived: preempt_delay starts at the first lower-priority advert and stops when a
      // master of our priority or higher is heard.
      if (advert.priority >= ours) next = { ...next, preemptDelayUntil: null };
      else if (next.preemptDelayUntil === null) next = { ...next, preemptDelayUntil: now + next.config.preemptDelayMs };
    }
  }
  // else: RFC 5798 6.4.2 — a lower priority with Preempt_Mode does not reset the timer.
  // The new master has spoken: a maintenance hand-over is complete.
  if (next.handoverUntil !== null && advert.priority > 0) return endHandover(next, actions);
  return { state: next, actions };
}

export function onAdmin(state: InstanceState, event: AdminEvent, now: number): StepResult {
  const { command } = event;
  switch (command) {
    case 'promote': {
      if (state.maintenance) return { state, actions: [refused(command, 'maintenance')] };
      if (peerBlocksPromote(state, now)) return { state, actions: [refused(command, 'peer-priority')] };
      // Make-before-break: become master at once with 254; the old master steps down on hearing it.
      const r = transition({ ...state, promoted: true }, 'master', 'promoted', now);
      return { state: r.state, actions: [accepted(command), ...r.actions] };
    }
    case 'release':
      if (!state.promoted) return { state, actions: [refused(command, 'not-promoted')] };
      return { state: { ...state, promoted: false }, actions: [accepted(command)] };
    case 'maintenance-on':
      // Refuse mastership: the Master_Down_Timer stops, so this node never takes over.
      return {
        state: { ...state, maintenance: true, promoted: false, masterDownTimer: null },
        actions: [accepted(command)],
      };
    case 'maintenance-off': {
      if (!state.maintenance) return { state, actions: [accepted(command)] };
      const next: InstanceState = { ...state, maintenance: false };
      return {
        state: { ...next, masterDownTimer: now + currentMasterDownInterval(next) },
        actions: [accepted(command)],
      };
    }
    default:
      return assertNever(command, 'admin command');
  }
}
