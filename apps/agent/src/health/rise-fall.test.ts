import { describe, expect, it } from 'vitest';
import { applyResult, initialRiseFall, type RiseFallConfig, type RiseFallState } from './rise-fall.js';

function feed(config: RiseFallConfig, results: boolean[]): boolean[] {
  let s: RiseFallState = initialRiseFall(config);
  return results.map((r) => (s = applyResult(s, r, config).state).ok);
}

describe('vrrp_script rise/fall counting (keepalived)', () => {
  it.each<{ name: string; config: RiseFallConfig; results: boolean[]; states: boolean[] }>([
    { name: 'starts OK without init_fail', config: { fall: 1, rise: 1, initFail: false }, results: [], states: [] },
    {
      name: 'fall 1: one failure fails the check',
      config: { fall: 1, rise: 1, initFail: false },
      results: [false],
      states: [false],
    },
    {
      name: 'fall 3: needs three consecutive failures',
      config: { fall: 3, rise: 1, initFail: false },
      results: [false, false, false],
      states: [true, true, false],
    },
    {
      name: 'fall 3: a success in between restarts the count',
      config: { fall: 3, rise: 1, initFail: false },
      results: [false, false, true, false, false, false],
      states: [true, true, true, true, true, false],
    },
    {
      name: 'rise 2: needs two consecutive successes to recover',
      config: { fall: 1, rise: 2, initFail: false },
      results: [false, true, true],
      states: [false, false, true],
    },
    {
      name: 'init_fail: starts failed and rises',
      config: { fall: 1, rise: 2, initFail: true },
      results: [true, true],
      states: [false, true],
    },
  ])('$name', ({ config, results, states }) => {
    expect(feed(config, results)).toEqual(states);
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
