import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { LabNginx } from '@keepwatch/lab';
import { expectServedBy } from '../support/reference-scenario.js';
import {
  REF,
  referenceKeepalived,
  referenceLab,
  startReferenceWebTier,
  throughVip as viaVip,
  waitFor,
  waitServed as served,
  type Lab,
  type LabKeepalived,
} from '@keepwatch/lab';

/**
 * The reference scenario (shared/seed/scenario.md) on real keepalived 2.2.7 and real nginx, in
 * the lab: the baseline every Keepwatch behaviour is compared to. VRRPv3 at 0.1 s adverts, the
 * same rules as the tutorial's 1 s v2, ten times quicker. Every assertion is from the outside:
 * which namespace holds the VIP, and what the client's requests through the VIP get.
 */
describe('reference scenario on keepalived', () => {
  let lab: Lab;
  const nginx: Record<'lb1' | 'lb2', LabNginx> = {} as never;
  const ka: Record<'lb1' | 'lb2', { keepalived: LabKeepalived; checkLog: string }> = {} as never;
  const throughVip = (n: number) => viaVip(lab, n);
  const waitServed = () => served(lab);

  beforeAll(async () => {
    lab = await referenceLab();
    Object.assign(nginx, await startReferenceWebTier(lab));
    for (const lb of ['lb1', 'lb2'] as const) {
      ka[lb] = referenceKeepalived(lab, nginx[lb], lb === 'lb1' ? 'master' : 'backup', { fast: true });
    }
    await ka.lb1.keepalived.start();
    await ka.lb2.keepalived.start();
  });

  afterAll(async () => {
    await lab?.teardown();
  });

  it('1. with both LBs up only the master holds the VIP, and requests reach web 1 and web 2 in turn', async () => {
    await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
    const bodies = await throughVip(6);
    expect(bodies.every((b) => b === 'web1' || b === 'web2')).toBe(true);
    for (let i = 1; i < bodies.length; i++) expect(bodies[i]).not.toBe(bodies[i - 1]);
    expect(await lab.holders(REF.vip)).toEqual(['lb1']);
  });

  it("2. when the master's keepalived stops, the backup takes the VIP and serves", async () => {
    await ka.lb1.keepalived.stop();
    await expectServedBy(lab, 'lb2');
  });

  it("3. when the master's keepalived comes back, the VIP returns to it (preemption)", async () => {
    await ka.lb1.keepalived.start();
    await expectServedBy(lab, 'lb1');
  });

  it('4. when nginx on the master is killed, the check starts it again and the master keeps the VIP', async () => {
    const before = nginx.lb1.masterPid();
    const seen = new Set<string>();
    await nginx.lb1.kill();
    const restarted = await waitFor(
      async () => {
        seen.add((await lab.holders(REF.vip)).join(','));
        const pid = nginx.lb1.masterPid();
        return pid !== null && pid !== before ? pid : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 25, what: 'the check to start nginx on lb1 again' },
    );
    expect([...seen]).toEqual(['lb1']); // held by lb1 alone at every sample while nginx was down
    expect(restarted).not.toBe(before);
    // The check's own account of its run (it writes once it has seen nginx up again).
    await waitFor(() => readFileSync(ka.lb1.checkLog, 'utf8').includes('nginx started again'), {
      timeoutMs: 3_000,
      what: 'the check to log the restart',
    });
    expect(ka.lb1.keepalived.running()).toBe(true);
    expect(await lab.holders(REF.vip)).toEqual(['lb1']);
    await waitServed();
    expect(new Set(await throughVip(4))).toEqual(new Set(['web1', 'web2']));
  });

  it('5. when nginx on the master has a broken config and is stopped, the check fails and the VIP moves to the backup; the failure is logged', async () => {
    nginx.lb1.writeSite(
      'upstream webs {\n server 198.51.100.21:80;\n}\nserver {\n  location / {\n  proxy_pass http://webs\n}\n',
    );
    await nginx.lb1.kill();
    await expectServedBy(lab, 'lb2', 8_000);
    const log = await waitFor(
      () => {
        const text = readFileSync(ka.lb1.checkLog, 'utf8');
        return text.includes('nginx could not be started: stopping keepalived') ? text : undefined;
      },
      { timeoutMs: 3_000, what: 'the check to log its failure' },
    );
    expect(log).toMatch(/nginx: \[emerg\]/); // nginx's own reason, in the check's log
    await waitFor(() => !ka.lb1.keepalived.running(), { timeoutMs: 5_000, what: 'keepalived on lb1 to stop' });
  });
});
