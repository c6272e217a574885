import { describe, expect, it } from 'vitest';
import { overviewProblems, type OverviewCluster, type OverviewNode } from './problems';

const NOW = 1_800_000_000_000;

function node(name: string, o: { drifted?: boolean; seenMsAgo?: number } = {}): OverviewNode {
  return {
    nodeId: `id-${name}`,
    name,
    enrolled: true,
    maintenance: false,
    lastSeenAt: NOW - (o.seenMsAgo ?? 1000),
    staleAfterMs: 15_000,
    appliedRevision: 3,
    instances: [
      {
        instance: 'VI_1',
        vrid: 51,
        state: name === 'lb1' ? 'master' : 'backup',
        effectivePriority: 100,
        since: NOW - 60_000,
      },
    ],
    ...(o.drifted === undefined ? {} : { nginxDrifted: o.drifted }),
  };
}

function cluster(nodes: OverviewNode[]): OverviewCluster {
  const instances = [{ name: 'VI_1', vrid: 51, vips: ['192.0.2.100/24'] }];
  return { id: 'c', name: 'edge', revision: 3, revisionAt: NOW - 600_000, instances, nodes, deployments: [] };
}

describe('nginx config drift as a problem', () => {
  it('names an online node whose rendered nginx file was edited by hand', () => {
    const problems = overviewProblems(cluster([node('lb1'), node('lb2', { drifted: true })]), NOW);
    expect(problems).toEqual([
      expect.objectContaining({
        kind: 'drifted',
        severity: 'warning',
        node: 'lb2',
        message: expect.stringMatching(/lb2.*edited by hand/),
      }),
    ]);
  });

  it('is no problem for a node that reports no drift, or an agent from before drift reports', () => {
    expect(overviewProblems(cluster([node('lb1', { drifted: false }), node('lb2')]), NOW)).toEqual([]);
  });

  it('is not repeated for an offline node (its report is stale; offline says so)', () => {
    const kinds = overviewProblems(cluster([node('lb1'), node('lb2', { drifted: true, seenMsAgo: 60_000 })]), NOW).map(
      (p) => p.kind,
    );
    expect(kinds).toEqual(['offline']);
  });
});
