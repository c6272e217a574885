import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NginxApplier, realNginxExec } from '@keepwatch/agent';
import { Lab, LabNginx, waitFor } from '@keepwatch/lab';

/**
 * What the agent's heartbeat says about nginx beyond its master (issue #17 item 5), on real
 * nginx in a lab host: old workers still draining after a reload (a slow upstream request held
 * open across it), and drift of the rendered file (a hand edit reported, then put back by the next
 * apply, which hands back the replaced text for the audit log).
 */

/** A backend that answers /slow only once the test creates `release` in its folder (bounded: 30 s). */
const SLOW_BACKEND = `
const http = require('node:http'), fs = require('node:fs'), path = require('node:path');
const [dir, addr] = process.argv.slice(1);
http.createServer((req, res) => {
  if (req.url !== '/slow') return void res.end('fast\\n');
  fs.writeFileSync(path.join(dir, 'received'), '');
  const t0 = Date.now();
  const poll = setInterval(() => {
    if (!fs.existsSync(path.join(dir, 'release')) && Date.now() - t0 < 30000) return;
    clearInterval(poll);
    res.end('slow\\n');
  }, 20);
}).listen(80, addr);
`;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('nginx draining workers and drift (agent, real nginx)', () => {
  let lab: Lab;
  let nginx: LabNginx;
  let applier: NginxApplier;
  let dir: string;
  const site = (n: number) =>
    `# revision ${n}\nupstream webs { server 192.0.2.21:80; }\nserver { listen 80; location / { proxy_pass http://webs; } }\n`;
  const master = () => nginx.masterPid();

  beforeAll(async () => {
    lab = await Lab.create({
      hosts: [
        { name: 'lb', ipv4: ['192.0.2.11/24'] },
        { name: 'web', ipv4: ['192.0.2.21/24'] },
        { name: 'client', ipv4: ['192.0.2.10/24'] },
      ],
    });
    dir = lab.host('web').dir;
    lab.spawn('web', process.execPath, ['-e', SLOW_BACKEND, dir, '192.0.2.21'], {
      logFile: join(dir, 'slow-backend.log'),
      what: 'slow backend',
    });
    await waitFor(async () => (await lab.httpGet('web', 'http://192.0.2.21/', 1000))?.trim() === 'fast', {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: 'slow backend up',
    });
    nginx = new LabNginx(lab, 'lb');
    nginx.configure('');
    await nginx.start();
    applier = new NginxApplier(
      realNginxExec({ binary: 'nginx', args: nginx.startArgv().slice(5), pidFile: nginx.pidPath }),
      // Short: the test holds a request open on purpose and wants apply to return while it drains.
      { confPath: nginx.sitePath, drainWaitMs: 100, writtenStatePath: join(lab.host('lb').dir, 'nginx-written.json') },
    );
    expect((await applier.apply(site(1))).status).toBe('applied');
  });
  afterAll(async () => {
    await lab?.teardown();
  });

  it('reports no drift and no draining worker after its own apply', async () => {
    // The start's workers (empty config, no connections) exit within moments of the reload.
    await waitFor(() => applier.status(master()).drainingWorkers === 0, { timeoutMs: 5000, what: 'no old worker' });
    expect(applier.status(master())).toEqual({ drainingWorkers: 0, drifted: false });
  });

  it('counts the old worker draining a slow request across a reload until it finishes', async () => {
    const slow = lab.httpGet('client', 'http://192.0.2.11/slow', 40_000);
    try {
      await waitFor(() => existsSync(join(dir, 'received')), {
        timeoutMs: 10_000,
        what: 'slow request at the backend',
      });
      expect((await applier.apply(site(2))).status).toBe('applied');
      await waitFor(() => applier.status(master()).drainingWorkers === 1, {
        timeoutMs: 5000,
        what: 'one worker shutting down',
      });
    } finally {
      writeFileSync(join(dir, 'release'), '');
    }
    expect((await slow)?.trim()).toBe('slow');
    await waitFor(() => applier.status(master()).drainingWorkers === 0, {
      timeoutMs: 10_000,
      what: 'the old worker gone',
    });
  });

  it('reports a hand edit of the rendered file as drift with the on-disk hash', () => {
    appendFileSync(nginx.sitePath, '# tuned by hand\n');
    const onDisk = readFileSync(nginx.sitePath, 'utf8');
    expect(applier.status(master())).toMatchObject({ drifted: true, onDiskSha256: sha256(onDisk) });
  });

  it('puts the file back on the next apply and hands back the text it replaced', async () => {
    const handEdited = readFileSync(nginx.sitePath, 'utf8');
    const r = await applier.apply(site(3));
    expect(r).toMatchObject({
      status: 'applied',
      replaced: { onDiskSha256: sha256(handEdited), text: handEdited, truncated: false },
    });
    expect(readFileSync(nginx.sitePath, 'utf8')).toBe(site(3));
    expect(applier.status(master())).toEqual({ drainingWorkers: 0, drifted: false });
  });

  it("hands back a hand edit made while the agent was down when its start's apply puts the file back", async () => {
    appendFileSync(nginx.sitePath, '# edited while the agent was down\n');
    const handEdited = readFileSync(nginx.sitePath, 'utf8');
    // A new applier on the same files and state: the agent after a restart.
    const restarted = new NginxApplier(
      realNginxExec({ binary: 'nginx', args: nginx.startArgv().slice(5), pidFile: nginx.pidPath }),
      { confPath: nginx.sitePath, drainWaitMs: 100, writtenStatePath: join(lab.host('lb').dir, 'nginx-written.json') },
    );
    expect(restarted.status(master())).toMatchObject({ drifted: true, onDiskSha256: sha256(handEdited) });
    expect(await restarted.apply(site(3))).toMatchObject({ status: 'applied', replaced: { text: handEdited } });
    expect(readFileSync(nginx.sitePath, 'utf8')).toBe(site(3));
  });

  it('reports a removed rendered file as drift with no on-disk hash', () => {
    rmSync(nginx.sitePath);
    try {
      expect(applier.status(master())).toMatchObject({ drifted: true, onDiskSha256: null });
    } finally {
      writeFileSync(nginx.sitePath, site(3));
    }
    expect(applier.status(master()).drifted).toBe(false);
  });
});
