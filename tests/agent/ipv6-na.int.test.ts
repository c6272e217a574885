import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabNginx, REF, referenceLab, waitFor, type Lab, LabAgent, agentConfig, referenceSpec } from '@keepwatch/lab';

/**
 * IPv6 VIPs: the new master's unsolicited neighbour advertisement (Override flag) points the
 * client's existing neighbour entry at its MAC, without the client asking.
 */
const spec = referenceSpec({
  name: 'v6',
  family: 6,
  check: null,
  pools: false,
  instance: { name: 'VI_6', vrid: 61 },
});

describe('IPv6 VIP failover', () => {
  let lab: Lab;
  const agent = {} as Record<'lb1' | 'lb2', LabAgent>;

  beforeAll(async () => {
    lab = await referenceLab();
    for (const lb of ['lb1', 'lb2'] as const) {
      agent[lb] = new LabAgent(lab, lb, { ...agentConfig(lab, new LabNginx(lab, lb), spec), metrics: undefined });
      await agent[lb].start();
    }
    await lab.waitForHolders(REF.vip6, ['lb1'], 5000);
  });
  afterAll(async () => {
    await lab?.teardown();
  });

  it("the client reaches the VIP at lb1's MAC", async () => {
    expect((await lab.exec('client', 'ping', ['-6', '-c', '1', '-W', '2', REF.vip6])).code).toBe(0);
    expect(await lab.neighbour('client', REF.vip6)).toBe(await lab.mac('lb1'));
  });

  it("after lb1 stops, lb2's unsolicited NA moves the client's entry to lb2's MAC", async () => {
    await agent.lb1.stop();
    await lab.waitForHolders(REF.vip6, ['lb2'], 5000);
    const lb2 = await lab.mac('lb2');
    await waitFor(async () => (await lab.neighbour('client', REF.vip6)) === lb2, {
      timeoutMs: 3000,
      what: "the client's neighbour entry to name lb2",
    });
  });
});
