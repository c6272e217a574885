import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REF, referenceSpec, summariseProbe, type LabAgent } from '@keepwatch/lab';
import { enrollReferenceCluster, startDashboardLab, type DashboardLab } from '../support/dashboard-lab.js';
import {
  editCheck,
  editInstance,
  instanceRow,
  transitions,
  underProbe,
  type EditedCluster,
} from '../support/hitless.js';
import { captureFromNow, captureWire } from '../support/vrrp-capture.js';

/**
 * Issue #14, reconciliation: an edit pushed from the dashboard that does not ask to move the VIP
 * moves nothing. Two enrolled agents (VRRPv3 at 0.1 s), a probe through the VIP, and the wire
 * watched from the client: for each edit, no failed request, lb1 the only holder at every sample,
 * every advert from lb1 and none at priority 0, and no VRRP transition on either node.
 */
describe('hitless edits on keepwatch-agent', () => {
  let env: DashboardLab | undefined;
  const cluster: EditedCluster = { id: '', revision: 1 };
  /** VI_1's advert interval now (the interval test doubles it): the watch after an apply spans ≥ 6 adverts. */
  let advertMs = 100;
  let capture = '';
  const agents: Record<string, LabAgent> = {};

  // A tracked weight-0 script check that starts failed: were its status lost in a restart, the
  // instance would go to Fault and the VIP would move.
  const scriptCheck = {
    kind: 'script' as const,
    name: 'check_alive',
    intervalMs: 300,
    initFail: true,
    command: { argv: ['/bin/true'] },
  };
  const ref = referenceSpec();
  const spec = {
    ...ref,
    checks: [...(ref.checks ?? []), scriptCheck],
    vrrpInstances: (ref.vrrpInstances ?? []).map((i) => ({
      ...i,
      trackChecks: [...(i.trackChecks ?? []), { check: 'check_alive' }],
    })),
  };

  beforeAll(async () => {
    env = await startDashboardLab();
    const { lab } = env;
    capture = await captureWire(lab, { file: 'vrrp-capture.txt', filter: 'ip proto 112' });
    const started = await enrollReferenceCluster(env, spec, { metrics: false });
    cluster.id = started.clusterId;
    Object.assign(agents, started.agents);
  });

  afterAll(async () => {
    for (const a of Object.values(agents)) await a.stop().catch(() => undefined);
    await env?.stop();
  });

  /**
   * Runs `edit` (one dashboard change, one new revision) under a 20 req/s probe through the VIP,
   * sampling the VIP's holders, until both nodes applied it and ≥ 6 advert intervals more; returns
   * what was seen.
   */
  const watchEdit = async (edit: () => Promise<unknown>) => {
    const before = transitions(agents, 'VI_1');
    const wire = captureFromNow(capture);
    const settleMs = Math.max(700, 6 * advertMs);
    const { records, holders } = await underProbe(
      env!.lab,
      env!.api,
      cluster,
      { vip: REF.vip, rateHz: 20, settleMs },
      edit,
    );
    const adverts = wire()
      .split('\n')
      .filter((l) => l.includes('vrid 51,'));
    return { summary: summariseProbe(records), holders, adverts, before, after: transitions(agents, 'VI_1') };
  };

  const expectNothingMoved = (seen: Awaited<ReturnType<typeof watchEdit>>) => {
    expect(seen.summary.failed, JSON.stringify(seen.summary)).toBe(0);
    expect(seen.summary.total).toBeGreaterThan(10);
    expect(new Set(seen.holders)).toEqual(new Set(['lb1']));
    expect(seen.adverts.length).toBeGreaterThanOrEqual(5);
    expect(seen.adverts.filter((l) => !l.includes(`${REF.lb1} >`))).toEqual([]);
    expect(seen.adverts.filter((l) => /prio 0,/.test(l))).toEqual([]);
    expect(seen.before.lb1).toBeGreaterThan(0);
    expect(seen.after).toEqual(seen.before);
  };

  type Check = (typeof spec.checks)[number];
  type Instance = (typeof spec.vrrpInstances)[number];
  const changeCheck = (name: string, change: (c: Check) => Check) => editCheck(env!.api, cluster.id, name, change);
  const changeInstance = (change: (i: Instance) => Instance, name = 'VI_1') =>
    editInstance(env!.api, cluster.id, name, change);

  it("editing a check's interval moves nothing", async () => {
    expectNothingMoved(await watchEdit(() => changeCheck('check_alive', (c) => ({ ...c, intervalMs: 500 }))));
    expect(agents.lb1!.log()).toMatch(/"check check_alive":"restart"/);
  });

  it("editing a check's command moves nothing", async () => {
    expectNothingMoved(
      await watchEdit(() => changeCheck('check_alive', (c) => ({ ...c, command: { shell: 'exit 0' } }) as Check)),
    );
  });

  const extra = '198.51.100.201';

  it('adding a VIP moves nothing, and the master holds the new one', async () => {
    expectNothingMoved(await watchEdit(() => changeInstance((i) => ({ ...i, vips: [...i.vips, { address: extra }] }))));
    expect(await env!.lab.holders(extra)).toEqual(['lb1']);
  });

  it("raising the master's priority moves nothing, and its adverts carry the new priority", async () => {
    const seen = await watchEdit(() =>
      changeInstance((i) => ({
        ...i,
        members: i.members.map((m) => (m.node === 'lb1' ? { ...m, priority: 110 } : m)),
      })),
    );
    expectNothingMoved(seen);
    expect(seen.adverts.at(-1)).toMatch(/prio 110,/);
  });

  it('removing a VIP moves nothing, and nobody holds it any more', async () => {
    expectNothingMoved(
      await watchEdit(() => changeInstance((i) => ({ ...i, vips: i.vips.filter((v) => v.address !== extra) }))),
    );
    expect(await env!.lab.holders(extra)).toEqual([]);
  });

  /** lb1 kept the VIP and its state, and no priority-0 advert went out (lb2 itself may come and go). */
  const expectMasterKept = (seen: Awaited<ReturnType<typeof watchEdit>>) => {
    expect(seen.summary.failed, JSON.stringify(seen.summary)).toBe(0);
    expect(new Set(seen.holders)).toEqual(new Set(['lb1']));
    expect(seen.adverts.filter((l) => /prio 0,/.test(l))).toEqual([]);
    expect(seen.after.lb1).toBe(seen.before.lb1);
  };
  let backupMember: Instance['members'][number] | undefined;

  it('removing the backup from the instance moves nothing, and the rollout still reaches the master', async () => {
    // watchEdit waits for the revision on both nodes: lb2 then runs no check, and the rollout used
    // to wait for its check result forever, so lb1 never got the revision.
    const seen = await watchEdit(() =>
      changeInstance((i) => {
        backupMember = i.members.find((m) => m.node === 'lb2');
        return { ...i, members: i.members.filter((m) => m.node !== 'lb2') };
      }),
    );
    expectMasterKept(seen);
  });

  it('adding the backup back moves nothing, and it stands by again', async () => {
    const seen = await watchEdit(() => changeInstance((i) => ({ ...i, members: [...i.members, backupMember!] })));
    expectMasterKept(seen);
    expect(
      agents
        .lb2!.log()
        .split('\n')
        .filter((l) => l.includes('"vrrp transition"'))
        .at(-1),
    ).toContain('"state":"backup"');
  });

  it('changing the advert interval moves nothing, and the adverts carry the new one (RFC 5798 6.4.2)', async () => {
    const seen = await watchEdit(() => changeInstance((i) => ({ ...i, advertIntervalMs: 200 })));
    advertMs = 200;
    expectNothingMoved(seen);
    expect(seen.adverts.at(-1)).toMatch(/intvl 20cs,/);
  });

  // keepalived 2.4 auth_hmac: the rollout reaches lb2 first; it keeps accepting what lb1 still
  // sends (unsigned, then the old key) until lb1 applies the revision and is heard with the new key.
  const hmacKey = (byte: string) => byte.repeat(32);
  const signed = (l: string) => /length 40$/.test(l.trim());

  it('turning on signed adverts (auth_hmac, enforce) in one edit moves nothing, and the master signs', async () => {
    const seen = await watchEdit(() =>
      changeInstance((i) => ({ ...i, authHmac: { keys: [{ id: 1, hex: hmacKey('a1') }], activeKey: 1 } }) as Instance),
    );
    expectNothingMoved(seen);
    expect(signed(seen.adverts.at(-1) ?? '')).toBe(true);
  });

  it('rotating the auth_hmac key in one edit (the old key dropped) moves nothing', async () => {
    expectNothingMoved(
      await watchEdit(() =>
        changeInstance(
          (i) => ({ ...i, authHmac: { keys: [{ id: 2, hex: hmacKey('b2') }], activeKey: 2 } }) as Instance,
        ),
      ),
    );
    expect(agents.lb2!.log()).not.toMatch(/auth-bad-hmac|auth-unknown-key/);
  });

  it('turning signed adverts off again moves nothing', async () => {
    const seen = await watchEdit(() => changeInstance((i) => ({ ...i, authHmac: undefined }) as Instance));
    expectNothingMoved(seen);
    expect(signed(seen.adverts.at(-1) ?? '')).toBe(false);
  });

  const vi2Vip = '198.51.100.202';
  const vi2: Instance = {
    ...spec.vrrpInstances[0]!,
    name: 'VI_2',
    vrid: 52,
    vips: [{ address: vi2Vip }],
    trackChecks: [],
  };

  it('adding an instance leaves the other alone, and the new one comes up', async () => {
    expectNothingMoved(
      await watchEdit(() => env!.api.mutate('instances.create', { clusterId: cluster.id, instance: vi2 })),
    );
    await env!.lab.waitForHolders(vi2Vip, ['lb1'], 10_000);
  });

  it("changing an instance's VRID restarts that instance alone", async () => {
    const seen = await watchEdit(() => changeInstance((i) => ({ ...i, vrid: 53 }), 'VI_2'));
    expectNothingMoved(seen);
    expect(agents.lb1!.log()).toMatch(/"VI_2":"restart \(vrid\)"/);
    await env!.lab.waitForHolders(vi2Vip, ['lb1'], 10_000);
  });

  it('removing an instance leaves the other alone, and its VIP is released', async () => {
    const row = await instanceRow(env!.api, cluster.id, 'VI_2');
    expectNothingMoved(
      await watchEdit(() => env!.api.mutate('instances.delete', { id: row.id, version: row.version })),
    );
    expect(await env!.lab.holders(vi2Vip)).toEqual([]);
  });
});
