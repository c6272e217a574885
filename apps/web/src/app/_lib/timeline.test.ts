import { describe, expect, it } from 'vitest';
import type { VrrpState } from '@keepwatch/shared';
import { buildTimeline, holdersText, xOf, type TimelineTransition } from './timeline';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const min = (m: number) => T0 + m * 60_000;
const tr = (
  node: string,
  atMin: number,
  from: VrrpState,
  to: VrrpState,
  reason: string,
  instance = 'VI_1',
): TimelineTransition => ({ node, instance, from, to, reason, priority: 100, at: new Date(min(atMin)) });
const window = {
  since: new Date(min(0)),
  until: new Date(min(60)),
  instances: [{ name: 'VI_1', members: ['lb1', 'lb2'] }],
};

describe('buildTimeline', () => {
  it('starts each lane in the state of the last transition before the window, and unknown without one', () => {
    const [vi] = buildTimeline({
      ...window,
      initial: [tr('lb1', -30, 'backup', 'master', 'master-down-timer')],
      transitions: [],
    });
    expect(vi!.lanes).toEqual([
      { node: 'lb1', segments: [{ state: 'master', start: min(0), end: min(60), reason: null }] },
      { node: 'lb2', segments: [{ state: 'unknown', start: min(0), end: min(60), reason: null }] },
    ]);
    expect(vi!.holders).toEqual([{ holders: ['lb1'], unknown: false, start: min(0), end: min(60) }]);
  });

  it('a make-before-break move: both hold for a moment, then only the new owner; each change keeps its reason', () => {
    const [vi] = buildTimeline({
      ...window,
      initial: [tr('lb1', -30, 'backup', 'master', 'startup'), tr('lb2', -30, 'initialize', 'backup', 'startup')],
      transitions: [
        tr('lb2', 20, 'backup', 'master', 'admin-promote'),
        tr('lb1', 21, 'master', 'backup', 'admin-demote'),
      ],
    });
    expect(vi!.holders).toEqual([
      { holders: ['lb1'], unknown: false, start: min(0), end: min(20) },
      { holders: ['lb1', 'lb2'], unknown: false, start: min(20), end: min(21) },
      { holders: ['lb2'], unknown: false, start: min(21), end: min(60) },
    ]);
    expect(vi!.lanes[1]!.segments).toEqual([
      { state: 'backup', start: min(0), end: min(20), reason: null },
      { state: 'master', start: min(20), end: min(60), reason: 'admin-promote' },
    ]);
    expect(vi!.marks.map((m) => [m.node, m.to, m.reason])).toEqual([
      ['lb2', 'master', 'admin-promote'],
      ['lb1', 'backup', 'admin-demote'],
    ]);
  });

  it('a period without any master is "nobody"', () => {
    const [vi] = buildTimeline({
      ...window,
      initial: [tr('lb1', -5, 'backup', 'master', 'startup')],
      transitions: [
        tr('lb1', 10, 'master', 'fault', 'check-failed'),
        tr('lb2', 12, 'backup', 'master', 'master-down-timer'),
      ],
    });
    expect(vi!.holders.map((h) => [holdersText(h.holders), h.start, h.end])).toEqual([
      ['lb1', min(0), min(10)],
      ['nobody', min(10), min(12)],
      ['lb2', min(12), min(60)],
    ]);
  });

  it("ignores other instances' transitions", () => {
    const [vi] = buildTimeline({
      ...window,
      initial: [],
      transitions: [tr('lb1', 10, 'backup', 'master', 'x', 'VI_2')],
    });
    expect(vi!.marks).toEqual([]);
    expect(vi!.holders).toEqual([{ holders: [], unknown: true, start: min(0), end: min(60) }]);
    expect(holdersText(vi!.holders[0]!.holders, vi!.holders[0]!.unknown)).toBe('no reports');
  });

  it("turns a lane stale once its node's reports stopped, so a silent master is not drawn holding the VIP up to now", () => {
    const [vi] = buildTimeline({
      ...window,
      initial: [tr('lb1', -5, 'backup', 'master', 'startup')],
      transitions: [],
      lastSeen: { lb1: min(40), lb2: null },
      staleAfterMs: 15_000,
    });
    expect(vi!.lanes[0]!.segments).toEqual([
      { state: 'master', start: min(0), end: min(40) + 15_000, reason: null },
      { state: 'stale', start: min(40) + 15_000, end: min(60), reason: null },
    ]);
    expect(vi!.lanes[1]!.segments).toEqual([{ state: 'unknown', start: min(0), end: min(60), reason: null }]);
    expect(vi!.holders.at(-1)).toEqual({ holders: [], unknown: true, start: min(40) + 15_000, end: min(60) });
  });

  it('merges repeated reports of the same state into one segment', () => {
    const [vi] = buildTimeline({
      ...window,
      initial: [tr('lb1', -5, 'initialize', 'backup', 'startup')],
      transitions: [tr('lb1', 10, 'initialize', 'backup', 'restart')],
    });
    expect(vi!.lanes[0]!.segments).toHaveLength(1);
  });
});

describe('xOf and holdersText', () => {
  it('maps times into the width and clamps outside the window', () => {
    expect([
      xOf(min(30), min(0), min(60), 600),
      xOf(min(-10), min(0), min(60), 600),
      xOf(min(90), min(0), min(60), 600),
    ]).toEqual([300, 0, 600]);
  });
  it('names several holders as a split brain', () => {
    expect(holdersText(['lb1', 'lb2'])).toBe('lb1 and lb2 (split brain)');
  });
});
