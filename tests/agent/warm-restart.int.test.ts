import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REF,
  referenceLab,
  startProbe,
  summariseProbe,
  type Lab,
  referenceSpec,
  startReferenceAgents,
  waitServed,
  type LabAgent,
} from '@keepwatch/lab';

/**
 * A crashed agent that is back before its peers' Master_Down_Timer resumes where it was: the
 * restarted process repeats its last advert before its modules load (warm-start/replay.ts), the
 * master keeps its VIP, so the crash costs no failover — the backup never leaves Backup and no
 * request through the VIP fails. At keepalived's default 1 s (v2) and at VRRPv3 0.1 s, where the
 * peers' Master_Down_Interval (~0.37 s) is shorter than Node's start-up. (systemd's
 * Restart=always with RestartSec=0 is what restarts it on a host.)
 */
describe.each([
  { version: 2 as const, advertIntervalMs: 1000, waitMs: 4500 },
  { version: 3 as const, advertIntervalMs: 100, waitMs: 1500 },
])('agent SIGKILLed while master and restarted at once (v$version, adverts every $advertIntervalMs ms)', (c) => {
  let lab: Lab;
  let agent: Record<'lb1' | 'lb2', LabAgent>;

  beforeAll(async () => {
    lab = await referenceLab();
    ({ agent } = await startReferenceAgents(
      lab,
      referenceSpec({ version: c.version, advertIntervalMs: c.advertIntervalMs }),
      { metrics: false },
    ));
    await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
    await waitServed(lab);
  });
  afterAll(async () => {
    await lab?.teardown();
  });

  it('keeps the VIP on lb1, the backup in Backup, and every request served', async () => {
    const probe = await startProbe(lab, 'client', `http://${REF.vip}/`, { rateHz: 100, maxDurationMs: 30_000 });
    await new Promise((r) => setTimeout(r, 500));
    await agent.lb1.kill();
    await agent.lb1.start();
    // Longer than lb2's Master_Down_Interval (3 intervals + skew): had lb1 stayed silent, lb2 would have taken over.
    await new Promise((r) => setTimeout(r, c.waitMs));
    const s = summariseProbe(await probe.stop());
    expect(s.total).toBeGreaterThan(100);
    expect(s.failed).toBe(0);
    expect(await lab.holders(REF.vip)).toEqual(['lb1']);
    const lb2Transitions = agent.lb2
      .lines()
      .filter((l) => l.msg === 'vrrp transition')
      .map((l) => `${String(l.from)}->${String(l.state)}`);
    expect(lb2Transitions).toEqual(['initialize->backup']);
    expect(agent.lb1.lines().some((l) => l.msg === 'vrrp transition' && l.reason === 'warm-restart')).toBe(true);
  });
});
