import type { Action, TransitionReason, VrrpState } from './actions.js';
import { PRIORITY_STOP } from './config.js';
import { currentMasterDownInterval, effectivePriority } from './priority.js';
import { maintenanceHandoverMs } from './timers.js';
import type { InstanceState } from './state.js';

/** The result of `step`: the next state and the ordered actions for the shell. */
export type StepResult = { state: InstanceState; actions: Action[] };

const ALLOWED: Readonly<Record<VrrpState, readonly VrrpState[]>> = {
  initialize: ['backup', 'master', 'fault'],
  backup: ['master', 'fault', 'initialize'],
  master: ['backup', 'fault', 'initialize'],
  fault: ['backup', 'master', 'initialize'],
};

/**
 * The single place where the state changes (FRR vrrp_change_state, etcd becomeX): emits the
 * `transition` action, then the exit actions of the old state, then the entry actions of the
 * new one. Throws on a transition the machine never makes (STYLE §D21).
 */
export function transition(state: InstanceState, to: VrrpState, reason: TransitionReason, now: number): StepResult {
  const from = state.vrrpState;
  if (!ALLOWED[from].includes(to))
    throw new Error(`invalid transition ${from} -> ${to} (${reason}) in ${state.config.name}`);
  const actions: Action[] = [{ type: 'transition', from, to, reason }];
  let next: InstanceState = state;

  // Exit.
  if (from === 'master') {
    // RFC 5798 6.4.3 / keepalived vrrp_state_leave_master: a master that leaves for any reason
    // but a higher-priority master sends priority 0 first, so a backup takes over after
    // Skew_Time; then it gives the VIPs up (shell contract: advert before remove-vips).
    if (reason !== 'higher-priority') actions.push({ type: 'send-advert', priority: PRIORITY_STOP });
    // A master that loses to a higher priority while it held the VIPs (a split brain healing, a
    // preemption) sends one parting advert at its own priority: the winner may never have heard a
    // lower-priority advert from it (its own advert arrived first), and hosts that followed our
    // announcements would keep our MAC. A winner answers a lower-priority advert with a new burst
    // of announcements (keepalived garp_lower_prio_repeat, state-master.ts). The RFC (6.4.3) steps
    // down silently; one advert below the winner's priority changes no one's state.
    else if (state.vipsHeld) actions.push({ type: 'send-advert', priority: effectivePriority(state) });
    next = { ...next, adverTimer: null, garpDelayTimer: null, garpRefreshTimer: null };
    if (reason === 'maintenance' && state.vipsHeld) {
      // Maintenance hands over make-before-break: the VIPs stay until the new master is heard
      // (state-backup.ts) or the hand-over deadline passes.
      next = { ...next, handoverUntil: now + maintenanceHandoverMs(state.config.advertIntervalMs) };
    } else {
      if (state.vipsHeld) actions.push({ type: 'remove-vips', vips: state.config.vips });
      next = { ...next, vipsHeld: false };
    }
  } else if (from === 'backup') {
    // Leaving Backup during a maintenance hand-over: to Master the VIPs are ours again; to Fault
    // or Initialize they go now.
    if (state.vipsHeld && to !== 'master') actions.push({ type: 'remove-vips', vips: state.config.vips });
    next = {
      ...next,
      masterDownTimer: null,
      preemptDelayUntil: null,
      handoverUntil: null,
      vipsHeld: state.vipsHeld && to === 'master',
    };
  }

  // Entry.
  next = { ...next, vrrpState: to };
  const c = state.config;
  switch (to) {
    case 'master': {
      // RFC 5798 6.4.1/6.4.2: send an advert, broadcast gratuitous ARP, start Adver_Timer;
      // a master advertises its own interval (keepalived resets master_adver_int).
      next = { ...next, masterAdverIntervalMs: c.advertIntervalMs, heardMaster: null, vipsHeld: true };
      // Make-before-break: the VIPs are added, and announced, before the advert that makes a live
      // old master step down and drop them (unless a maintenance hand-over still holds them). The
      // RFC lists the advert first; the order between the two is not on the wire contract, and with
      // the advert first a client whose cache the announcement had not yet reached sent to the old
      // master after it dropped the VIPs (a SYN lost, one request failed under a loaded host).
      if (!state.vipsHeld) actions.push({ type: 'add-vips', vips: c.vips });
      if (c.garpMasterRepeat > 0) actions.push({ type: 'send-garp', vips: c.vips, count: c.garpMasterRepeat });
      actions.push({ type: 'send-advert', priority: effectivePriority(next) });
      next = {
        ...next,
        adverTimer: now + c.advertIntervalMs,
        // keepalived vrrp_state_become_master: a second burst after garp_master_delay, and the
        // first refresh garp_master_delay + garp_master_refresh after becoming master.
        garpDelayTimer: c.garpMasterDelayMs > 0 && c.garpMasterRepeat > 0 ? now + c.garpMasterDelayMs : null,
        garpRefreshTimer: c.garpMasterRefreshMs > 0 ? now + c.garpMasterDelayMs + c.garpMasterRefreshMs : null,
      };
      break;
    }
    case 'backup': {
      // RFC 5798 6.4.1: Master_Down_Timer = Master_Down_Interval. In maintenance it never runs.
      next = { ...next, preemptDelayUntil: null };
      next = { ...next, masterDownTimer: next.maintenance ? null : now + currentMasterDownInterval(next) };
      break;
    }
    case 'fault':
      // keepalived leaves FAULT with master_adver_int = adver_int.
      next = { ...next, masterAdverIntervalMs: c.advertIntervalMs, heardMaster: null };
      break;
    case 'initialize':
      next = { ...next, masterAdverIntervalMs: c.advertIntervalMs, heardMaster: null, masterDownTimer: null };
      break;
  }
  return { state: next, actions };
}
