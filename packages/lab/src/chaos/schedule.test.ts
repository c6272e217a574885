import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, mulberry32, planFaults } from './schedule.js';

const nodes = ['lb1', 'lb2', 'lb3'];

describe('chaos schedule', () => {
  it('the same seed gives the same schedule', () => {
    const a = planFaults({ seed: 7, durationMs: 300_000, nodes });
    expect(planFaults({ seed: 7, durationMs: 300_000, nodes })).toEqual(a);
    expect(a.length).toBeGreaterThan(10);
  });

  it('another seed gives another schedule', () => {
    expect(planFaults({ seed: 8, durationMs: 300_000, nodes })).not.toEqual(
      planFaults({ seed: 7, durationMs: 300_000, nodes }),
    );
  });

  it('faults never overlap and each is followed by the quiet time', () => {
    const s = planFaults({ seed: 3, durationMs: 600_000, nodes, quietMs: [2000, 4000] });
    for (let i = 1; i < s.length; i++) {
      const prev = s[i - 1]!;
      expect(s[i]!.at - (prev.at + prev.duration)).toBeGreaterThanOrEqual(2000);
      expect(s[i]!.at - (prev.at + prev.duration)).toBeLessThanOrEqual(4000);
    }
  });

  it('every fault ends before the soak does', () => {
    for (const f of planFaults({ seed: 11, durationMs: 120_000, nodes })) {
      expect(f.at + f.duration).toBeLessThanOrEqual(120_000);
    }
  });

  it('over a long soak every kind is drawn', () => {
    const kinds = new Set(planFaults({ seed: 1, durationMs: 1_800_000, nodes }).map((f) => f.fault));
    expect([...kinds].sort()).toEqual([...FAULT_KINDS].sort());
  });

  it('only the kinds asked for are drawn', () => {
    const s = planFaults({ seed: 5, durationMs: 200_000, nodes, kinds: ['link-down', 'edit'] });
    expect(new Set(s.map((f) => f.fault))).toEqual(new Set(['link-down', 'edit']));
  });

  it('node faults name one of the nodes, a priority edit its node and priority', () => {
    for (const f of planFaults({ seed: 9, durationMs: 900_000, nodes })) {
      if (['dashboard-restart', 'postgres-restart'].includes(f.fault)) expect(f.params).toEqual({});
      else if (f.fault === 'edit' && f.params.edit !== 'priority') expect(f.params.node).toBeUndefined();
      else expect(nodes).toContain(f.params.node);
      if (f.params.edit === 'priority') expect(f.params.priority).toBeGreaterThan(0);
    }
  });

  it('the PRNG is uniform enough over [0, 1)', () => {
    const r = mulberry32(42);
    const xs = Array.from({ length: 10_000 }, () => r());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeCloseTo(0.5, 1);
  });
});
