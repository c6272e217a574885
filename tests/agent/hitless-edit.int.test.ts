import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  REF,
  referenceSpec,
  startEnrolledAgents,
  startProbe,
  summariseProbe,
  waitFor,
  waitRevisionApplied,
  waitServed,
  type LabAgent,
} from '@keepwatch/lab';
import { startDashboardLab, type DashboardLab } from '../support/dashboard-lab.js';

/**
 * Issue #14, reconciliation: an edit pushed from the dashboard that does not ask to move the VIP
 * moves nothing. Two enrolled agents (VRRPv3 at 0.1 s), a probe through the VIP, and the wire
 * watched from the client: for each edit, no failed request, lb1 the only holder at every sample,
 * every advert from lb1 and none at priority 0, and no VRRP transition on either node.
 */
describe('hitless edits on keepwatch-agent', () => {
  let env: DashboardLab | undefined;
  let clusterId = '';
  let revision = 1;
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
    const { lab, bridge, api } = env;
    capture = join(lab.dir, 'vrrp-capture.txt');
    lab.spawn('client', 'tcpdump', ['-i', 'eth0', '-n', '-l', '-U', 'ip proto 112'], {
      logFile: capture,
      what: 'tcpdump',
    });
    await waitFor(() => readFileSync(capture, 'utf8').includes('listening on') || undefined, {
      timeoutMs: 5000,
      what: 'tcpdump to listen',
    });
    const started = await startEnrolledAgents(lab, api, { spec, hubSocket: bridge.path, metrics: false });
    clusterId = started.clusterId;
    Object.assign(agents, started.agent);
    await waitRevisionApplied(api, clusterId, 1);
    await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
    await waitServed(lab);
  });

  afterAll(async () => {
    for (const a of Object.values(agents)) await a.stop().catch(() => undefined);
    await env?.stop();
  });

  /** VI_1's transitions so far, per node (from each agent's log). */
  const transitions = () =>
    Object.fromEntries(
      Object.entries(agents).map(([lb, a]) => [
        lb,
        a
          .log()
          .split('\n')
          .filter((l) => l.includes('"vrrp transition"') && l.includes('"instance":"VI_1"')).length,
      ]),
    );

  /**
   * Runs `edit` (one dashboard change, one new revision) under a 20 req/s probe through the VIP,
   * sampling the VIP's holders, until both nodes applied it and a moment more; returns what was seen.
   */
  const underProbe = async (edit: () => Promise<void>) => {
    const { lab } = env!;
    const before = transitions();
    const wireFrom = readFileSync(capture, 'utf8').length;
    const probe = await startProbe(lab, 'client', `http://${REF.vip}/`, { rateHz: 20, maxDurationMs: 30_000 });
    const holders: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      for (let i = 0; sampling && i < 600; i++) {
        holders.push((await lab.holders(REF.vip)).sort().join(','));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      await edit();
      revision += 1;
      await waitRevisionApplied(env!.api, clusterId, revision);
      await new Promise((r) => setTimeout(r, Math.max(700, 6 * advertMs)));
    } finally {
      sampling = false;
      await sampler;
      await probe.stop().catch(() => undefined);
    }
    const adverts = readFileSync(capture, 'utf8')
      .slice(wireFrom)
      .split('\n')
      .filter((l) => l.includes('vrid 51,'));
    return { summary: summariseProbe(probe.records()), holders, adverts, before, after: transitions() };
  };

  const expectNothingMoved = (seen: Awaited<ReturnType<typeof underProbe>>) => {
    expect(seen.summary.failed, JSON.stringify(seen.summary)).toBe(0);
    expect(seen.summary.total).toBeGreaterThan(10);
    expect(new Set(seen.holders)).toEqual(new Set(['lb1']));
    expect(seen.adverts.length).toBeGreaterThanOrEqual(5);
    expect(seen.adverts.filter((l) => !l.includes(`${REF.lb1} >`))).toEqual([]);
    expect(seen.adverts.filter((l) => /prio 0,/.test(l))).toEqual([]);
    expect(seen.before.lb1).toBeGreaterThan(0);
    expect(seen.after).toEqual(seen.before);
  };

  type Row<K extends string, T> = { id: string; version: number } & Record<K, T>;
  type Check = (typeof spec.checks)[number];
  type Instance = (typeof spec.vrrpInstances)[number];
  const editCheck = async (name: string, change: (c: Check) => Check) => {
    const rows = await env!.api.query<Row<'check', Check>[]>('checks.list', { clusterId });
    const row = rows.find((r) => r.check.name === name)!;
    await env!.api.mutate('checks.update', { id: row.id, version: row.version, check: change(row.check) });
  };
  const instanceRow = async (name: string) =>
    (await env!.api.query<Row<'instance', Instance>[]>('instances.list', { clusterId })).find(
      (r) => r.instance.name === name,
    )!;
  const editInstance = async (change: (i: Instance) => Instance, name = 'VI_1') => {
    const row = await instanceRow(name);
    await env!.api.mutate('instances.update', { id: row!.id, version: row!.version, instance: change(row!.instance) });
  };

  it("editing a check's interval moves nothing", async () => {
    expectNothingMoved(await underProbe(() => editCheck('check_alive', (c) => ({ ...c, intervalMs: 500 }))));
    expect(agents.lb1!.log()).toMatch(/"check check_alive":"restart"/);
  });

  it("editing a check's command moves nothing", async () => {
    expectNothingMoved(
      await underProbe(() => editCheck('check_alive', (c) => ({ ...c, command: { shell: 'exit 0' } }) as Check)),
    );
  });

  const extra = '198.51.100.201';

  it('adding a VIP moves nothing, and the master holds the new one', async () => {
    expectNothingMoved(await underProbe(() => editInstance((i) => ({ ...i, vips: [...i.vips, { address: extra }] }))));
    expect(await env!.lab.holders(extra)).toEqual(['lb1']);
  });

  it("raising the master's priority moves nothing, and its adverts carry the new priority", async () => {
    const seen = await underProbe(() =>
      editInstance((i) => ({
        ...i,
        members: i.members.map((m) => (m.node === 'lb1' ? { ...m, priority: 110 } : m)),
      })),
    );
    expectNothingMoved(seen);
    expect(seen.adverts.at(-1)).toMatch(/prio 110,/);
  });

  it('removing a VIP moves nothing, and nobody holds it any more', async () => {
    expectNothingMoved(
      await underProbe(() => editInstance((i) => ({ ...i, vips: i.vips.filter((v) => v.address !== extra) }))),
    );
    expect(await env!.lab.holders(extra)).toEqual([]);
  });

  /** lb1 kept the VIP and its state, and no priority-0 advert went out (lb2 itself may come and go). */
  const expectMasterKept = (seen: Awaited<ReturnType<typeof underProbe>>) => {
    expect(seen.summary.failed, JSON.stringify(seen.summary)).toBe(0);
    expect(new Set(seen.holders)).toEqual(new Set(['lb1']));
    expect(seen.adverts.filter((l) => /prio 0,/.test(l))).toEqual([]);
    expect(seen.after.lb1).toBe(seen.before.lb1);
  };
  let backupMember: Instance['members'][number] | undefined;

  it('removing the backup from the instance moves nothing, and the rollout still reaches the master', async () => {
    // underProbe waits for the revision on both nodes: lb2 then runs no check, and the rollout used
    // to wait for its check result forever, so lb1 never got the revision.
    const seen = await underProbe(() =>
      editInstance((i) => {
        backupMember = i.members.find((m) => m.node === 'lb2');
        return { ...i, members: i.members.filter((m) => m.node !== 'lb2') };
      }),
    );
    expectMasterKept(seen);
  });

  it('adding the backup back moves nothing, and it stands by again', async () => {
    const seen = await underProbe(() => editInstance((i) => ({ ...i, members: [...i.members, backupMember!] })));
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
    const seen = await underProbe(() => editInstance((i) => ({ ...i, advertIntervalMs: 200 })));
    advertMs = 200;
    expectNothingMoved(seen);
    expect(seen.adverts.at(-1)).toMatch(/intvl 20cs,/);
  });

  // keepalived 2.4 auth_hmac: the rollout reaches lb2 first; it keeps accepting what lb1 still
  // sends (unsigned, then the old key) until lb1 applies the revision and is heard with the new key.
  const hmacKey = (byte: string) => byte.repeat(32);
  const signed = (l: string) => /length 40$/.test(l.trim());

  it('turning on signed adverts (auth_hmac, enforce) in one edit moves nothing, and the master signs', async () => {
    const seen = await underProbe(() =>
      editInstance((i) => ({ ...i, authHmac: { keys: [{ id: 1, hex: hmacKey('a1') }], activeKey: 1 } }) as Instance),
    );
    expectNothingMoved(seen);
    expect(signed(seen.adverts.at(-1) ?? '')).toBe(true);
  });

  it('rotating the auth_hmac key in one edit (the old key dropped) moves nothing', async () => {
    expectNothingMoved(
      await underProbe(() =>
        editInstance((i) => ({ ...i, authHmac: { keys: [{ id: 2, hex: hmacKey('b2') }], activeKey: 2 } }) as Instance),
      ),
    );
    expect(agents.lb2!.log()).not.toMatch(/auth-bad-hmac|auth-unknown-key/);
  });

  it('turning signed adverts off again moves nothing', async () => {
    const seen = await underProbe(() => editInstance((i) => ({ ...i, authHmac: undefined }) as Instance));
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
    expectNothingMoved(await underProbe(() => env!.api.mutate('instances.create', { clusterId, instance: vi2 })));
    await env!.lab.waitForHolders(vi2Vip, ['lb1'], 10_000);
  });

  it("changing an instance's VRID restarts that instance alone", async () => {
    const seen = await underProbe(() => editInstance((i) => ({ ...i, vrid: 53 }), 'VI_2'));
    expectNothingMoved(seen);
    expect(agents.lb1!.log()).toMatch(/"VI_2":"restart \(vrid\)"/);
    await env!.lab.waitForHolders(vi2Vip, ['lb1'], 10_000);
  });

  it('removing an instance leaves the other alone, and its VIP is released', async () => {
    const row = await instanceRow('VI_2');
    expectNothingMoved(
      await underProbe(() => env!.api.mutate('instances.delete', { id: row.id, version: row.version })),
    );
    expect(await env!.lab.holders(vi2Vip)).toEqual([]);
  });
});
