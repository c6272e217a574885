import { describe, expect, it } from 'vitest';
import { ageText, instanceReports, type Transition } from './vip-holders';
import type { VrrpState } from '@keepwatch/shared';

const t = (node: string, to: VrrpState, atS: number, instance = 'VI_1'): Transition => ({
  node,
  instance,
  from: 'backup',
  to,
  reason: null,
  priority: 100,
  at: new Date(atS * 1000),
});

describe('instanceReports', () => {
  it('keeps the newest report per node, whatever the order of the history', () => {
    const r = instanceReports([t('lb1', 'backup', 30), t('lb1', 'master', 10), t('lb2', 'master', 20)], 'VI_1');
    expect(r.byNode.get('lb1')?.state).toBe('backup');
    expect(r.masters.map((m) => m.node)).toEqual(['lb2']);
  });

  it('reports every node whose last word is master (a possible split brain), newest first', () => {
    const r = instanceReports([t('lb1', 'master', 10), t('lb2', 'master', 20)], 'VI_1');
    expect(r.masters.map((m) => m.node)).toEqual(['lb2', 'lb1']);
  });

  it('ignores other instances', () => {
    expect(instanceReports([t('lb1', 'master', 10, 'VI_2')], 'VI_1').masters).toEqual([]);
  });
});

describe('ageText', () => {
  it.each([
    [0, 'just now'],
    [42, '42 s ago'],
    [300, '5 min ago'],
    [3 * 3600, '3 h ago'],
    [3 * 86400, '3 d ago'],
  ])('%i s → %s', (s, text) => expect(ageText(new Date(0), s * 1000)).toBe(text));
});
