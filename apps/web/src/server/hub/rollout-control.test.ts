import { describe, expect, it } from 'vitest';
import { hubSuite } from '../testing/protocol-agent';
import { heartbeat } from '../../../test/fixtures';

describe('hub: an aborted rollout, and an agent one release older', () => {
  const hub = hubSuite();
  const connect = (node: string, agentVersion: string, appliedRevision: number | null) =>
    hub.connect(node, agentVersion, appliedRevision);

  async function editCheck(intervalMs: number): Promise<number> {
    const [c] = await hub.api.viewer.checks.list({ clusterId: hub.clusterId });
    return (await hub.api.admin.checks.update({ id: c!.id, version: c!.version, check: { ...c!.check, intervalMs } }))
      .revision!;
  }

  it('pushes an aborted revision to no node, not even one that runs nothing; the next edit rolls out', async () => {
    const aborted = await editCheck(2000);
    await hub.api.admin.rollout.abort({ clusterId: hub.clusterId, number: aborted });
    // LVS_1 runs nothing (it would get the newest revision at once); LVS_2 is a backup on revision 1.
    const lvs1 = await connect('LVS_1', '0.2.0', null);
    const lvs2 = await connect('LVS_2', '0.0.9', 1);
    lvs2.send(heartbeat({ state: 'backup' }));
    const next = await editCheck(3000);
    // Frames arrive in order: the first push each agent sees is the new revision, never the aborted one.
    await lvs1.until(`config-push ${next}`, (f) => f.type === 'config-push');
    await lvs2.until(`config-push ${next}`, (f) => f.type === 'config-push');
    expect(lvs1.pushes()[0]).toBe(next);
    expect(lvs2.pushes()[0]).toBe(next);
    expect([...lvs1.pushes(), ...lvs2.pushes()]).not.toContain(aborted);
  });

  it('an agent one release older is connected and served, and the Nodes page marks it outdated', async () => {
    const nodes = await hub.api.viewer.nodes.all();
    const row = (name: string) => nodes.find((n) => n.name === name)!;
    expect(row('LVS_2')).toMatchObject({ agentVersion: '0.0.9', agentSkew: 'older', online: true });
    expect(row('LVS_1')).toMatchObject({ agentVersion: '0.2.0', agentSkew: 'same', dashboardVersion: '0.2.0' });
  });
});
