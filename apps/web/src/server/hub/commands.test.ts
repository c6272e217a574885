import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HeartbeatMessage, HubMessage } from '@keepwatch/shared';
import { createTestDatabase, type TestDatabase } from '../testing/db';
import { createLogger } from '../logger';
import { importCluster } from '../services/clusters';
import { ClusterSpecSchema } from '@keepwatch/shared';
import { heartbeat, referenceSpec } from '../../../test/fixtures';
import {
  CommandDispatcher,
  CommandPacer,
  DEF_COMMAND_RETRY_MS,
  planCommands,
  type DesiredInstance,
  type PlanNode,
} from './commands';

type Hb = Pick<HeartbeatMessage, 'maintenance' | 'instances'>;
const node = (nodeId: string, heartbeat: Hb | null, maintenance = false): PlanNode => ({
  nodeId,
  maintenance,
  heartbeat,
});
const vi1 = (promotedNodeId: string | null): DesiredInstance => ({
  name: 'VI_1',
  promotedNodeId,
  memberIds: ['a', 'b'],
});
/** The plan as `node:command` strings. */
const show = (cmds: { nodeId: string; command: { kind: string; instance?: string; enabled?: boolean } }[]) =>
  cmds.map(
    (c) =>
      `${c.nodeId}:${c.command.kind}${c.command.kind === 'maintenance' ? (c.command.enabled ? '-on' : '-off') : ''}`,
  );

describe('planCommands (desired state vs heartbeats)', () => {
  it.each([
    {
      name: 'nothing to do when the live state matches',
      instances: [vi1(null)],
      nodes: [node('a', heartbeat()), node('b', heartbeat())],
      send: [],
      held: [],
    },
    {
      name: 'a promote goes to the target',
      instances: [vi1('b')],
      nodes: [node('a', heartbeat()), node('b', heartbeat())],
      send: ['b:promote'],
      held: [],
    },
    {
      name: 'a promote in force needs nothing',
      instances: [vi1('b')],
      nodes: [node('a', heartbeat()), node('b', heartbeat({ override: 'promoted' }))],
      send: [],
      held: [],
    },
    {
      name: 'a release: the promote standing on a node no longer desired is released',
      instances: [vi1(null)],
      nodes: [node('a', heartbeat()), node('b', heartbeat({ override: 'promoted' }))],
      send: ['b:release'],
      held: [],
    },
    {
      name: 'moving a promote: release the old node first, hold the new one',
      instances: [vi1('a')],
      nodes: [node('a', heartbeat()), node('b', heartbeat({ override: 'promoted' }))],
      send: ['b:release'],
      held: ['a:promote'],
    },
    {
      name: 'an offline old node does not hold the new promote (its machine decides)',
      instances: [vi1('a')],
      nodes: [node('a', heartbeat())],
      send: ['a:promote'],
      held: [],
    },
    {
      name: 'a target without a heartbeat yet is waited for',
      instances: [vi1('b')],
      nodes: [node('a', heartbeat()), node('b', null)],
      send: [],
      held: [],
    },
    {
      name: 'maintenance on is sent; it clears the promote itself, so no release',
      instances: [vi1(null)],
      nodes: [node('a', heartbeat({ override: 'promoted' }), true), node('b', heartbeat())],
      send: ['a:maintenance-on'],
      held: [],
    },
    {
      name: 'maintenance off is sent when the agent still reports it',
      instances: [vi1(null)],
      nodes: [node('a', heartbeat({ maintenance: true })), node('b', heartbeat())],
      send: ['a:maintenance-off'],
      held: [],
    },
    {
      name: 'no promote to a node in maintenance',
      instances: [vi1('a')],
      nodes: [node('a', heartbeat(), true), node('b', heartbeat())],
      send: ['a:maintenance-on'],
      held: [],
    },
    {
      name: 'a promote to a node that does not run the instance yet waits (and is not "in effect")',
      instances: [vi1('b')],
      nodes: [node('a', heartbeat()), node('b', heartbeat({ instance: 'VI_2' }))],
      send: [],
      held: ['b:promote'],
    },
    {
      name: 'a promote to a node still reporting maintenance waits for maintenance off',
      instances: [vi1('b')],
      nodes: [node('a', heartbeat()), node('b', heartbeat({ maintenance: true }))],
      send: ['b:maintenance-off'],
      held: ['b:promote'],
    },
    {
      name: 'maintenance first, then releases, then promotes',
      instances: [vi1('a'), { name: 'VI_2', promotedNodeId: null, memberIds: ['a', 'b'] }],
      nodes: [
        node('a', {
          maintenance: false,
          instances: [...heartbeat().instances, ...heartbeat({ instance: 'VI_2', override: 'promoted' }).instances],
        }),
        node('b', heartbeat(), true),
      ],
      send: ['b:maintenance-on', 'a:release', 'a:promote'],
      held: [],
    },
  ])('$name', ({ instances, nodes, send, held }) => {
    const plan = planCommands(instances, nodes);
    expect(show(plan.send)).toEqual(send);
    expect(show(plan.held)).toEqual(held);
  });
});

