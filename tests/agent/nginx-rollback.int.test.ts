import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  LabNginx,
  REF,
  referenceLab,
  startBackend,
  type Lab,
  LabAgent,
  agentConfig,
  referenceSpec,
} from '@keepwatch/lab';

/**
 * A configuration nginx refuses (`nginx -t` fails: it listens on an address this host does not
 * have) is rolled back by the agent: the old configuration keeps serving, and the failure is
 * reported with nginx's own output. VRRP is not disturbed by it.
 */
describe('agent nginx apply with a config nginx refuses', () => {
  let lab: Lab;
  let nginx: LabNginx;
  let good = '';
  let second: LabAgent;

  beforeAll(async () => {
    lab = await referenceLab();
    await startBackend(lab, 'web1', 'web1');
    await startBackend(lab, 'web2', 'web2');
    nginx = new LabNginx(lab, 'lb1');
    nginx.configure('# replaced by the agent\n');
    await nginx.start();
    const first = new LabAgent(lab, 'lb1', agentConfig(lab, nginx, referenceSpec()));
    await first.start();
    await first.stop();
    good = readFileSync(nginx.sitePath, 'utf8');
    const bad = referenceSpec();
    bad.virtualServers = [
      { name: 'server-1', listen: [{ address: '198.51.100.200', port: 80 }], locations: [{ path: '/', pool: 'webs' }] },
    ];
    second = new LabAgent(lab, 'lb1', agentConfig(lab, nginx, bad));
    await second.start();
    await lab.waitForHolders(REF.vip, ['lb1'], 5000);
  });
  afterAll(async () => {
    await lab?.teardown();
  });

  it('keeps the last good config on disk', () => {
    expect(good).toContain('upstream webs');
    expect(readFileSync(nginx.sitePath, 'utf8')).toBe(good);
  });

  it('keeps serving the old config', async () => {
    expect((await lab.httpGet('client', `http://${REF.lb1}/`))?.trim()).toMatch(/^web[12]$/);
  });

  it("reports the failure with nginx's own output", () => {
    const line = second.lines().find((l) => l.msg === 'nginx config not applied');
    expect(line?.stage).toBe('test');
    expect(String(line?.output)).toMatch(/\[emerg\].*198\.51\.100\.200:80/);
  });
});
