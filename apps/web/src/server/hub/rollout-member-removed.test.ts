import { describe, expect, it } from 'vitest';
import { hubSuite } from '../testing/protocol-agent';
import { checkResult, heartbeat } from '../../../test/fixtures';

/**
 * Found by the hitless benchmark's member-remove row: a backup removed from the cluster's only
 * instance runs no check any more (the agent runs only the checks its instances track), so it
 * never reports its check healthy after the apply — and the rollout kept the master waiting for
 * it forever. The master must get the revision once the backup applied it and runs what it should.
 */
describe('rollout: a backup removed from every instance', () => {
  const hub = hubSuite();

  it('does not keep the master waiting for a check the backup no longer runs', async () => {
    const { api, clusterId } = hub;
    const connect = (node: string) => hub.connect(node, '0.1.0', 1);
    const master = await connect('LVS_1');
    const backup = await connect('LVS_2');
    master.send(heartbeat({ state: 'master' }));
    master.send(checkResult({ seq: 1 }));
    backup.send(heartbeat({ state: 'backup' }));
    backup.send(checkResult({ seq: 1 }));

    const [vi] = await api.admin.instances.list({ clusterId });
    const members = vi!.instance.members.filter((m) => m.node !== 'LVS_2');
    const { revision } = await api.admin.instances.update({
      id: vi!.id,
      version: vi!.version,
      instance: { ...vi!.instance, members },
    });

    // Backups first: LVS_2 gets it, applies it, and from then on runs no instance and no check.
    await backup.until(`config-push ${revision}`, (f) => f.type === 'config-push' && f.revision === revision);
    expect(master.pushes()).not.toContain(revision);
    backup.send({ v: 1, type: 'apply-result', seq: 2, at: Date.now(), revision: revision!, outcome: 'applied' });
    backup.send({ ...heartbeat(), appliedRevision: revision!, instances: [] });

    await master.until(`config-push ${revision}`, (f) => f.type === 'config-push' && f.revision === revision);
  });
});
