import { describe, expect, it } from 'vitest';
import { endedBySwitch, inFlightAt, summariseProbe, type ProbeRecord } from './probe.js';

const rec = (seq: number, sentAt: number, ok: boolean, backend?: string): ProbeRecord => ({
  seq,
  sentAt,
  ok,
  backend,
  latencyMs: 1,
});

describe('summariseProbe', () => {
  it('counts answers per backend', () => {
    const s = summariseProbe([rec(0, 0, true, 'web1'), rec(1, 10, true, 'web2'), rec(2, 20, true, 'web1')]);
    expect(s.backends).toEqual({ web1: 2, web2: 1 });
    expect(s.ok).toBe(3);
    expect(s.failed).toBe(0);
  });

  it('measures the longest gap between successful requests across a failure', () => {
    const s = summariseProbe([
      rec(0, 0, true, 'a'),
      rec(1, 10, false),
      rec(2, 20, false),
      rec(3, 30, true, 'b'),
      rec(4, 40, true, 'b'),
    ]);
    expect(s.longestGapMs).toBe(30);
    expect(s.firstFailureAt).toBe(10);
    expect(s.recoveredAt).toBe(30);
    expect(s.failed).toBe(2);
  });

  it('reports no failure and no recovery when every request succeeded', () => {
    const s = summariseProbe([rec(0, 0, true, 'a')]);
    expect(s.firstFailureAt).toBeNull();
    expect(s.recoveredAt).toBeNull();
  });
});

describe('endedBySwitch', () => {
  const failed = (error: string): ProbeRecord => ({ seq: 0, sentAt: 0, ok: false, error, latencyMs: 1000 });
  it.each([
    ['ECONNRESET', true],
    ['timeout', true],
    ['ECONNREFUSED', false],
    ['EHOSTUNREACH', false],
  ])('a request that failed with %s: %s', (error, expected) => {
    expect(endedBySwitch(failed(error))).toBe(expected);
  });

  it('a request answered with an HTTP error is not one', () => {
    const answered: ProbeRecord = { seq: 0, sentAt: 0, ok: false, status: 502, latencyMs: 3 };
    expect(endedBySwitch(answered)).toBe(false);
  });
});

describe('inFlightAt', () => {
  const r = { seq: 0, sentAt: 1000, ok: false, latencyMs: 1000 };
  it.each([
    [1500, true],
    [1040, true],
    [1999, true],
    [960, true],
    [949, false],
    [2051, false],
  ])('a request sent at 1000 that took 1000 ms, at %i: %s', (at, expected) => {
    expect(inFlightAt(r, at)).toBe(expected);
  });
});