describe('CommandPacer', () => {
  it('waits for an answer before sending again, and backs off after each refusal', () => {
    const p = new CommandPacer();
    expect(p.due('k', 0)).toBe(true);
    p.sent('k', 0);
    expect(p.due('k', 4999)).toBe(false);
    expect(p.due('k', 5000)).toBe(true);
    p.refused('k', 100);
    expect(p.due('k', 1099)).toBe(false);
    expect(p.due('k', 1100)).toBe(true);
    p.refused('k', 1100);
    expect(p.due('k', 3099)).toBe(false);
    expect(p.due('k', 3100)).toBe(true);
    for (let i = 0; i < 10; i++) p.refused('k', 0);
    expect(p.due('k', 30_000)).toBe(true);
    p.prune(new Set(['k']), new Set());
    expect(p.due('other', 0)).toBe(true);
  });
});

describe('CommandDispatcher (real database, scripted sessions)', () => {
  let db: TestDatabase;
  let clusterId: string;
  let a: string;
  let b: string;
  const sent: { node: string; m: HubMessage }[] = [];
  const heartbeats = new Map<string, HeartbeatMessage>();
  const sessions = () => [
    {
      nodeId: a,
      node: 'LVS_1',
      heartbeat: heartbeats.get(a) ?? null,
      send: (m: HubMessage) => sent.push({ node: 'LVS_1', m }),
    },
    {
      nodeId: b,
      node: 'LVS_2',
      heartbeat: heartbeats.get(b) ?? null,
      send: (m: HubMessage) => sent.push({ node: 'LVS_2', m }),
    },
  ];
  const commands = () => sent.map(({ node, m }) => (m.type === 'command' ? `${node}:${m.command.kind}` : m.type));

  beforeAll(async () => {
    db = await createTestDatabase();
    const spec = ClusterSpecSchema.parse(referenceSpec());
    clusterId = (
      await db.prisma.$transaction((tx) =>
        importCluster(tx, { kind: 'system', name: 'test', sourceAddress: null }, { spec }),
      )
    ).id;
    a = (await db.prisma.node.findFirstOrThrow({ where: { clusterId, name: 'LVS_1' } })).id;
    b = (await db.prisma.node.findFirstOrThrow({ where: { clusterId, name: 'LVS_2' } })).id;
  });
  afterAll(() => db.drop());
  beforeEach(async () => {
    sent.length = 0;
    await db.prisma.failoverCommand.deleteMany({});
  });

  it("sends the operator's pending row, marks it sent, then accepted/completed from the answer and the transition", async () => {
    const d = new CommandDispatcher({ db: db.prisma, log: createLogger('silent') });
    await db.prisma.vrrpInstance.updateMany({ where: { clusterId }, data: { promotedNodeId: b } });
    const row = await db.prisma.failoverCommand.create({
      data: { clusterId, nodeId: b, kind: 'promote', instance: 'VI_1', actor: 'op' },
    });
    heartbeats.set(a, heartbeat({ state: 'master' }));
    heartbeats.set(b, heartbeat());
    await d.reconcile(clusterId, sessions);
    expect(commands()).toEqual(['LVS_2:promote']);
    expect(sent[0]!.m).toMatchObject({ type: 'command', id: row.id, command: { kind: 'promote', instance: 'VI_1' } });
    expect((await db.prisma.failoverCommand.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('sent');
    expect(d.unconverged.has(clusterId)).toBe(true);
    // Planned again before the answer: not sent twice.
    await d.reconcile(clusterId, sessions);
    expect(commands()).toEqual(['LVS_2:promote']);
    // Done while still backup → accepted; the transition to master completes it.
    await d.onResult(
      b,
      { v: 1, type: 'command-result', seq: 1, at: Date.now(), id: row.id, outcome: 'done' },
      heartbeats.get(b)!,
    );
    expect((await db.prisma.failoverCommand.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('accepted');
    const promoted = { from: 'backup', to: 'master', reason: 'promoted', priority: 254 } as const;
    await d.onTransition(b, {
      v: 1,
      type: 'state-transition',
      seq: 2,
      at: Date.now(),
      instance: 'VI_1',
      vrid: 51,
      ...promoted,
    });
    expect(await db.prisma.failoverCommand.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: 'completed',
      finishedAt: expect.any(Date),
    });
    // The heartbeat shows the promote: converged.
    heartbeats.set(b, heartbeat({ state: 'master', override: 'promoted' }));
    await d.reconcile(clusterId, sessions);
    expect(d.unconverged.has(clusterId)).toBe(false);
  });

  it('moves a promote release-first, and retries a refused promote on the same row', async () => {
    // The pacer's retry delay runs on the dispatcher's clock: the test moves it instead of sleeping.
    let clock = Date.now();
    const d = new CommandDispatcher({ db: db.prisma, log: createLogger('silent'), now: () => clock });
    await db.prisma.vrrpInstance.updateMany({ where: { clusterId }, data: { promotedNodeId: a } });
    heartbeats.set(a, heartbeat());
    heartbeats.set(b, heartbeat({ state: 'master', override: 'promoted' }));
    await d.reconcile(clusterId, sessions);
    expect(commands()).toEqual(['LVS_2:release']);
    // The release is in effect: now the promote goes out (a row of the reconciler's own).
    heartbeats.set(b, heartbeat({ state: 'master' }));
    await d.reconcile(clusterId, sessions);
    expect(commands()).toEqual(['LVS_2:release', 'LVS_1:promote']);
    const promote = sent[1]!.m as Extract<HubMessage, { type: 'command' }>;
    expect(await db.prisma.failoverCommand.findUniqueOrThrow({ where: { id: promote.id } })).toMatchObject({
      actor: 'system:reconcile',
      status: 'sent',
    });
    // LVS_1 still heard LVS_2's last 254 advert: refused, then retried after the backoff.
    await d.onResult(
      a,
      {
        v: 1,
        type: 'command-result',
        seq: 3,
        at: Date.now(),
        id: promote.id,
        outcome: 'refused',
        reason: 'peer-priority: another router advertises 254',
      },
      heartbeats.get(a)!,
    );
    expect(await db.prisma.failoverCommand.findUniqueOrThrow({ where: { id: promote.id } })).toMatchObject({
      status: 'refused',
      reason: 'peer-priority: another router advertises 254',
    });
    await d.reconcile(clusterId, sessions);
    expect(commands()).toHaveLength(2);
    clock += DEF_COMMAND_RETRY_MS - 1;
    await d.reconcile(clusterId, sessions);
    expect(commands()).toHaveLength(2);
    clock += 1;
    await d.reconcile(clusterId, sessions);
    expect(commands()).toEqual(['LVS_2:release', 'LVS_1:promote', 'LVS_1:promote']);
    expect((sent[2]!.m as Extract<HubMessage, { type: 'command' }>).id).toBe(promote.id);
    expect((await db.prisma.failoverCommand.findUniqueOrThrow({ where: { id: promote.id } })).status).toBe('sent');
  });

  it('sends again at once on a new session of the node (the old connection may have swallowed it)', async () => {
    const d = new CommandDispatcher({ db: db.prisma, log: createLogger('silent') });
    await db.prisma.vrrpInstance.updateMany({ where: { clusterId }, data: { promotedNodeId: b } });
    heartbeats.set(a, heartbeat({ state: 'master' }));
    heartbeats.set(b, heartbeat());
    await d.reconcile(clusterId, sessions);
    await d.reconcile(clusterId, sessions);
    expect(commands()).toEqual(['LVS_2:promote']);
    d.newSession(b);
    await d.reconcile(clusterId, sessions);
    expect(commands()).toEqual(['LVS_2:promote', 'LVS_2:promote']);
    // The same row both times: one operator intent, one row.
    expect(new Set(sent.map((x) => (x.m as Extract<HubMessage, { type: 'command' }>).id)).size).toBe(1);
  });

  it('marks a pending row whose effect is already in force as completed', async () => {
    const d = new CommandDispatcher({ db: db.prisma, log: createLogger('silent') });
    await db.prisma.vrrpInstance.updateMany({ where: { clusterId }, data: { promotedNodeId: null } });
    const row = await db.prisma.failoverCommand.create({
      data: { clusterId, nodeId: a, kind: 'maintenance-off', actor: 'op' },
    });
    heartbeats.set(a, heartbeat());
    heartbeats.set(b, heartbeat());
    await d.reconcile(clusterId, sessions);
    expect(commands()).toEqual([]);
    expect(await db.prisma.failoverCommand.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: 'completed',
      reason: 'already in effect',
    });
  });
});
