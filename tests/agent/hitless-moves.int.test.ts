import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REF, endedBySwitch, inFlightAt, referenceSpec, summariseProbe, waitFor, type LabAgent } from '@keepwatch/lab';
import { enrollReferenceCluster, startDashboardLab, type DashboardLab } from '../support/dashboard-lab.js';
import { arpBursts, editInstance, runs, transitions, underProbe, type EditedCluster } from '../support/hitless.js';
import { captureFromNow, captureWire } from '../support/vrrp-capture.js';

/**
 * Issue #14 item 2, and item 1's rules that had unit tests only: edits pushed from the dashboard
 * while a probe runs through the VIP. An edit that asks the master to move moves it once,
 * make-before-break (the new master adds the VIP before the old one removes it, by their logs on
 * one clock; no failed request but the one in flight at the switch); a v2 password or interval
 * change moves nothing and no advert is dropped for it; the other rules move nothing. One lab:
 * VI_1 (VRRPv3, 0.1 s) and VI_V2 (VRRPv2, 1 s, the shortest v2 interval, with a password), both
 * on lb1 and lb2.
 */
describe('hitless moves on keepwatch-agent', () => {
  let env: DashboardLab | undefined;
  const cluster: EditedCluster = { id: '', revision: 1 };
  let vrrpWire = '';
  let arpWire = '';
  const agents: Record<string, LabAgent> = {};

  const ref = referenceSpec();
  const vi1 = ref.vrrpInstances![0]!;
  const v2Vip = '198.51.100.110';
  // While this file exists, check_gate fails on both LBs (both lowered alike: nothing moves) and
  // the rollout holds the revision back from the master, so the nodes run different revisions.
  const gate = join(tmpdir(), `keepwatch-hitless-gate-${process.pid}`);
  const gateCheck = {
    kind: 'script' as const,
    name: 'check_gate',
    intervalMs: 300,
    weight: -5,
    command: { shell: `test ! -e ${gate}` },
  };
  const spec = {
    ...ref,
    checks: [...(ref.checks ?? []), gateCheck],
    // trk0: another link on each LB, for the tracked-interface edit.
    nodes: ref.nodes!.map((n) => ({ ...n, interfaces: [...(n.interfaces ?? []), 'trk0'] })),
    vrrpInstances: [
      vi1,
      {
        ...vi1,
        name: 'VI_V2',
        vrid: 60,
        version: 2 as const,
        advertIntervalMs: 1000,
        authentication: { type: 'pass' as const, password: 'old-pw' },
        vips: [{ address: v2Vip }],
        trackChecks: [...(vi1.trackChecks ?? []), { check: 'check_gate' }],
      },
    ],
  };

  beforeAll(async () => {
    env = await startDashboardLab();
    const { lab } = env;
    // -v: the v2 password is printed (auth "…").
    vrrpWire = await captureWire(lab, { file: 'vrrp-capture.txt', filter: 'ip proto 112', flags: ['-v'] });
    arpWire = await captureWire(lab, { file: 'arp-capture.txt', filter: 'arp' });
    // trk0: one end of a veth pair inside the LB's namespace (no dummy module on every host).
    for (const lb of ['lb1', 'lb2'])
      for (const args of [
        ['link', 'add', 'trk0', 'type', 'veth', 'peer', 'name', 'trk0p'],
        ['link', 'set', 'trk0p', 'up'],
        ['link', 'set', 'trk0', 'up'],
      ])
        expect((await lab.exec(lb, 'ip', args)).code).toBe(0);
    const started = await enrollReferenceCluster(env, spec);
    cluster.id = started.clusterId;
    Object.assign(agents, started.agents);
    await lab.waitForHolders(v2Vip, ['lb1'], 10_000);
  });

  afterAll(async () => {
    for (const a of Object.values(agents)) await a.stop().catch(() => undefined);
    await env?.stop();
    rmSync(gate, { force: true });
  });

  /** Adverts for VI_V2 that `lb` dropped for a password or an interval (the agent's metrics). */
  const v2Drops = async (lb: 'lb1' | 'lb2') => {
    const text = await env!.lab.httpGet('client', `http://${lb === 'lb1' ? REF.lb1 : REF.lb2}:9623/metrics`);
    expect(text).toContain('keepwatch_vrrp_state');
    return (text ?? '')
      .split('\n')
      .filter((l) => l.startsWith('keepwatch_vrrp_packets_dropped_total{') && l.includes('instance="VI_V2"'))
      .filter((l) => /reason="(auth-failed|interval-mismatch)"/.test(l) && !l.endsWith(' 0'));
  };

  /**
   * Runs `edit` (one dashboard change, one new revision) under a 10 req/s probe through `vip`,
   * sampling the VIP's holders every 50 ms, until both nodes applied it and `settleMs` more.
   *
   * 10 and not 20 req/s: a request in flight on the old master at the new master's GARP is cut
   * whatever VRRP does (seen: a reset 1.4 ms in; a timeout when the old master had the request and
   * removed the VIP before answering); its odds are rate × request time per move, and a gap that is
   * not make-before-break (a Master_Down_Interval, ≥ 300 ms) is still seen several times over.
   */
  const watchEdit = async (
    edit: () => Promise<unknown>,
    opts: { vip?: string; vrid?: number; settleMs?: number } = {},
  ) => {
    const vip = opts.vip ?? REF.vip;
    const instance = vip === REF.vip ? 'VI_1' : 'VI_V2';
    const before = transitions(agents, instance);
    const [vrrpNow, arpNow] = [captureFromNow(vrrpWire), captureFromNow(arpWire)];
    const { records, holders, sampledAt, editedAt } = await underProbe(
      env!.lab,
      env!.api,
      cluster,
      { vip, rateHz: 10, settleMs: opts.settleMs ?? 1000 },
      edit,
    );
    // tcpdump -v prints an advert on two lines: the IP header, then the VRRP part.
    const adverts = vrrpNow()
      .split('\n')
      .filter((l) => l.includes(`vrid ${opts.vrid ?? 51},`));
    const arp = arpNow().split('\n');
    // The failed requests themselves (when, why) make a failure message say what happened.
    const summary = { ...summariseProbe(records), failures: records.filter((r) => !r.ok) };
    return { summary, holders, sampledAt, editedAt, adverts, arp, before, after: transitions(agents, instance) };
  };
  type Seen = Awaited<ReturnType<typeof watchEdit>>;

  const expectNothingMoved = (seen: Seen, holder: string, address: string) => {
    expect(seen.summary.failed, JSON.stringify(seen.summary)).toBe(0);
    expect(seen.summary.total).toBeGreaterThan(5);
    expect(runs(seen.holders)).toEqual([holder]);
    expect(seen.adverts.length).toBeGreaterThanOrEqual(2);
    expect(seen.adverts.filter((l) => !l.includes(`${address} >`))).toEqual([]);
    expect(seen.adverts.filter((l) => /prio 0,/.test(l))).toEqual([]);
    expect(seen.after).toEqual(seen.before);
  };

  /**
   * One move from `from` to `to`, both holding for a moment allowed, never nobody; no failed
   * request but the one in flight at the switch.
   */
  const expectOneMove = (seen: Seen, from: string, to: string, fromTransitions = 1) => {
    expect(seen.summary.total).toBeGreaterThan(5);
    // A sample reads the hosts one after the other, so it can miss a holder that came and went
    // during it: the proof of make-before-break is the agents' own log below, not a sample.
    expect(runs(seen.holders.filter((h) => h !== '' && !h.includes(','))), seen.holders.join(' ')).toEqual([from, to]);
    expect(seen.after[from]! - seen.before[from]!).toBe(fromTransitions);
    expect(seen.after[to]! - seen.before[to]!).toBe(1);
    // Make-before-break, by the agents' own clocks (one host): `to` added the VIP before `from` removed it.
    const last = (lb: string, msg: string) =>
      Date.parse(String(agents[lb]!.lines().findLast((l) => l.msg === msg && l.instance === 'VI_1')?.time));
    const added = last(to, 'vips added');
    expect(added).toBeLessThanOrEqual(last(from, 'vips removed'));
    // No request failed but the one a switch cuts whatever VRRP does: in flight when `to` took the
    // VIP (its GARP follows the log line), ended by a reset or a timeout (`endedBySwitch`).
    const cut = seen.summary.failures.filter((r) => endedBySwitch(r) && inFlightAt(r, added));
    expect(cut.length, JSON.stringify(seen.summary)).toBeLessThanOrEqual(1);
    expect(
      seen.summary.failures.filter((r) => !cut.includes(r)),
      JSON.stringify(seen.summary),
    ).toEqual([]);
  };

  type Instance = (typeof spec.vrrpInstances)[number];
  type Member = Instance['members'][number];
  const changeInstance = (change: (i: Instance) => Instance, name = 'VI_1') =>
    editInstance(env!.api, cluster.id, name, change);
  const member = (node: string, change: (m: Member) => Member) => (i: Instance) => ({
    ...i,
    members: i.members.map((m) => (m.node === node ? change(m) : m)),
  });

  /** Revision `number`'s deployment status on `node`. */
  const deployment = async (node: string, number: number) =>
    (
      await env!.api.query<{ deployments: { node: string; status: string }[] }>('clusters.revision', {
        clusterId: cluster.id,
        number,
      })
    ).deployments.find((d) => d.node === node)?.status;

  /**
   * Runs a VI_V2 edit with the master held back: lb2 applies it while lb1 keeps the old revision
   * for 2.5 s, advertising what `old` matches (at 95: check_gate fails meanwhile), then lb1 goes on.
   */
  const withMasterHeldBack = async (edit: () => Promise<void>, old: RegExp) => {
    const sinceGate = captureFromNow(vrrpWire);
    writeFileSync(gate, '');
    await waitFor(() => sinceGate().includes('vrid 60, prio 95,') || undefined, {
      timeoutMs: 5000,
      what: "lb1's VI_V2 adverts at 95 (check_gate failing)",
    });
    await edit();
    await waitFor(async () => (await deployment('lb2', cluster.revision + 1)) === 'applied' || undefined, {
      timeoutMs: 10_000,
      what: 'lb2 to apply the revision',
    });
    const sinceApplied = captureFromNow(vrrpWire);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await deployment('lb1', cluster.revision + 1)).not.toBe('applied');
    // lb2, updated, heard lb1's old-revision adverts meanwhile.
    const heard = sinceApplied().split('\n');
    expect(heard.filter((l) => l.includes('vrid 60, prio 95,') && old.test(l)).length).toBeGreaterThanOrEqual(2);
    rmSync(gate);
  };

  it('v2: a password change moves nothing, and no advert is dropped for it on either node', async () => {
    const seen = await watchEdit(
      () =>
        withMasterHeldBack(
          () => changeInstance((i) => ({ ...i, authentication: { type: 'pass', password: 'new-pw' } }), 'VI_V2'),
          /auth "old-pw/,
        ),
      { vip: v2Vip, vrid: 60, settleMs: 1500 },
    );
    expectNothingMoved(seen, 'lb1', REF.lb1);
    expect(seen.adverts.at(-1)).toMatch(/auth "new-pw"/);
    expect(await v2Drops('lb1')).toEqual([]);
    expect(await v2Drops('lb2')).toEqual([]);
  });

  it('v2: an advert interval change moves nothing, and no advert is dropped for it on either node', async () => {
    const edit = () => changeInstance((i) => ({ ...i, advertIntervalMs: 2000 }), 'VI_V2');
    const seen = await watchEdit(() => withMasterHeldBack(edit, /intvl 1s,/), {
      vip: v2Vip,
      vrid: 60,
      settleMs: 1500,
    });
    expectNothingMoved(seen, 'lb1', REF.lb1);
    expect(seen.adverts.at(-1)).toMatch(/intvl 2s,/);
    expect(await v2Drops('lb1')).toEqual([]);
    expect(await v2Drops('lb2')).toEqual([]);
  });

  it("raising a backup's priority above the master's moves the VIP once, make-before-break", async () => {
    const seen = await watchEdit(() => changeInstance(member('lb2', (m) => ({ ...m, priority: 120 }))));
    expectOneMove(seen, 'lb1', 'lb2');
    expect(seen.adverts.filter((l) => /prio 0,/.test(l))).toEqual([]);
  });

  it("lowering the master's priority below a backup's moves the VIP once, make-before-break", async () => {
    const seen = await watchEdit(() => changeInstance(member('lb2', (m) => ({ ...m, priority: 90 }))));
    expectOneMove(seen, 'lb2', 'lb1');
    expect(seen.adverts.filter((l) => /prio 0,/.test(l))).toEqual([]);
  });

  it('removing the master from the instance hands the VIP over make-before-break', async () => {
    const seen = await watchEdit(() =>
      changeInstance((i) => ({ ...i, members: i.members.filter((m) => m.node !== 'lb1') })),
    );
    // lb1: master → backup (the hand-over), then backup → initialize (stopped).
    expectOneMove(seen, 'lb1', 'lb2', 2);
    // The hand-over: lb1's priority-0 advert, then lb2's adverts only.
    expect(seen.adverts.filter((l) => /prio 0,/.test(l)).every((l) => l.includes(`${REF.lb1} >`))).toBe(true);
    expect(seen.adverts.at(-1)).toContain(`${REF.lb2} >`);
    // Its gauges went with it.
    const metrics = (await env!.lab.httpGet('client', `http://${REF.lb1}:9623/metrics`)) ?? '';
    expect(metrics).toContain('keepwatch_vrrp_state{instance="VI_V2"');
    expect(
      metrics.split('\n').filter((l) => /^keepwatch_vrrp_\w+\{instance="VI_1"/.test(l) && !l.includes('_total')),
    ).toEqual([]);
  });

  it('adding a member below the master moves nothing, and the new member runs as backup', async () => {
    const seen = await watchEdit(() =>
      changeInstance((i) => ({ ...i, members: [...i.members, { node: 'lb1', priority: 70, initialState: 'backup' }] })),
    );
    expect(seen.summary.failed, JSON.stringify(seen.summary)).toBe(0);
    expect(runs(seen.holders)).toEqual(['lb2']);
    expect(seen.adverts.filter((l) => !l.includes(`${REF.lb2} >`))).toEqual([]);
    expect(seen.after.lb2).toBe(seen.before.lb2);
    expect(agents.lb1!.log()).toMatch(/"VI_1":"add"/);
    // lb1's only transition: its start as backup.
    const lb1 = agents
      .lb1!.log()
      .split('\n')
      .filter((l) => l.includes('"vrrp transition"') && l.includes('"VI_1"'));
    expect(lb1.at(-1)).toMatch(/"state":"backup"/);
  });

  it("nopreempt: raising a backup's priority above the master's moves nothing", async () => {
    const seen = await watchEdit(() =>
      changeInstance((i) => ({ ...member('lb1', (m) => ({ ...m, priority: 150 }))(i), preempt: false })),
    );
    expectNothingMoved(seen, 'lb2', REF.lb2);
  });

  it('preempt back on with a preempt delay: the higher backup takes over once, after the delay', async () => {
    const seen = await watchEdit(() => changeInstance((i) => ({ ...i, preempt: true, preemptDelayMs: 2000 })), {
      settleMs: 3500,
    });
    expectOneMove(seen, 'lb2', 'lb1');
    // Still lb2's for the delay: the agent applies after the edit is sent, so no sample that ended
    // within 2 s of sending it saw lb1 (by time: under load the 50 ms samples spread out).
    const firstLb1 = seen.holders.findIndex((h) => h.includes('lb1'));
    expect(seen.sampledAt[firstLb1]! - seen.editedAt, seen.holders.join(' ')).toBeGreaterThanOrEqual(2000);
  });

  it('turning the periodic GARP refresh on moves nothing, and the master announces the VIP again and again', async () => {
    const seen = await watchEdit(
      () => changeInstance((i) => ({ ...i, garpMasterRefreshMs: 300, garpMasterDelayMs: 0 })),
      {
        settleMs: 1500,
      },
    );
    expectNothingMoved(seen, 'lb1', REF.lb1);
    // Every 300 ms, one announcement: at least 3 separate bursts in the window (a takeover's own
    // bursts are 2, garp_master_delay apart).
    expect(arpBursts(seen.arp, REF.vip)).toBeGreaterThanOrEqual(3);
  });

  it('tracking another interface moves nothing, and that link going down then moves the VIP', async () => {
    const seen = await watchEdit(() => changeInstance((i) => ({ ...i, trackInterfaces: [{ interface: 'trk0' }] })));
    expectNothingMoved(seen, 'lb1', REF.lb1);
    await env!.lab.exec('lb1', 'ip', ['link', 'set', 'trk0', 'down']);
    await env!.lab.waitForHolders(REF.vip, ['lb2'], 10_000);
  });

  it('switching the adverts to unicast peers moves nothing, and multicast adverts stop', async () => {
    const peers = { lb1: [REF.lb2], lb2: [REF.lb1] } as Record<string, string[]>;
    const seen = await watchEdit(() =>
      changeInstance((i) => ({ ...i, members: i.members.map((m) => ({ ...m, unicastPeers: peers[m.node]! })) })),
    );
    expect(seen.summary.failed, JSON.stringify(seen.summary)).toBe(0);
    expect(runs(seen.holders)).toEqual(['lb2']);
    expect(seen.after).toEqual(seen.before);
    expect(agents.lb1!.log()).toMatch(/"VI_1":"update [^"]*unicastPeers/);
    const later = captureFromNow(vrrpWire);
    await new Promise((r) => setTimeout(r, 500));
    expect(
      later()
        .split('\n')
        .filter((l) => l.includes('vrid 51,') && l.includes('224.0.0.18')),
    ).toEqual([]);
  });

  it('removing a backup member moves nothing, and that node stops the instance', async () => {
    const seen = await watchEdit(() =>
      changeInstance((i) => ({ ...i, members: i.members.filter((m) => m.node !== 'lb1') })),
    );
    expect(seen.summary.failed, JSON.stringify(seen.summary)).toBe(0);
    expect(runs(seen.holders)).toEqual(['lb2']);
    expect(seen.after.lb2).toBe(seen.before.lb2);
    // The second removal of lb1's member in this file (the first was as master).
    expect(agents.lb1!.log().match(/"VI_1":"remove"/g)).toHaveLength(2);
  });
});
