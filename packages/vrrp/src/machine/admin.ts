// Admin command helpers shared by the per-state handlers (README: admin semantics).
import type { Action, AdminRefusal } from './actions.js';
import type { AdminCommand } from './events.js';
import { PRIORITY_PROMOTED } from './config.js';
import { currentMasterDownInterval } from './priority.js';
import type { InstanceState } from './state.js';

export function accepted(command: AdminCommand): Action {
  return { type: 'admin-result', command, accepted: true };
}

export function refused(command: AdminCommand, reason: AdminRefusal): Action {
  return { type: 'admin-result', command, accepted: false, reason };
}

/**
 * Promote cannot win against a router that advertises 254 (already promoted) or 255 (the address
 * owner): refuse while such a master was heard within the last Master_Down_Interval.
 */
export function peerBlocksPromote(state: InstanceState, now: number): boolean {
  const m = state.heardMaster;
  return m !== null && m.priority >= PRIORITY_PROMOTED && now - m.atMs <= currentMasterDownInterval(state);
}
