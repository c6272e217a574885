/**
 * keepalived `vrrp_script` result counting, as a pure function: a check that is OK becomes
 * failed after `fall` consecutive failures, and a failed one becomes OK after `rise`
 * consecutive successes. `init_fail` starts it failed; otherwise it starts OK.
 */
export type RiseFallConfig = { fall: number; rise: number; initFail: boolean };

export type RiseFallState = {
  ok: boolean;
  /** Consecutive results that disagree with `ok`. */
  streak: number;
  /**
   * Runs in a row, ending with the last one, that were OK (counted up to `rise`) or failed (up to
   * `fall`); one of them is 0. What the dashboard shows as "2 of 3 toward rise". Capped because
   * more changes nothing, so a steady check's counters stop changing (and need no report).
   */
  consecutiveOk: number;
  consecutiveFailed: number;
};

export function initialRiseFall(config: RiseFallConfig): RiseFallState {
  return { ok: !config.initFail, streak: 0, consecutiveOk: 0, consecutiveFailed: 0 };
}

/** Applies one result; `changed` is true when the check's state flipped. */
export function applyResult(
  state: RiseFallState,
  resultOk: boolean,
  config: RiseFallConfig,
): { state: RiseFallState; changed: boolean } {
  const counters = resultOk
    ? { consecutiveOk: Math.min(state.consecutiveOk + 1, Math.max(1, config.rise)), consecutiveFailed: 0 }
    : { consecutiveOk: 0, consecutiveFailed: Math.min(state.consecutiveFailed + 1, Math.max(1, config.fall)) };
  if (resultOk === state.ok) return { state: { ok: state.ok, streak: 0, ...counters }, changed: false };
  const streak = state.streak + 1;
  const needed = state.ok ? config.fall : config.rise;
  if (streak >= Math.max(1, needed)) return { state: { ok: resultOk, streak: 0, ...counters }, changed: true };
  return { state: { ok: state.ok, streak, ...counters }, changed: false };
}
