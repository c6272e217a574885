// A running instance takes a new configuration in place (keepalived's reload keeps an instance's
// state when its configuration allows it). Pure, like `step`; the shell queues it like an event.
import type { Action } from './actions.js';
import { resolveConfig, type InstanceConfig } from './config.js';
import { enterRunning } from './common.js';
import { effectivePriority, faultCause } from './priority.js';
import type { InstanceState } from './state.js';
import { transition, type StepResult } from './transition.js';
import { sameAddressSet } from './advert-checks.js';

/**
 * What names the instance on the wire and in elections: a change of any of these is a stop and
 * a start of the instance (RFC 5798: another VRID, version or family is another virtual router;
 * the primary address is the tie-break and the adverts' source).
 */
export const RESTART_SETTINGS = ['name', 'version', 'family', 'vrid', 'primaryAddress'] as const;

/** The settings in `RESTART_SETTINGS` that differ, empty when `config` can be applied in place. */
export function restartNeeded(state: InstanceState, config: InstanceConfig): string[] {
  return RESTART_SETTINGS.filter((k) => state.config[k] !== config[k]);
}

/**
 * How long at most a v2 instance accepts its previous password and interval after a change; a
 * backup stops sooner, as soon as it hears the master with the new ones. Long, because a rollout
 * can wait (the dashboard updates the master only once the backups' checks are healthy) and the
 * nodes must keep hearing each other meanwhile; bounded, so an old password is not kept for ever.
 */
export const PREVIOUS_ACCEPTED_MS = 3_600_000;

const passwordOf = (a: { password: string } | null) => (a ? a.password : null);

const lower = (vips: readonly string[]) => new Set(vips.map((v) => v.toLowerCase()));

/**
 * Applies `config` to a running (or not yet started) instance without a state change:
 * - VIPs held (Master, or a maintenance hand-over): the removed ones are removed, the added ones
 *   added and announced (garp_master_repeat), the others untouched;
 * - Master: a change of its effective priority, advert interval or VIP list goes out in an advert
 *   at once, and Adver_Timer restarts with the new interval (v3 backups learn it, RFC 5798 6.4.2);
 * - Backup: Master_Adver_Interval stays the one learned from the master until its next advert;
 * - v2, password or interval changed: the previous ones stay accepted on received adverts
 *   (`previousAccepted`) until a Backup hears the master with the new ones, at most
 *   `PREVIOUS_ACCEPTED_MS`, so nodes that apply the revision at different times keep hearing each other;
 * - tracked checks keep their status (a new one starts at `initiallyOk`), tracked interfaces
 *   keep theirs; a fault that now holds enters Fault, one that no longer holds leaves it;
 * - preempt, preempt_delay (0 ends a running delay), GARP settings (a changed refresh period
 *   restarts its timer), unicast peers, authentication and the initial state are taken as they are.
 * The operator's promote and maintenance flags are state, not configuration: they stay.
 * @throws when a `RESTART_SETTINGS` member differs, or on an invalid config (`initialState`'s rules).
 */
export function reconfigure(state: InstanceState, config: InstanceConfig, now: number): StepResult {
  const restart = restartNeeded(state, config);
  if (restart.length) throw new Error(`${state.config.name}: ${restart.join(', ')} changed: stop and start it`);
  const c = resolveConfig(config);
  const old = state.config;
  const checks = Object.fromEntries(c.trackedChecks.map((t) => [t.name, state.checks[t.name] ?? t.initiallyOk]));
  const interfacesDown = state.interfacesDown.filter((n) => n === '' || c.trackedInterfaces.includes(n));
  let next: InstanceState = { ...state, config: c, checks, interfacesDown };
  if (c.preemptDelayMs === 0) next = { ...next, preemptDelayUntil: null };
  const actions: Action[] = [];

  const [had, has] = [lower(old.vips), lower(c.vips)];
  const removed = old.vips.filter((v) => !has.has(v.toLowerCase()));
  const added = c.vips.filter((v) => !had.has(v.toLowerCase()));
  if (state.vipsHeld && removed.length) actions.push({ type: 'remove-vips', vips: removed });
  if (state.vipsHeld && added.length) {
    actions.push({ type: 'add-vips', vips: added });
    if (c.garpMasterRepeat > 0) actions.push({ type: 'send-garp', vips: added, count: c.garpMasterRepeat });
  }

  const before = effectivePriority(state);
  const after = effectivePriority(next);
  if (state.vrrpState === 'master') {
    next = { ...next, masterAdverIntervalMs: c.advertIntervalMs };
    const tell = before !== after || old.advertIntervalMs !== c.advertIntervalMs || removed.length || added.length;
    if (tell) {
      actions.push({ type: 'send-advert', priority: after });
      next = { ...next, adverTimer: now + c.advertIntervalMs };
    }
    if (old.garpMasterRefreshMs !== c.garpMasterRefreshMs)
      next = { ...next, garpRefreshTimer: c.garpMasterRefreshMs > 0 ? now + c.garpMasterRefreshMs : null };
  } else if (state.vrrpState !== 'backup') {
    next = { ...next, masterAdverIntervalMs: c.advertIntervalMs };
  }
  // v2: until the other nodes have applied the revision, their adverts still carry the previous
  // password or interval; accept those for a while rather than time the master out (split brain).
  if (
    c.version === 2 &&
    (passwordOf(old.auth) !== passwordOf(c.auth) ||
      old.advertIntervalMs !== c.advertIntervalMs ||
      !sameAddressSet(old.vips, c.vips))
  ) {
    next = {
      ...next,
      previousAccepted: {
        auth: old.auth,
        advertIntervalMs: old.advertIntervalMs,
        vips: old.vips,
        until: now + PREVIOUS_ACCEPTED_MS,
      },
    };
  }

  let r: StepResult = { state: next, actions };
  const cause = faultCause(next);
  if ((next.vrrpState === 'master' || next.vrrpState === 'backup') && cause) {
    const t = transition(next, 'fault', cause, now);
    r = { state: t.state, actions: [...actions, ...t.actions] };
  } else if (next.vrrpState === 'fault' && !cause) {
    const t = enterRunning(next, now, 'fault-cleared');
    r = { state: t.state, actions: [...actions, ...t.actions] };
  }
  const final = effectivePriority(r.state);
  if (before !== final && r.state.vrrpState !== 'initialize')
    return { state: r.state, actions: [{ type: 'priority-changed', from: before, to: final }, ...r.actions] };
  return r;
}

/**
 * Before this node's instance is removed (its member removed from the instance, or the instance
 * deleted), a Master hands its VIPs over make-before-break, as `maintenance-on` does: priority 0 at
 * once, so a backup takes over after Skew_Time, and the VIPs kept until that backup's first advert
 * is heard or `handoverUntil` passes; in maintenance it never takes them back. The shell then stops
 * the instance. Not Master: nothing to do.
 */
export function handOver(state: InstanceState, now: number): StepResult {
  if (state.vrrpState !== 'master') return { state, actions: [] };
  return transition({ ...state, maintenance: true, promoted: false }, 'backup', 'maintenance', now);
}
