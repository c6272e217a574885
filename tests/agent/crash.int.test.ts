import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  REF,
  referenceLab,
  waitFor,
  type Lab,
  AGENT_BIN,
  referenceSpec,
  startReferenceAgents,
  waitServed,
  type LabAgent,
} from '@keepwatch/lab';

const run = promisify(execFile);

/**
 * What a crashed agent leaves behind, and the clean-up step that systemd's OnFailure= unit runs
 * (`keepwatch-agent cleanup --config FILE`), called here as the unit would call it. Also: after a
 * failover the client's neighbour entry for the VIP points at the new master (gratuitous ARP).
 */
describe('agent crash without restart, and the clean-up unit', () => {
  let lab: Lab;
  let agent: Record<'lb1' | 'lb2', LabAgent>;

  beforeAll(async () => {
    lab = await referenceLab();
    ({ agent } = await startReferenceAgents(lab, referenceSpec()));
    await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
    await waitServed(lab);
  });
  afterAll(async () => {
    await lab?.teardown();
  });

  it("the client learns lb1's MAC for the VIP while lb1 is master", async () => {
    expect(await lab.neighbour('client', REF.vip)).toBe(await lab.mac('lb1'));
  });

  it('a SIGKILLed master leaves its VIP behind while the backup takes over (both hold it)', async () => {
    await agent.lb1.kill();
    await lab.waitForHolders(REF.vip, ['lb1', 'lb2'], 5000);
  });

  it("the backup's gratuitous ARP points the client's neighbour entry at the new master", async () => {
    const lb2Mac = await lab.mac('lb2');
    await waitFor(async () => (await lab.neighbour('client', REF.vip)) === lb2Mac, {
      timeoutMs: 3000,
      what: "the client to learn lb2's MAC for the VIP",
    });
  });

  it("the clean-up step removes the dead agent's VIP, and exactly one host holds it", async () => {
    const r = await run('ip', [
      'netns',
      'exec',
      lab.host('lb1').ns,
      process.execPath,
      AGENT_BIN,
      'cleanup',
      '--config',
      agent.lb1.configPath,
    ]);
    expect(r.stdout).toContain('cleanup: VIPs removed');
    expect(await lab.holders(REF.vip)).toEqual(['lb2']);
  });

  it("the metrics endpoint reports the instance's state and priorities", async () => {
    const text = (await lab.httpGet('client', `http://${REF.lb2}:9623/metrics`)) ?? '';
    expect(text).toContain('keepwatch_vrrp_state{instance="VI_1",state="master"} 1');
    expect(text).toContain('keepwatch_vrrp_base_priority{instance="VI_1"} 80');
    expect(text).toMatch(/keepwatch_vrrp_adverts_sent_total\{instance="VI_1"\} [1-9]/);
    expect(text).toMatch(/keepwatch_check_up\{check="check_nginx"\} 1/);
  });
});
