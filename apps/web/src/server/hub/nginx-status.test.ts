import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  helloMessage,
  NGINX_STATUS_CAPABILITY,
  PIN_ROTATION_CAPABILITY,
  renderNginxConfig,
  type ClusterSpec,
} from '@keepwatch/shared';
import type { Api } from '../testing/api';
import { enrollAgent, hubSuite, ProtocolAgent } from '../testing/protocol-agent';
import { heartbeat } from '../../../test/fixtures';
import { HAND_EDIT_REPLACED_ACTION } from './nginx-drift';
import type { AgentHub } from './hub';

const HASH = 'ef'.repeat(32);

/**
 * The hub's side of issue #17 item 5: it answers the nginx-status capability, keeps draining
 * workers and drift from heartbeats where the API reads them (live state, the overview's
 * problems), and writes an audit record with the diff when an apply replaced a hand edit.
 */
describe('hub: nginx draining workers and drift', () => {
  let api: Api;
  let hub: AgentHub;
  let url: string;
  let clusterId: string;
  let nodeIds: Record<string, string>;
  const credentials: Record<string, string> = {};
  const agents: ProtocolAgent[] = [];
  const suite = hubSuite();

  beforeAll(async () => {
    ({ api, hub, url, clusterId, nodeIds } = suite);
    for (const node of ['LVS_1', 'LVS_2'])
      credentials[node] = await enrollAgent(api, url, { nodeId: nodeIds[node]!, node, agentVersion: '0.2.0' });
  });
  afterAll(() => {
    for (const a of agents) a.close();
  });

  const hello = async (node: string, capabilities: string[], appliedRevision: number | null = 1) => {
    const a = await ProtocolAgent.connect(url);
    agents.push(a);
    const credential = credentials[node]!;
    a.send(helloMessage({ node, credential, agentVersion: '0.2.0', capabilities, appliedRevision, lastSeq: null }));
    return a;
  };
  const auditRecords = async () =>
    (await api.viewer.audit.list({ action: HAND_EDIT_REPLACED_ACTION })).records.filter(
      (r) => r.targetId === nodeIds.LVS_1,
    );

  it('lists nginx-status in welcome to an agent that announced it', async () => {
    const a = await hello('LVS_2', [PIN_ROTATION_CAPABILITY, NGINX_STATUS_CAPABILITY]);
    expect((await a.next('welcome')).capabilities).toEqual([NGINX_STATUS_CAPABILITY]);
    a.close();
  });

  it('sends no capabilities in welcome to an agent that announced none it takes', async () => {
    const a = await hello('LVS_2', [PIN_ROTATION_CAPABILITY]);
    expect(await a.next('welcome')).not.toHaveProperty('capabilities');
    a.close();
  });

  it('keeps draining workers and drift from heartbeats where the cluster API reads them', async () => {
    const a = await hello('LVS_2', [NGINX_STATUS_CAPABILITY]);
    await a.next('welcome');
    const nginx = { running: true, pid: 4242, drainingWorkers: 2, drifted: true, onDiskSha256: HASH };
    a.send({ ...heartbeat(), nginx });
    await expect.poll(() => hub.liveStates().find((l) => l.node === 'LVS_2')?.heartbeat?.nginx.drifted).toBe(true);
    await hub.live.flush();
    const live = await api.viewer.clusters.live({ clusterId });
    expect(live.nodes.find((n) => n.name === 'LVS_2')?.heartbeat?.nginx).toEqual(nginx);
  });

  it("shows a drifted node in the cluster's problems", async () => {
    const overview = await api.viewer.clusters.overview({ clusterId });
    const problems = overview.clusters.flatMap((c) => c.problems);
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'drifted', node: 'LVS_2' }));
  });

  it('records the replaced hand edit with its diff in the audit log when an apply overwrote it', async () => {
    const a = await hello('LVS_1', [NGINX_STATUS_CAPABILITY], null);
    await a.next('welcome');
    const push = await a.next('config-push');
    const rendered = renderNginxConfig(push.spec, 'LVS_1');
    const handEdited = rendered.replace('\n', '\n# tuned by hand: keepalive 64;\n');
    a.send({
      v: 1,
      type: 'apply-result',
      seq: 31,
      at: Date.now(),
      revision: push.revision,
      outcome: 'applied',
      handEditReplaced: { onDiskSha256: HASH, text: handEdited, truncated: false },
    });
    expect(await a.next('ack')).toMatchObject({ seq: 31 });
    const [record, ...more] = await auditRecords();
    expect(more).toEqual([]);
    expect(record).toMatchObject({
      actor: 'system:agent:LVS_1',
      targetType: 'node',
      before: { node: 'LVS_1', onDiskSha256: HASH, truncated: false },
      // No revision ran on the node before this one: nothing to tell the hand edit from.
      after: { revision: push.revision, seq: 31, handEditDiff: null, added: 0, removed: 1 },
    });
    expect((record!.after as { diff: string }).diff).toContain('\n-# tuned by hand: keepalive 64;\n');
    const deployment = (await api.viewer.clusters.revision({ clusterId, number: push.revision })).deployments.find(
      (d) => d.node === 'LVS_1',
    );
    expect(deployment?.status).toBe('applied');
  });

  it('records the hand edit itself against the revision the agent had written, and what the apply changed', async () => {
    const [pool] = await api.viewer.pools.list({ clusterId });
    const servers = pool!.pool.servers.map((srv, i) => (i === 0 ? { ...srv, weight: 3 } : srv));
    await api.admin.pools.update({ id: pool!.id, version: pool!.version, pool: { ...pool!.pool, servers } });
    const { spec: before } = await api.viewer.clusters.revision({ clusterId, number: 1 });
    const handEdited = `${renderNginxConfig(before as ClusterSpec, 'LVS_1')}# second hand edit\n`;
    const a = await hello('LVS_1', [NGINX_STATUS_CAPABILITY]);
    await a.next('welcome');
    a.send({
      v: 1,
      type: 'apply-result',
      seq: 32,
      at: Date.now(),
      revision: 2,
      outcome: 'applied',
      handEditReplaced: { onDiskSha256: HASH, text: handEdited, truncated: false },
    });
    expect(await a.next('ack')).toMatchObject({ seq: 32 });
    const record = (await auditRecords()).find((r) => (r.after as { seq: number }).seq === 32);
    const after = record?.after as { handEditDiff: string; diff: string };
    expect(after.handEditDiff).toMatch(/^--- revision 1\n/m);
    expect(after.handEditDiff).toContain('\n+# second hand edit\n');
    expect(after.handEditDiff).not.toContain('weight=3');
    expect(after.diff).toContain('\n-# second hand edit\n');
    expect(after.diff).toContain('weight=3');
  });

  it("records a file put back by the agent's start against the revision it already ran", async () => {
    const { spec } = await api.viewer.clusters.revision({ clusterId, number: 2 });
    const handEdited = `${renderNginxConfig(spec as ClusterSpec, 'LVS_1')}# edited while the agent was down\n`;
    const a = await hello('LVS_1', [NGINX_STATUS_CAPABILITY], 2);
    await a.next('welcome');
    const handEditReplaced = { onDiskSha256: HASH, text: handEdited, truncated: false };
    a.send({ v: 1, type: 'apply-result', seq: 33, at: Date.now(), revision: 2, outcome: 'applied', handEditReplaced });
    expect(await a.next('ack')).toMatchObject({ seq: 33 });
    const record = (await auditRecords()).find((r) => (r.after as { seq: number }).seq === 33);
    const after = record?.after as { handEditDiff: string; diff: string; added: number; removed: number };
    expect(after.handEditDiff).toMatch(/^--- revision 2\n/m);
    expect(after.handEditDiff).toContain('\n+# edited while the agent was down\n');
    expect(after).toMatchObject({ added: 0, removed: 1 });
  });

  it('writes no second record for a replayed apply-result', async () => {
    const a = await hello('LVS_1', [NGINX_STATUS_CAPABILITY]);
    await a.next('welcome');
    a.send({
      v: 1,
      type: 'apply-result',
      seq: 31,
      at: Date.now(),
      revision: 1,
      outcome: 'applied',
      handEditReplaced: { onDiskSha256: HASH, text: '# replayed\n', truncated: false },
    });
    expect(await a.next('ack')).toMatchObject({ seq: 31 });
    expect((await auditRecords()).filter((r) => (r.after as { seq: number }).seq === 31)).toHaveLength(1);
    expect((await api.admin.audit.verify()).ok).toBe(true);
  });
});
