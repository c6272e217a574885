import { describe, expect, it } from 'vitest';
import { summariseProbe, type ProbeRecord } from './probe.js';

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
