import { PROTOCOL_VERSION, type CheckResultMessage } from '@keepwatch/shared';
import type { CheckResult } from './scheduler.js';

/** A `check-result` event before the outbox numbers it. */
export type CheckResultEvent = Omit<CheckResultMessage, 'seq'>;

/** What the control plane last heard about a check: its status and rise/fall counters. */
export type ReportedCheck = Pick<CheckResultMessage, 'status'> & { consecutiveOk: number; consecutiveFailed: number };

/** The `check-result` event for one run (output bounded below the message's 4096 limit). */
export function checkResultEvent(r: CheckResult): CheckResultEvent {
  return {
    v: PROTOCOL_VERSION,
    type: 'check-result',
    at: r.at,
    check: r.name,
    ok: r.outcome.ok,
    status: r.ok ? 'healthy' : 'failed',
    durationMs: Math.max(0, Math.round(r.durationMs)),
    exitCode: r.outcome.exitCode ?? null,
    timedOut: r.outcome.timedOut ?? false,
    output: (r.outcome.detail ?? '').slice(0, 4000),
    consecutiveOk: r.consecutiveOk,
    consecutiveFailed: r.consecutiveFailed,
  };
}

/**
 * Whether a run is news for the control plane: the first run since a start or an apply (the
 * HA-aware rollout waits for it), a status change, or a move of the rise/fall counters (the page
 * shows "2 of 3 toward rise"). A steady check is not reported again: its counters stop at
 * rise/fall, so the stored result stays true without one event per run.
 */
export function isNews(last: ReportedCheck | undefined, r: CheckResult): boolean {
  if (!last) return true;
  return (
    r.changed ||
    last.status !== (r.ok ? 'healthy' : 'failed') ||
    last.consecutiveOk !== r.consecutiveOk ||
    last.consecutiveFailed !== r.consecutiveFailed
  );
}
