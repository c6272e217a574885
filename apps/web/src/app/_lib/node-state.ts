/**
 * A node's current VRRP state for an instance from two reports that arrive separately: the last
 * heartbeat (state with priorities, sent every few seconds) and the last transition (sent the
 * moment the state changes). Whichever the agent sent later wins, so the page does not show a
 * heartbeat's "backup" for a second after the same node reported becoming master.
 */
import type { VrrpState } from '@keepwatch/shared';

export interface HeartbeatView {
  state: VrrpState;
  /** When the agent sent the heartbeat (its clock). */
  at: Date;
}

export interface TransitionView {
  state: VrrpState;
  at: Date;
}

export function newestState(
  hb: HeartbeatView | null,
  tr: TransitionView | null,
): { state: VrrpState; at: Date; source: 'heartbeat' | 'transition' } | null {
  if (tr && (!hb || tr.at.getTime() > hb.at.getTime())) return { state: tr.state, at: tr.at, source: 'transition' };
  if (hb) return { state: hb.state, at: hb.at, source: 'heartbeat' };
  return null;
}
