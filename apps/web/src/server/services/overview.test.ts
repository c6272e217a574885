import { describe, expect, it } from 'vitest';
import type { VrrpState } from '@keepwatch/shared';
import { apiWithClusterForSuite, type Api } from '../testing/api';
import { heartbeat } from '../../../test/fixtures';
import {
  instanceViews,
  overviewProblems,
  REVISION_GRACE_MS,
  type OverviewCluster,
  type OverviewNode,
  type ProblemKind,
} from '../../lib/problems';

const NOW = 1_800_000_000_000;
const STALE = 15_000;

function node(
  name: string,
  o: {
    state?: VrrpState;
    since?: number;
    seenMsAgo?: number | null;
    applied?: number | null;
    maintenance?: boolean;
  } = {},
): OverviewNode {
  return {
    nodeId: `id-${name}`,
    name,
    enrolled: true,
    maintenance: o.maintenance ?? false,
    lastSeenAt: o.seenMsAgo === null ? null : NOW - (o.seenMsAgo ?? 1000),
    staleAfterMs: STALE,
    appliedRevision: o.applied === undefined ? 3 : o.applied,
    instances: o.state
      ? [{ instance: 'VI_1', vrid: 51, state: o.state, effectivePriority: 100, since: o.since ?? NOW - 60_000 }]
      : [],
  };
}

function cluster(nodes: OverviewNode[], o: Partial<OverviewCluster> = {}): OverviewCluster {
  return {
    id: 'c',
    name: 'edge',
    revision: 3,
    revisionAt: NOW - 10 * 60_000,
    instances: [{ name: 'VI_1', vrid: 51, vips: ['192.0.2.100/24'] }],
    nodes,
    deployments: [],
    ...o,
  };
}

describe('overview problem rules', () => {
  const cases: { name: string; c: OverviewCluster; kinds: ProblemKind[]; match?: RegExp }[] = [
    {
      name: 'a healthy pair has no problem',
      c: cluster([node('lb1', { state: 'master' }), node('lb2', { state: 'backup' })]),
      kinds: [],
    },
    {
      name: 'two online masters both heard after the newer took over are a split brain',
      c: cluster([
        node('lb1', { state: 'master', since: NOW - 60_000 }),
        node('lb2', { state: 'master', since: NOW - 20_000 }),
      ]),
      kinds: ['split-brain'],
      match: /lb2 and lb1 all report master/,
    },
    {
      name: 'an older master last heard before the newer master took over is superseded, not a split brain',
      c: cluster([
        node('lb1', { state: 'master', since: NOW - 60_000, seenMsAgo: 8000 }),
        node('lb2', { state: 'master', since: NOW - 5000 }),
      ]),
      kinds: [],
    },
    {
      name: 'no online master is no holder',
      c: cluster([node('lb1', { state: 'backup' }), node('lb2', { state: 'backup' })]),
      kinds: ['no-holder'],
    },
    {
      name: 'a stale node saying master is offline and holds nothing',
      c: cluster([node('lb1', { state: 'master', seenMsAgo: STALE + 1 }), node('lb2', { state: 'backup' })]),
      kinds: ['no-holder', 'offline'],
      match: /lb1 is offline \(last heard 15 s ago\)/,
    },
    {
      name: 'a node never heard from is offline',
      c: cluster([node('lb1', { state: 'master' }), node('lb2', { seenMsAgo: null })]),
      kinds: ['offline'],
      match: /never reported/,
    },
    {
      name: 'an online node behind the newest revision after the grace is on an old revision',
      c: cluster([node('lb1', { state: 'master' }), node('lb2', { state: 'backup', applied: 2 })]),
      kinds: ['old-revision'],
      match: /lb2 runs revision 2; the newest is 3/,
    },
    {
      name: 'a node behind a revision made within the grace is not flagged yet',
      c: cluster([node('lb1', { state: 'master' }), node('lb2', { state: 'backup', applied: 2 })], {
        revisionAt: NOW - REVISION_GRACE_MS + 1000,
      }),
      kinds: [],
    },
    {
      name: 'a failed deploy names the node and nginx message, and replaces the old-revision warning',
      c: cluster([node('lb1', { state: 'master' }), node('lb2', { state: 'backup', applied: 2 })], {
        deployments: [
          {
            nodeId: 'id-lb2',
            node: 'lb2',
            revision: 3,
            status: 'failed',
            stage: 'test',
            message: 'nginx: [emerg] bind() failed',
            at: NOW - 1000,
          },
        ],
      }),
      kinds: ['failed-deploy'],
      match: /Deploy of revision 3 failed on lb2 at test: nginx: \[emerg\] bind\(\) failed/,
    },
    {
      name: 'maintenance is listed as information',
      c: cluster([node('lb1', { state: 'master' }), node('lb2', { state: 'backup', maintenance: true })]),
      kinds: ['maintenance'],
    },
  ];
  it.each(cases)('$name', ({ c, kinds, match }) => {
    const problems = overviewProblems(c, NOW);
    expect(problems.map((p) => p.kind).sort()).toEqual([...kinds].sort());
    if (match) expect(problems.map((p) => p.message).join('\n')).toMatch(match);
  });

  it('puts critical problems first', () => {
    const c = cluster([
      node('lb1', { state: 'master', maintenance: true }),
      node('lb2', { state: 'master', since: NOW - 5000 }),
    ]);
    expect(overviewProblems(c, NOW).map((p) => p.severity)).toEqual(['critical', 'info']);
  });

  it('the holder is the newest online master; a superseded claim is marked, never current', () => {
    const [v] = instanceViews(
      cluster([
        node('lb1', { state: 'master', since: NOW - 60_000, seenMsAgo: 8000 }),
        node('lb2', { state: 'master', since: NOW - 5000 }),
      ]),
      NOW,
    );
    expect(v?.masters).toEqual([{ node: 'lb2', since: NOW - 5000 }]);
    expect(v?.nodes.get('lb1')).toEqual({ kind: 'state', state: 'master', since: NOW - 60_000, superseded: true });
  });

  it('the same data read later turns the silent node offline', () => {
    const c = cluster([node('lb1', { state: 'master', seenMsAgo: 5000 }), node('lb2', { state: 'backup' })]);
    expect(instanceViews(c, NOW)[0]?.masters.map((m) => m.node)).toEqual(['lb1']);
    const later = instanceViews(c, NOW + STALE);
    expect(later[0]?.masters).toEqual([]);
    expect(later[0]?.nodes.get('lb1')).toEqual({ kind: 'offline' });
  });
});

