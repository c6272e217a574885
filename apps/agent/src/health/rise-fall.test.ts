import { describe, expect, it } from 'vitest';
import { applyResult, initialRiseFall, type RiseFallConfig, type RiseFallState } from './rise-fall.js';

const OK = true;
const FAIL = false;

function feed(config: RiseFallConfig, results: boolean[]): boolean[] {
  let s: RiseFallState = initialRiseFall(config);
  return results.map((r) => (s = applyResult(s, r, config).state).ok);
}

describe('vrrp_script rise/fall counting (keepalived)', () => {
  // `results`: the runs' outcomes; `states`: the check's status after each. fall and rise default to 1.
  type Case = { name: string; fall?: number; rise?: number; initFail?: boolean; results: boolean[]; states: boolean[] };
  it.each<Case>([
    { name: 'starts OK without init_fail', results: [], states: [] },
    { name: 'fall 1: one failure fails the check', results: [FAIL], states: [FAIL] },
    { name: 'fall 3: needs three consecutive failures', fall: 3, results: [FAIL, FAIL, FAIL], states: [OK, OK, FAIL] },
    {
      name: 'fall 3: a success in between restarts the count',
      fall: 3,
      results: [FAIL, FAIL, OK, FAIL, FAIL, FAIL],
      states: [OK, OK, OK, OK, OK, FAIL],
    },
    {
      name: 'rise 2: needs two consecutive successes to recover',
      rise: 2,
      results: [FAIL, OK, OK],
      states: [FAIL, FAIL, OK],
    },
    { name: 'init_fail: starts failed and rises', rise: 2, initFail: true, results: [OK, OK], states: [FAIL, OK] },
  ])('$name', ({ fall = 1, rise = 1, initFail = false, results, states }) => {
    expect(feed({ fall, rise, initFail }, results)).toEqual(states);
  });

  it('counts consecutive OK and failed runs up to rise and fall (ok, ok, fail, fail with rise 3, fall 2)', () => {
    const config = { fall: 2, rise: 3, initFail: false };
    let s = initialRiseFall(config);
    const seen = [true, true, false, false, false, true, true, true, true].map((r) => {
      s = applyResult(s, r, config).state;
      return [s.ok, s.consecutiveOk, s.consecutiveFailed];
    });
    expect(seen).toEqual([
      [true, 1, 0],
      [true, 2, 0],
      [true, 0, 1], // 1 of 2 toward fall
      [false, 0, 2], // fell
      [false, 0, 2], // capped at fall: a steady failure stops counting
      [false, 1, 0], // 1 of 3 toward rise
      [false, 2, 0],
      [true, 3, 0], // rose
      [true, 3, 0], // capped at rise
    ]);
  });

  it('reports a change only on the result that flips the state', () => {
    const config = { fall: 2, rise: 1, initFail: false };
    const s0 = initialRiseFall(config);
    const r1 = applyResult(s0, false, config);
    expect(r1.changed).toBe(false);
    expect(applyResult(r1.state, false, config).changed).toBe(true);
  });
});
