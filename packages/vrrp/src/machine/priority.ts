import { PRIORITY_OWNER, PRIORITY_PROMOTED } from './config.js';
import type { InstanceState } from './state.js';
import { masterDownInterval, skewTime } from './timers.js';

/**
 * The priority this instance advertises and compares with (keepalived `effective_priority`).
 * - The address owner (255) is always 255 (keepalived drops its weighted tracked scripts).
 * - A standing `promote` pins 254 (README: admin semantics).
 * - Otherwise keepalived `vrrp_script` semantics: base + every positive weight whose check
 *   succeeds + every negative weight whose check fails, clamped to 1..254.
 */
export function effectivePriority(state: InstanceState): number {
  const { basePriority, trackedChecks } = state.config;
  if (basePriority === PRIORITY_OWNER) return PRIORITY_OWNER;
  if (state.promoted) return PRIORITY_PROMOTED;
  let p = basePriority;
  for (const c of trackedChecks) {
    const ok = state.checks[c.name] ?? true;
    if (c.weight > 0 && ok) p += c.weight;
    if (c.weight < 0 && !ok) p += c.weight;
  }
  return Math.min(254, Math.max(1, p));
}

/** Why the instance must be in Fault now, or null when nothing holds it there. */
export function faultCause(state: InstanceState): 'interface-down' | 'check-failed' | null {
  if (state.interfacesDown.length > 0) return 'interface-down';
  for (const c of state.config.trackedChecks) {
    if (c.weight === 0 && state.checks[c.name] === false) return 'check-failed';
  }
  return null;
}

/** Skew_Time for this instance now (own effective priority, current Master_Adver_Interval). */
export function currentSkewTime(state: InstanceState): number {
  return skewTime(state.config.version, effectivePriority(state), state.masterAdverIntervalMs);
}

/** Master_Down_Interval for this instance now. */
export function currentMasterDownInterval(state: InstanceState): number {
  return masterDownInterval(state.config.version, effectivePriority(state), state.masterAdverIntervalMs);
}
