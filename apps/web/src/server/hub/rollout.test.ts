import { describe, expect, it } from 'vitest';
import { planRollout, type RolloutNode } from './rollout';

const node = (nodeId: string, o: Partial<RolloutNode> = {}): RolloutNode => ({
  nodeId,
  appliedRevision: 1,
  master: false,
  healthyAfterApply: true,
  pushedRevision: null,
  failed: false,
  ...o,
});

interface Case {
  name: string;
  nodes: RolloutNode[];
  push: string[];
  halted?: boolean;
}

describe('planRollout (revision 2)', () => {
  it.each<Case>([
    {
      name: 'backups get the revision first, the master waits',
      nodes: [node('m', { master: true }), node('b')],
      push: ['b'],
    },
    {
      name: 'the master gets it once every backup applied it and is healthy',
      nodes: [node('m', { master: true }), node('b', { appliedRevision: 2, pushedRevision: 2 })],
      push: ['m'],
    },
    {
      name: 'the master waits while a backup is unhealthy after the apply',
      nodes: [node('m', { master: true }), node('b', { appliedRevision: 2, healthyAfterApply: false })],
      push: [],
    },
    {
      name: 'a failed apply on a backup halts the rollout before the master',
      nodes: [node('m', { master: true }), node('b', { failed: true, pushedRevision: 2 })],
      push: [],
      halted: true,
    },
    {
      name: 'a node with no config yet gets it at once',
      nodes: [node('m', { master: true }), node('n', { appliedRevision: null, master: null })],
      push: ['n'],
    },
    { name: 'a node of unknown role waits for its first heartbeat', nodes: [node('u', { master: null })], push: [] },
    {
      name: 'a revision already pushed on this connection is not pushed again',
      nodes: [node('b', { pushedRevision: 2 })],
      push: [],
    },
    { name: 'a lone master with no backups connected gets it', nodes: [node('m', { master: true })], push: ['m'] },
  ])('$name', ({ nodes, push, halted }) => {
    const d = planRollout(2, nodes);
    expect(d.push).toEqual(push);
    expect(d.halted).toBe(halted ?? false);
  });
});

describe('planRollout with an aborted revision', () => {
  it('pushes it to no node: backups, masters and nodes that run nothing keep what they run', () => {
    const nodes = [
      node('m', { master: true }),
      node('b'),
      node('n', { appliedRevision: null, master: null }),
      node('a', { appliedRevision: 2, pushedRevision: 2 }),
    ];
    expect(planRollout(2, nodes, { aborted: true })).toEqual({ push: [], halted: true, waitingForBackups: [] });
  });

  it('a revision that is not aborted rolls out as usual', () => {
    expect(planRollout(2, [node('b')], { aborted: false }).push).toEqual(['b']);
  });
});
