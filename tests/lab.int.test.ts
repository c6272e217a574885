import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { Lab, LabNginx, leftovers, run, startBackend, startProbe, summariseProbe } from '@keepwatch/lab';

describe('lab', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await Lab.create({
      hosts: [
        { name: 'a', ipv4: ['192.0.2.1/24'], ipv6: ['2001:db8::1/64'] },
        { name: 'b', ipv4: ['192.0.2.2/24'], ipv6: ['2001:db8::2/64'] },
      ],
    });
  });
  afterAll(async () => {
    await lab?.teardown();
  });

  it('joins hosts on one segment over IPv4 and IPv6', async () => {
    expect((await lab.exec('a', 'ping', ['-c', '1', '-W', '2', '192.0.2.2'])).code).toBe(0);
    expect((await lab.exec('a', 'ping', ['-6', '-c', '1', '-W', '2', '2001:db8::2'])).code).toBe(0);
  });

  it('gives the root namespace none of its addresses', async () => {
    const r = await run('ip', ['-o', 'addr', 'show']);
    expect(r.stdout).not.toContain('192.0.2.1/24');
  });

  it('names its namespaces with the run id', () => {
    expect(lab.host('a').ns).toBe(`kw${lab.runId}-a`);
    expect(lab.host('a').ns.length).toBeLessThanOrEqual(15);
  });

  it('tells which host holds an address', async () => {
    expect(await lab.holders('192.0.2.2')).toEqual(['b']);
  });

  it('sets a link down and up again', async () => {
    await lab.setLink('b', 'down');
    expect((await lab.exec('a', 'ping', ['-c', '1', '-W', '1', '192.0.2.2'])).code).not.toBe(0);
    await lab.setLink('b', 'up');
    expect((await lab.exec('a', 'ping', ['-c', '1', '-W', '2', '192.0.2.2'])).code).toBe(0);
  });

  it('runs a backend that answers with its own name', async () => {
    await startBackend(lab, 'b', 'web-b', 8080);
    expect((await lab.httpGet('a', 'http://192.0.2.2:8080/'))?.trim()).toBe('web-b');
  });

  it("runs real nginx with its own prefix and pid file, and kills only that host's nginx", async () => {
    const nginx = new LabNginx(lab, 'a');
    nginx.configure(
      'upstream u { server 192.0.2.2:8080; }\nserver { listen 80; location / { proxy_pass http://u; } }\n',
    );
    expect((await nginx.test()).ok).toBe(true);
    const master = await nginx.start();
    expect(nginx.pids()).toContain(master);
    expect(nginx.pids().length).toBeGreaterThanOrEqual(2); // master and one worker
    expect((await lab.httpGet('b', 'http://192.0.2.1/'))?.trim()).toBe('web-b');
    await nginx.kill();
    expect(nginx.running()).toBe(false);
  });

  it('records every probe request with the backend that answered', async () => {
    const probe = await startProbe(lab, 'a', 'http://192.0.2.2:8080/', { rateHz: 50, maxDurationMs: 10_000 });
    const deadline = Date.now() + 5000;
    while (probe.records().length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const records = await probe.stop();
    const s = summariseProbe(records);
    expect(s.total).toBeGreaterThanOrEqual(10);
    expect(s.failed).toBe(0);
    expect(s.backends['web-b']).toBe(s.ok);
  });

  it('lets a process in a namespace reach a unix socket server in the root namespace', async () => {
    const path = lab.unixSocketPath('dashboard');
    const server: Server = createServer((sock) => sock.end('hello from root\n'));
    await new Promise<void>((r) => server.listen(path, r));
    try {
      const r = await lab.exec('a', process.execPath, [
        '-e',
        `require('net').connect(${JSON.stringify(path)}).on('data', d => process.stdout.write(d))`,
      ]);
      expect(r.stdout.trim()).toBe('hello from root');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('refuses addresses outside the documentation ranges', async () => {
    await expect(Lab.create({ hosts: [{ name: 'x', ipv4: ['10.0.0.1/24'] }] })).rejects.toThrow(/RFC 5737/);
  });
});

describe('lab teardown', () => {
  it('leaves no namespace, link or process of its run', async () => {
    const lab = await Lab.create({ hosts: [{ name: 'a', ipv4: ['203.0.113.1/24'] }], group: 'teardown-check' });
    await startBackend(lab, 'a', 'x', 8081);
    const ns = lab.host('a').ns;
    await lab.teardown();
    const list = await run('ip', ['netns', 'list']);
    expect(list.stdout).not.toContain(ns);
    expect(await leftovers('teardown-check')).toEqual([]);
  });
});
