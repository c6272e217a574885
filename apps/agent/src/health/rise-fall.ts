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
};

export function initialRiseFall(config: RiseFallConfig): RiseFallState {
  return { ok: !config.initFail, streak: 0 };
}

/** Applies one result; `changed` is true when the check's state flipped. */
export function applyResult(state: RiseFallState, resultOk: boolean, config: RiseFallConfig): { state: RiseFallState; changed: boolean } {
  if (resultOk === state.ok) return { state: { ok: state.ok, streak: 0 }, changed: false };
  const streak = state.streak + 1;
  const needed = state.ok ? config.fall : config.rise;
  if (streak >= Math.max(1, needed)) return { state: { ok: resultOk, streak: 0 }, changed: true };
  return { state: { ok: state.ok, streak }, changed: false };
}
