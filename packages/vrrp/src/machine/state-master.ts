// Master: RFC 5798 6.4.3, keepalived vrrp_state_master_rx.
import type { Action } from './actions.js';
import type { AdminEvent, AdvertEvent } from './events.js';
import { accepted, refused } from './admin.js';
import { checkReceived } from './advert-checks.js';
import { tieBreakOrder } from './address.js';
import { assertNever } from './assert-never.js';
import { effectivePriority } from './priority.js';
import type { InstanceState } from './state.js';
import { transition, type StepResult } from './transition.js';

/** RFC 5798 6.4.3: on Shutdown, send priority 0, then give the VIPs up (shell contract). */
export function onShutdown(state: InstanceState, now: number): StepResult {
  return transition(state, 'initialize', 'shutdown', now);
}

/** A tracked check or interface changed: enter Fault if a fault now holds (as Backup does, common.ts). */
export { runningOnCondition as onCondition } from './common.js';

/** Adver_Timer (RFC 5798 6.4.3) and the GARP repeat/refresh timers (keepalived). */
export function onTick(state: InstanceState, now: number): StepResult {
  const c = state.config;
  const actions: Action[] = [];
  let next = state;
  if (next.adverTimer !== null && next.adverTimer <= now) {
    actions.push({ type: 'send-advert', priority: effectivePriority(next) });
    next = { ...next, adverTimer: now + c.advertIntervalMs };
  }
  if (next.garpDelayTimer !== null && next.garpDelayTimer <= now) {
    // keepalived garp_master_delay: the second burst of garp_master_repeat messages.
    actions.push({ type: 'send-garp', vips: c.vips, count: c.garpMasterRepeat });
    next = { ...next, garpDelayTimer: null };
  }
  if (next.garpRefreshTimer !== null && next.garpRefreshTimer <= now) {
    // keepalived garp_master_refresh: garp_master_refresh_repeat messages, periodically.
    if (c.garpMasterRefreshRepeat > 0)
      actions.push({ type: 'send-garp', vips: c.vips, count: c.garpMasterRefreshRepeat });
    next = { ...next, garpRefreshTimer: now + c.garpMasterRefreshMs };
  }
  return { state: next, actions };
}

/**
 * RFC 5798 6.4.3:
 * - priority 0: send an advert at once and restart Adver_Timer;
 * - higher priority, or equal priority from a higher primary address: step down to Backup
 *   (v3: adopting the new master's interval), without a priority-0 advert;
 * - lower (or equal from a lower address): the RFC discards it; keepalived answers with an advert
 *   at once ("forcing new election") so a lower-priority router that became master in a split
 *   brain steps down quickly. We do as keepalived, and announce our VIPs again (keepalived
 *   garp_lower_prio_repeat): hosts that learned the other master's MAC during the split would
 *   otherwise keep sending to it until their ARP/ND entry expires (the chaos soak's partition).
 */
export function onAdvert(state: InstanceState, event: AdvertEvent, now: number): StepResult {
  const check = checkReceived(state, event, now);
  if (!check.ok) return { state, actions: [check.drop] };
  const { advert, src } = event;
  const actions: Action[] = [...check.warnings];
  const ours = effectivePriority(state);
  const addrCmp = tieBreakOrder(src, state.config.primaryAddress);
  // A flood of priority-0 or lower-priority adverts is not answered one for one (issue #15
  // finding 6; keepalived answers each). Lower priority: one answer per advert interval. Priority
  // 0 starts every backup's Skew_Time ((256 − priority) / 256 × interval, ≥ interval / 128), so the
  // last one must still be answered before that runs out: answers at most one per interval / 128,
  // and one held back is sent by the Adver_Timer, pulled in to the end of that gap.
  const interval = state.config.advertIntervalMs;
  const gap = advert.priority === 0 ? Math.max(1, Math.floor(interval / 128)) : interval;
  const answered = state.lastAnswerAt !== null && now - state.lastAnswerAt < gap;
  const answer = (): StepResult => {
    if (!answered)
      return {
        state: { ...state, adverTimer: now + interval, lastAnswerAt: now },
        actions: [...actions, { type: 'send-advert', priority: ours }],
      };
    const deferred = advert.priority === 0 ? Math.min(state.adverTimer ?? Infinity, state.lastAnswerAt! + gap) : null;
    return {
      state: deferred === null ? state : { ...state, adverTimer: deferred },
      actions: [...actions, { type: 'drop', reason: 'answer-rate-limited', src }],
    };
  };

  if (advert.priority === 0) return answer();
  if (advert.priority > ours || (advert.priority === ours && addrCmp > 0)) {
    const learned: InstanceState = {
      ...state,
      masterAdverIntervalMs: state.config.version === 3 ? advert.advertIntervalMs : state.masterAdverIntervalMs,
    };
    const r = transition(learned, 'backup', 'higher-priority', now);
    return {
      state: { ...r.state, heardMaster: { address: src, priority: advert.priority, atMs: now } },
      actions: [...actions, ...r.actions],
    };
  }
  // Our own advert looped back (same priority, same address): nothing to do.
  if (advert.priority === ours && addrCmp === 0) return { state, actions };
  const r = answer();
  const c = state.config;
  if (!answered && state.vipsHeld && c.garpMasterRepeat > 0)
    r.actions.push({ type: 'send-garp', vips: c.vips, count: c.garpMasterRepeat });
  return r;
}

export function onAdmin(state: InstanceState, event: AdminEvent, now: number): StepResult {
  const { command } = event;
  switch (command) {
    case 'promote': {
      const next: InstanceState = { ...state, promoted: true };
      const priority = effectivePriority(next);
      if (priority === effectivePriority(state)) return { state: next, actions: [accepted(command)] };
      // Tell the segment at once: a backup at 254 − ε must not preempt us.
      return {
        state: { ...next, adverTimer: now + state.config.advertIntervalMs },
        actions: [accepted(command), { type: 'send-advert', priority }],
      };
    }
    case 'release':
      // The master keeps the VIP; its normal priority goes out with the next advert, and a
      // higher-priority backup with preempt takes over by the usual rules.
      if (!state.promoted) return { state, actions: [refused(command, 'not-promoted')] };
      return { state: { ...state, promoted: false }, actions: [accepted(command)] };
    case 'maintenance-on': {
      const r = transition({ ...state, maintenance: true, promoted: false }, 'backup', 'maintenance', now);
      return { state: r.state, actions: [accepted(command), ...r.actions] };
    }
    case 'maintenance-off':
      return { state, actions: [accepted(command)] };
    default:
      return assertNever(command, 'admin command');
  }
}