describe('clusters.overview', () => {
  let api: Api;
  let clusterId: string;
  let lvs1: string;
  let lvs2: string;

  apiWithClusterForSuite((s) => {
    ({ api, clusterId } = s);
    lvs1 = s.nodeIds.LVS_1!;
    lvs2 = s.nodeIds.LVS_2!;
  });

  it('shows live state, the newest revision, each node’s newest deployment and the problems', async () => {
    const since = Date.now() - 60_000;
    // Stored as the hub stores it: lastSeenAt on the dashboard clock, the last heartbeat as JSON.
    await api.db.prisma.node.update({
      where: { id: lvs1 },
      data: { lastSeenAt: new Date(Date.now() - 500), liveState: heartbeat({ state: 'master', since }) as object },
    });
    await api.db.prisma.node.update({
      where: { id: lvs2 },
      data: { lastSeenAt: new Date(Date.now() - 60_000), liveState: heartbeat({ state: 'backup', since }) as object },
    });
    const rev = await api.db.prisma.configRevision.findFirstOrThrow({ where: { clusterId, number: 1 } });
    await api.db.prisma.deployment.update({
      where: { revisionId_nodeId: { revisionId: rev.id, nodeId: lvs1 } },
      data: { status: 'failed', stage: 'test', message: 'nginx: [emerg] bind() to 192.0.2.11:80 failed' },
    });

    const o = await api.viewer.clusters.overview();
    const c = o.clusters.find((x) => x.id === clusterId);
    expect(c).toMatchObject({
      revision: 1,
      instances: expect.arrayContaining([expect.objectContaining({ name: 'VI_1', vrid: 51 })]),
    });
    expect(c?.nodes.find((n) => n.name === 'LVS_1')).toMatchObject({
      appliedRevision: 1,
      instances: [expect.objectContaining({ state: 'master', since })],
    });
    expect(c?.deployments.find((d) => d.node === 'LVS_1')).toMatchObject({
      revision: 1,
      status: 'failed',
      stage: 'test',
    });
    expect(c?.problems.find((p) => p.kind === 'failed-deploy')?.message).toMatch(
      /revision 1 failed on LVS_1 at test: nginx: \[emerg\] bind\(\)/,
    );
    const kinds = c?.problems.map((p) => p.kind);
    expect(kinds).toContain('failed-deploy');
    expect(c?.problems.find((p) => p.kind === 'offline')).toMatchObject({ node: 'LVS_2' });
    expect(kinds).not.toContain('split-brain');
  });

  it('lists a cluster without nodes or revisions with no problem', async () => {
    for (let i = 0; i < 3; i++) await api.admin.clusters.create({ name: `empty-${i}` });
    const o = await api.viewer.clusters.overview();
    expect(o.clusters.map((c) => c.name)).toEqual(expect.arrayContaining(['empty-0', 'empty-1', 'empty-2']));
    expect(o.clusters.find((c) => c.name === 'empty-0')).toMatchObject({
      revision: 0,
      revisionAt: null,
      nodes: [],
      instances: [],
      problems: [],
    });
  });

  it('reads one cluster when asked for its id: its nodes, deployments and problems, no other cluster', async () => {
    const other = (await api.admin.clusters.create({ name: 'another' })).id;
    const o = await api.viewer.clusters.overview({ clusterId });
    expect(o.clusters.map((c) => c.id)).toEqual([clusterId]);
    const all = (await api.viewer.clusters.overview()).clusters.find((c) => c.id === clusterId);
    // The same cluster as in the full read (problem messages carry ages, which move between reads).
    const { problems, ...one } = o.clusters[0]!;
    const { problems: allProblems, ...fromAll } = all!;
    expect(one).toEqual(fromAll);
    expect(problems.map((p) => p.kind)).toEqual(allProblems.map((p) => p.kind));
    expect((await api.viewer.clusters.overview({ clusterId: other })).clusters).toMatchObject([
      { id: other, nodes: [], deployments: [] },
    ]);
  });
});
