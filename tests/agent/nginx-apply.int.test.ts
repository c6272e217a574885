import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { NginxApplier, realNginxExec } from '@keepwatch/agent';
import { Lab, LabNginx, startBackend } from '@keepwatch/lab';

/**
 * The agent's nginx apply on real nginx: write, `nginx -t`, reload, verify, roll back. nginx runs
 * in a lab host; the agent's side (nginx -t / -s reload) runs from the test process with the same
 * prefix, config and pid file, as the agent on that host would.
 */
describe('nginx apply', () => {
  let lab: Lab;
  let nginx: LabNginx;
  let applier: NginxApplier;
  const site = (backend: string) =>
    `upstream webs { server 192.0.2.${backend === 'one' ? 21 : 22}:80; }\nserver { listen 80; location / { proxy_pass http://webs; } }\n`;

  beforeAll(async () => {
    lab = await Lab.create({
      hosts: [
        { name: 'lb', ipv4: ['192.0.2.11/24'] },
        { name: 'one', ipv4: ['192.0.2.21/24'] },
        { name: 'two', ipv4: ['192.0.2.22/24'] },
        { name: 'client', ipv4: ['192.0.2.10/24'] },
      ],
    });
    await startBackend(lab, 'one', 'one');
    await startBackend(lab, 'two', 'two');
    nginx = new LabNginx(lab, 'lb');
    nginx.configure(site('one'));
    await nginx.start();
    applier = new NginxApplier(
      realNginxExec({ binary: 'nginx', args: nginx.startArgv().slice(5), pidFile: nginx.pidPath }),
      { confPath: nginx.sitePath },
    );
  });
  afterAll(async () => {
    await lab?.teardown();
  });

  it('applies a new config with a reload that a new worker generation serves', async () => {
    expect((await lab.httpGet('client', 'http://192.0.2.11/'))?.trim()).toBe('one');
    const r = await applier.apply(site('two'));
    expect(r.status).toBe('applied');
    expect((await lab.httpGet('client', 'http://192.0.2.11/'))?.trim()).toBe('two');
  });

  it('reports an unchanged config without touching nginx', async () => {
    expect(await applier.apply(site('two'))).toEqual({ status: 'unchanged' });
  });

  it("rolls back a config that fails nginx -t, keeps serving the old one, and reports nginx's output", async () => {
    const r = await applier.apply('upstream webs { server 192.0.2.21:80 }\n');
    expect(r.status).toBe('failed');
    if (r.status !== 'failed') return;
    expect(r.stage).toBe('test');
    expect(r.rolledBack).toBe(true);
    expect(r.output).toMatch(/\[emerg\]/);
    expect(readFileSync(nginx.sitePath, 'utf8')).toBe(site('two'));
    expect((await lab.httpGet('client', 'http://192.0.2.11/'))?.trim()).toBe('two');
  });

  it('rolls back a config nginx accepts but cannot load (listen on an address the host lacks)', async () => {
    const r = await applier.apply('server { listen 198.51.100.99:80; location / { return 200 "x"; } }\n');
    expect(r.status).toBe('failed');
    expect(readFileSync(nginx.sitePath, 'utf8')).toBe(site('two'));
    expect((await lab.httpGet('client', 'http://192.0.2.11/'))?.trim()).toBe('two');
  });
});
