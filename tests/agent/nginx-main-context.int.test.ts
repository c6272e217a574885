import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NginxApplier, realNginxExec } from '@keepwatch/agent';
import { ClusterSpecSchema, renderNginxMainContext } from '@keepwatch/shared';
import { Lab, LabNginx, referenceSpec, waitFor } from '@keepwatch/lab';

/**
 * worker_shutdown_timeout on a host whose nginx.conf is the distribution's (issue #17 item 5): the
 * agent writes the main-context part to the file nginx.conf includes at top level (Debian's
 * modules-enabled/*.conf), with the http-level file, tested and rolled back together — and an old
 * worker held by an unfinished request exits once the timeout is over instead of lingering.
 */

/** A client that sends a POST's headers and half its body to lb, then waits (bounded: 30 s). */
const SLOW_CLIENT = `
const net = require('node:net'), fs = require('node:fs'), path = require('node:path');
const [dir] = process.argv.slice(1);
const s = net.connect(80, '192.0.2.11', () => {
  s.write('POST / HTTP/1.1\\r\\nHost: lb\\r\\nContent-Length: 4\\r\\n\\r\\nab');
  fs.writeFileSync(path.join(dir, 'slow-sent'), '');
});
s.on('close', () => fs.writeFileSync(path.join(dir, 'slow-closed'), ''));
s.on('error', () => undefined);
setTimeout(() => s.destroy(), 30000);
`;

describe('nginx main-context file (agent, real nginx)', () => {
  let lab: Lab;
  let nginx: LabNginx;
  let applier: NginxApplier;
  let mainContextPath: string;
  const spec = ClusterSpecSchema.parse(referenceSpec());
  const site = (n: number) =>
    `# revision ${n}\nupstream webs { server 192.0.2.21:80; }\nserver { listen 80; location / { proxy_pass http://webs; } }\n`;

  beforeAll(async () => {
    lab = await Lab.create({
      hosts: [
        { name: 'lb', ipv4: ['192.0.2.11/24'] },
        { name: 'client', ipv4: ['192.0.2.10/24'] },
      ],
    });
    nginx = new LabNginx(lab, 'lb');
    nginx.configure('');
    // As Debian's nginx.conf: a folder included at top level.
    const mainDir = join(nginx.prefix, 'main.d');
    mkdirSync(mainDir);
    mainContextPath = join(mainDir, 'keepwatch.conf');
    const main = readFileSync(nginx.confPath, 'utf8');
    writeFileSync(
      nginx.confPath,
      main.replace('worker_processes 1;\n', `worker_processes 1;\ninclude ${mainDir}/*.conf;\n`),
    );
    await nginx.start();
    applier = new NginxApplier(
      realNginxExec({ binary: 'nginx', args: nginx.startArgv().slice(5), pidFile: nginx.pidPath }),
      { confPath: nginx.sitePath, mainContextPath, drainWaitMs: 100 },
    );
  });
  afterAll(async () => {
    await lab?.teardown();
  });

  it("writes the spec's worker_shutdown_timeout where nginx.conf includes it, and nginx runs with it", async () => {
    expect(await applier.apply(site(1), renderNginxMainContext(spec))).toMatchObject({ status: 'applied' });
    expect(readFileSync(mainContextPath, 'utf8')).toContain('worker_shutdown_timeout 70s;\n');
    const dump = await lab.exec('lb', 'nginx', ['-T', ...nginx.startArgv().slice(5)]);
    expect(dump.stdout).toContain('worker_shutdown_timeout 70s;');
  });

  it('reports unchanged when neither file changed', async () => {
    expect(await applier.apply(site(1), renderNginxMainContext(spec))).toEqual({ status: 'unchanged' });
  });

  it('puts both files back when nginx -t fails', async () => {
    const r = await applier.apply('upstream webs {\n', 'worker_shutdown_timeout 5s;\n');
    expect(r).toMatchObject({ status: 'failed', stage: 'test', rolledBack: true });
    expect(readFileSync(nginx.sitePath, 'utf8')).toBe(site(1));
    expect(readFileSync(mainContextPath, 'utf8')).toBe(renderNginxMainContext(spec));
  });

  it('ends an old worker held by an unfinished request once worker_shutdown_timeout is over', async () => {
    // 1 s rather than the renderer's (at least 10 s): the bound is nginx's; the test shows it applies.
    expect(await applier.apply(site(2), 'worker_shutdown_timeout 1s;\n')).toMatchObject({ status: 'applied' });
    const dir = lab.host('client').dir;
    lab.spawn('client', process.execPath, ['-e', SLOW_CLIENT, dir], {
      logFile: join(dir, 'slow-client.log'),
      what: 'slow client',
    });
    await waitFor(() => existsSync(join(dir, 'slow-sent')) || undefined, { timeoutMs: 10_000, what: 'request sent' });
    const master = nginx.masterPid();
    expect(await applier.apply(site(3), 'worker_shutdown_timeout 1s;\n')).toMatchObject({ status: 'applied' });
    await waitFor(() => applier.status(master).drainingWorkers === 0 || undefined, {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: 'the old worker gone after worker_shutdown_timeout',
    });
    // nginx closed the request's connection; the client did not finish it (without the timeout the
    // worker would wait for the body for client_body_timeout, 60 s, and the client gives up at 30 s).
    await waitFor(() => existsSync(join(dir, 'slow-closed')) || undefined, { timeoutMs: 5000, what: 'closed' });
  });
});
