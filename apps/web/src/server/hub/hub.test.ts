import { beforeAll, describe, expect, it } from 'vitest';
import { helloMessage } from '@keepwatch/shared';
import type { Api } from '../testing/api';
import { enrollAgent, hubSuite, ProtocolAgent } from '../testing/protocol-agent';
import { serveHub } from '../testing/hub-server';
import { checkResult, heartbeat, transition } from '../../../test/fixtures';
import { MAX_UNAUTHENTICATED_SOCKETS, PRE_AUTH_MAX_FRAME_BYTES, type AgentHub } from './hub';
import { nodeStatus } from '../services/node-status';

/** Waits until `closed` is set, at most `ms` (bounded poll). */
async function closedWithin(a: { closed: number | null }, ms: number): Promise<number | null> {
  for (let t = 0; a.closed === null && t < ms; t += 20) await new Promise((r) => setTimeout(r, 20));
  return a.closed;
}

describe('agent hub', () => {
  let api: Api;
  let hub: AgentHub;
  let url: string;
  let clusterId: string;
  let nodeIds: Record<string, string>;
  const suite = hubSuite({ missedHeartbeats: 2 });
  beforeAll(() => void ({ api, hub, url, clusterId, nodeIds } = suite));

  const token = async (node: string) => (await api.admin.nodes.issueEnrollToken({ id: nodeIds[node]! })).token;
  const enroll = (node: string) => enrollAgent(api, url, { nodeId: nodeIds[node]!, node, agentVersion: '0.1.0' });
  const hello = async (node: string, credential: string, appliedRevision: number | null = null) => {
    const a = await ProtocolAgent.connect(url);
    a.send(helloMessage({ node, credential, agentVersion: '0.1.0', appliedRevision, lastSeq: null }));
    return a;
  };

  it('exchanges a one-time token for a node credential, stored only as a hash', async () => {
    const a = await ProtocolAgent.connect(url);
    const t = await token('LVS_1');
    a.send({ v: 1, type: 'enroll', node: 'LVS_1', token: t, agentVersion: '0.1.0' });
    const m = await a.next('enrolled');
    expect(m.node).toBe('LVS_1');
    const row = await api.db.prisma.node.findUniqueOrThrow({ where: { id: nodeIds.LVS_1! } });
    expect(row.credentialHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.credentialHash).not.toContain(m.credential);
    expect(row.enrollTokenHash).toBeNull();
    a.close();
  });

  it('refuses a replayed enrollment token with an unauthorized error frame', async () => {
    const t = await token('LVS_2');
    const first = await ProtocolAgent.connect(url);
    first.send({ v: 1, type: 'enroll', node: 'LVS_2', token: t, agentVersion: '0.1.0' });
    await first.next('enrolled');
    first.close();
    const again = await ProtocolAgent.connect(url);
    again.send({ v: 1, type: 'enroll', node: 'LVS_2', token: t, agentVersion: '0.1.0' });
    expect(await again.next('error')).toMatchObject({
      code: 'unauthorized',
      message: expect.stringMatching(/already used/),
    });
  });

  it('refuses a wrong enrollment token and a token of another node', async () => {
    const a = await ProtocolAgent.connect(url);
    a.send({ v: 1, type: 'enroll', node: 'LVS_1', token: 'kwe_' + 'x'.repeat(32), agentVersion: '0.1.0' });
    expect(await a.next('error')).toMatchObject({ code: 'unauthorized' });
    const b = await ProtocolAgent.connect(url);
    b.send({ v: 1, type: 'enroll', node: 'LVS_1', token: await token('LVS_2'), agentVersion: '0.1.0' });
    expect(await b.next('error')).toMatchObject({ code: 'unauthorized' });
  });

  it('refuses hello with a wrong credential', async () => {
    const a = await hello('LVS_1', 'kwc_' + 'y'.repeat(40));
    expect(await a.next('error')).toMatchObject({
      code: 'unauthorized',
      message: 'credential is not valid for this node',
    });
  });

  it('refuses events before hello', async () => {
    const a = await ProtocolAgent.connect(url);
    a.send(transition({ at: 1, reason: 'x' }));
    expect(await a.next('error')).toMatchObject({ code: 'unauthorized' });
  });

  it('welcomes a node and pushes the newest revision to an agent that runs none', async () => {
    const cred = await enroll('LVS_1');
    const a = await hello('LVS_1', cred);
    expect(await a.next('welcome')).toMatchObject({ node: 'LVS_1', heartbeatIntervalMs: 200 });
    const push = await a.next('config-push');
    expect(push.revision).toBe(1);
    expect(push.spec.name).toBe('reference');
    a.close();
  });

  it('stores an apply result and acks its seq; the deployment shows failed with nginx output', async () => {
    const cred = await enroll('LVS_2');
    const a = await hello('LVS_2', cred);
    await a.next('welcome');
    await a.next('config-push');
    a.send({
      v: 1,
      type: 'apply-result',
      seq: 7,
      at: Date.UTC(2026, 10, 24, 9),
      revision: 1,
      outcome: 'failed',
      stage: 'test',
      message: 'nginx -t failed',
      nginxOutput: 'nginx: [emerg] boom',
      runningRevision: null,
    });
    expect(await a.next('ack')).toMatchObject({ seq: 7 });
    const rev = await api.viewer.clusters.revision({ clusterId, number: 1 });
    expect(rev.deployments.find((d) => d.node === 'LVS_2')).toMatchObject({
      status: 'failed',
      nginxOutput: 'nginx: [emerg] boom',
    });
    a.send({ v: 1, type: 'apply-result', seq: 8, at: Date.UTC(2026, 10, 24, 10), revision: 1, outcome: 'applied' });
    expect(await a.next('ack')).toMatchObject({ seq: 8 });
    expect(
      (await api.viewer.clusters.revision({ clusterId, number: 1 })).deployments.find((d) => d.node === 'LVS_2'),
    ).toMatchObject({ status: 'applied' });
    a.close();
  });

  it("stores a transition with the agent's original time", async () => {
    const cred = await enroll('LVS_1');
    const a = await hello('LVS_1', cred, 1);
    await a.next('welcome');
    const at = Date.UTC(2026, 10, 20, 8, 0, 0);
    a.send(transition({ seq: 12, at }));
    expect(await a.next('ack')).toMatchObject({ seq: 12 });
    expect(await api.viewer.clusters.transitions({ clusterId, limit: 10 })).toContainEqual(
      expect.objectContaining({ node: 'LVS_1', to: 'master', at: new Date(at) }),
    );
    a.close();
  });

  it('keeps check results and heartbeats as live state, with their age', async () => {
    const cred = await enroll('LVS_1');
    const a = await hello('LVS_1', cred, 1);
    await a.next('welcome');
    a.send(checkResult({ seq: 20 }));
    expect(await a.next('ack')).toMatchObject({ seq: 20 });
    a.send({ ...heartbeat(), instances: [] });
    await expect.poll(() => hub.liveStates().find((l) => l.node === 'LVS_1')?.heartbeat?.nginx.pid).toBe(4242);
    const live = hub.liveStates().find((l) => l.node === 'LVS_1')!;
    expect(live).toMatchObject({
      online: true,
      appliedRevision: 1,
      checks: { check_nginx: expect.objectContaining({ status: 'healthy' }) },
    });
    expect(live.ageMs).toBeGreaterThanOrEqual(0);
    // …and in the database, where every dashboard instance reads it (batched writes).
    await hub.live.flush();
    const stored = await nodeStatus(api.db.prisma, nodeIds.LVS_1!);
    expect(stored).toMatchObject({
      online: true,
      agentVersion: '0.1.0',
      agentAddress: '127.0.0.1',
      appliedRevision: 1,
      heartbeat: { nginx: { pid: 4242 } },
      checks: { check_nginx: { status: 'healthy' } },
    });
    a.close();
  });

  it('marks a node offline after missed heartbeats and closes its socket', async () => {
    const cred = await enroll('LVS_2');
    const a = await hello('LVS_2', cred, 1);
    await a.next('welcome');
    await expect.poll(() => a.closed, { timeout: 5000 }).not.toBeNull();
    expect(hub.liveStates().find((l) => l.node === 'LVS_2')).toMatchObject({ online: false });
  });

  it('sends a failover command on the first heartbeat that differs from the desired state, and follows it to completed', async () => {
    const cred = await enroll('LVS_2');
    const a = await hello('LVS_2', cred, 1);
    await a.next('welcome');
    const instance = await api.db.prisma.vrrpInstance.findFirstOrThrow({ where: { clusterId, name: 'VI_1' } });
    await api.db.prisma.vrrpInstance.update({ where: { id: instance.id }, data: { promotedNodeId: nodeIds.LVS_2! } });
    const row = await api.db.prisma.failoverCommand.create({
      data: { clusterId, nodeId: nodeIds.LVS_2!, kind: 'promote', instance: 'VI_1', actor: 'operator1' },
    });
    try {
      const beat = (state: 'backup' | 'master', override: 'none' | 'promoted') =>
        a.send(heartbeat({ state, override, priority: override === 'promoted' ? 254 : 80, since: Date.now() }));
      beat('backup', 'none');
      const cmd = await a.next('command');
      expect(cmd).toMatchObject({ id: row.id, command: { kind: 'promote', instance: 'VI_1' } });
      expect((await api.db.prisma.failoverCommand.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('sent');
      // The agent's machine goes master at once (make-before-break), then answers.
      a.send(transition({ seq: 40, reason: 'promoted', priority: 254 }));
      a.send({ v: 1, type: 'command-result', seq: 41, at: Date.now(), id: cmd.id, outcome: 'done' });
      expect(await a.next('ack')).toMatchObject({ seq: 40 });
      expect(await a.next('ack')).toMatchObject({ seq: 41 });
      beat('master', 'promoted');
      await expect
        .poll(async () => (await api.db.prisma.failoverCommand.findUniqueOrThrow({ where: { id: row.id } })).status)
        .toBe('completed');
      // Converged: no command is sent again. The positive signal that it would have been: an
      // event after the heartbeat is acked (the hub handles an agent's messages in order, so the
      // heartbeat's reconcile is queued), a reconcile of our own runs after it (one at a time per
      // cluster), and a ping's pong comes after any frame sent before it.
      beat('master', 'promoted');
      a.send(checkResult({ seq: 42 }));
      expect(await a.next('ack')).toMatchObject({ seq: 42 });
      await hub.reconcileCluster(clusterId);
      await new Promise<void>((resolve) => {
        a.ws.once('pong', () => resolve());
        a.ws.ping();
      });
      expect(a.frames.filter((f) => f.type === 'command')).toEqual([]);
    } finally {
      await api.db.prisma.vrrpInstance.update({ where: { id: instance.id }, data: { promotedNodeId: null } });
      a.close();
    }
  });

  it('refuses a frame over 16 KiB before hello or enroll by its size, unparsed, and closes the socket', async () => {
    const a = await ProtocolAgent.connect(url);
    a.send(`{"v":1,"type":"enroll","pad":"${'x'.repeat(PRE_AUTH_MAX_FRAME_BYTES)}"}`);
    expect(await a.next('error')).toMatchObject({ code: 'too-large' });
    expect(await closedWithin(a, 5000)).toBe(1009);
  });

  it('caps unauthenticated sockets: an upgrade over MAX_UNAUTHENTICATED_SOCKETS is answered 503', async () => {
    // A hub of its own with a long liveness window: this file's hub ends sockets silent for 400 ms,
    // and opening 256 one by one took longer under CI's load, so the first ones ended and freed places.
    const own = await serveHub({ db: api.db.prisma, heartbeatIntervalMs: 60_000, missedHeartbeats: 5 });
    const idle: ProtocolAgent[] = [];
    try {
      for (let i = 0; i < MAX_UNAUTHENTICATED_SOCKETS; i++) idle.push(await ProtocolAgent.connect(own.url));
      const refused = await ProtocolAgent.connect(own.url).then(
        () => 'connected',
        (e: Error) => e.message,
      );
      expect(refused).toBe('Unexpected server response: 503');
    } finally {
      for (const a of idle) a.close();
      // The hub forgets a socket on its close: wait for every close handshake before the next test.
      for (const a of idle) await closedWithin(a, 5000);
      await own.close();
    }
  });

  it.each([
    { name: 'not JSON', frame: '{nope', code: 'bad-json' },
    {
      name: 'another protocol version',
      frame: JSON.stringify({ v: 2, type: 'heartbeat' }),
      code: 'unsupported-version',
    },
    { name: 'an unknown type', frame: JSON.stringify({ v: 1, type: 'rm-rf' }), code: 'invalid-message' },
    {
      name: 'a transition over its size limit',
      frame: JSON.stringify(transition({ at: 1, reason: 'x'.repeat(5000), priority: 1 })),
      code: 'too-large',
    },
    {
      name: 'a heartbeat over its size limit',
      frame: JSON.stringify({ v: 1, type: 'heartbeat', pad: 'x'.repeat(200 * 1024) }),
      code: 'too-large',
    },
  ])('answers $name with an error frame and keeps the connection', async ({ frame, code }) => {
    const cred = await enroll('LVS_1');
    const a = await hello('LVS_1', cred, 1);
    await a.next('welcome');
    a.send(frame);
    expect(await a.next('error')).toMatchObject({ code });
    a.send(transition({ seq: 30, at: 1, from: 'master', to: 'backup', reason: 'higher-priority-advert' }));
    expect(await a.next('ack')).toMatchObject({ seq: 30 });
    a.close();
  });
});
