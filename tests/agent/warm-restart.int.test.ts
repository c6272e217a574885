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
 * A crashed agent that is back before its peers' Master_Down_Timer (advert interval 1 s, as
 * keepalived's default) resumes where it was: the master re-announces at once and keeps its VIP,
 * so the crash costs no failover — the backup never leaves Backup and no request through the VIP
 * fails. (systemd's Restart=always with RestartSec=0 is what restarts it on a host.)
 */
describe('agent SIGKILLed while master and restarted at once', () => {
  let lab: Lab;
  let agent: Record<'lb1' | 'lb2', LabAgent>;

  beforeAll(async () => {
    lab = await referenceLab();
    ({ agent } = await startReferenceAgents(lab, referenceSpec({ version: 2, advertIntervalMs: 1000 }), {
      metrics: false,
    }));
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
    // Longer than lb2's Master_Down_Interval (3 s + skew): had lb1 stayed silent, lb2 would have taken over.
    await new Promise((r) => setTimeout(r, 4500));
    const s = summariseProbe(await probe.stop());
    expect(s.total).toBeGreaterThan(400);
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
