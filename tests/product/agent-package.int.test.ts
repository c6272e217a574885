import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Lab, REF, isAlive, waitFor, type Spawned, referenceSpec, startSingleLbLab } from '@keepwatch/lab';
import { expectServingMaster, packageAgent, stopAgentAndLab } from './package-agent.js';
import { BARE_ENV, REPO } from '../support/repo.js';
import { workFolder } from '../support/work-folder.js';

const exec = promisify(execFile);

/**
 * `npm run package:agent` builds one linux-x64 tarball; unpacked and installed into an empty
 * folder outside the repository (with --no-systemd), the agent runs from there alone — with a
 * working directory and environment that cannot reach the repository's node_modules — and, in a
 * lab namespace against real nginx, becomes master and serves requests through the VIP.
 */
describe('agent package', () => {
  const work = workFolder('keepwatch-package-');
  let tarball = '';
  let prefix = '';
  let lab: Lab | undefined;
  let agent: Spawned | undefined;

  beforeAll(async () => {
    tarball = await packageAgent();
    prefix = join(work(), 'prefix');
  }, 600_000);

  afterAll(() => stopAgentAndLab(lab, agent));

  it('builds one linux-x64 tarball with the bundled agent, the addon, the systemd units and install.sh', async () => {
    expect(tarball).toMatch(/dist\/keepwatch-agent-\d+\.\d+\.\d+-linux-x64\.tar\.gz$/);
    const list = (await exec('tar', ['-tzf', tarball])).stdout
      .split('\n')
      .filter(Boolean)
      .map((p) => p.replace(/^[^/]+\//, ''));
    for (const f of [
      'install.sh',
      'bin/keepwatch-agent',
      'bin/keepwatch-agent-supervise',
      'lib/keepwatch-agent.mjs',
      'lib/keepwatch_net.node',
      'systemd/keepwatch-agent.service',
      'systemd/keepwatch-agent-cleanup.service',
      'VERSION',
    ]) {
      expect(list).toContain(f);
    }
    // No node_modules: the dependencies are in the bundle.
    expect(list.some((p) => p.includes('node_modules'))).toBe(false);
  });

  it('installs into an empty folder outside the repository without systemd and says how to start', async () => {
    await exec('tar', ['-xzf', tarball, '-C', work()], { env: BARE_ENV });
    const [top] = readdirSync(work()).filter((d) => d.startsWith('keepwatch-agent-'));
    const r = await exec(join(work(), top!, 'install.sh'), ['--prefix', prefix, '--no-systemd'], {
      cwd: work(),
      env: BARE_ENV,
    });
    expect(r.stdout).toContain(`installed in ${prefix}`);
    expect(r.stdout).toContain('keepwatch-agent-supervise --config');
    expect(statSync(join(prefix, 'bin/keepwatch-agent')).mode & 0o111).not.toBe(0);
    // The units are rewritten for this prefix (no `/usr/bin/env keepwatch-agent` left to resolve).
    const unit = readFileSync(join(prefix, 'share/systemd/keepwatch-agent.service'), 'utf8');
    expect(unit).toContain(`ExecStart=${prefix}/bin/keepwatch-agent run --config ${prefix}/etc/agent.json`);
    // Nothing in the installed files points back into the repository.
    for (const f of ['bin/keepwatch-agent', 'lib/keepwatch-agent.mjs'])
      expect(readFileSync(join(prefix, f), 'utf8')).not.toContain(REPO);
  });

  it('refuses clearly when the Node.js binary is older than 20', async () => {
    const [top] = readdirSync(work()).filter((d) => d.startsWith('keepwatch-agent-'));
    const fake = join(work(), 'old-node');
    writeFileSync(fake, '#!/bin/sh\necho v18.19.0\n', { mode: 0o755 });
    const r = await exec(
      join(work(), top!, 'install.sh'),
      ['--prefix', join(work(), 'other'), '--no-systemd', '--node-bin', fake],
      { cwd: work(), env: BARE_ENV },
    ).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(r?.code).toBe(1);
    expect(r?.stderr).toContain('Node.js 20 or newer is required');
    expect(r?.stderr).toContain('v18.19.0');
  });

  it('the installed command answers --help from outside the repository', async () => {
    const r = await exec(join(prefix, 'bin/keepwatch-agent'), ['--help'], { cwd: work(), env: BARE_ENV });
    expect(r.stdout).toContain('keepwatch-agent run --config FILE');
  });

  it('the installed agent runs in a lab namespace, drives real nginx and becomes master of the VIP', async () => {
    const configPath = join(work(), 'agent.json');
    // One LB only (lb1), with the pool reduced to the one backend the lab has.
    lab = await startSingleLbLab(referenceSpec(), configPath);
    const logFile = join(work(), 'agent.log');
    // cwd outside the repository, the bare environment: module resolution can only find the bundle.
    agent = lab.spawn(
      'lb1',
      '/bin/sh',
      ['-c', 'cd "$1" && exec "$2" run --config "$3"', 'sh', work(), join(prefix, 'bin/keepwatch-agent'), configPath],
      { logFile, what: 'packaged keepwatch-agent', env: BARE_ENV },
    );
    await expectServingMaster(lab, agent.pid, () => readFileSync(logFile, 'utf8'), 'the packaged agent');
    // It is the installed bundle that runs (not the repository's dist/): /proc tells.
    const cmdline = readFileSync(`/proc/${agent.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain(join(prefix, 'lib/keepwatch-agent.mjs'));
  });

  it('without systemd, install.sh --start runs the agent under the supervisor, which restarts it after a crash and stops it on SIGTERM', async () => {
    // The agent started by hand above makes way (it gives its VIP up on SIGTERM).
    await lab!.stop(agent!.pid, { sig: 'SIGTERM', graceMs: 8000 });
    await lab!.waitForHolders(REF.vip, [], 10_000);
    const [top] = readdirSync(work()).filter((d) => d.startsWith('keepwatch-agent-'));
    const configPath = join(work(), 'agent.json');
    const r = await lab!.exec(
      'lb1',
      join(work(), top!, 'install.sh'),
      ['--prefix', prefix, '--config', configPath, '--no-systemd', '--start'],
      { timeoutMs: 30_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/keepwatch-agent: started \(supervised, pid \d+/);
    const pidFile = join(prefix, 'run/keepwatch-agent.pid');
    const supervisor = Number(readFileSync(pidFile, 'utf8').trim());
    lab!.track(supervisor, 'lb1:keepwatch-agent-supervise');
    // The supervisor's child that runs the bundle (not the `sleep 1` between restarts).
    const child = () => {
      const kids = readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
      return (
        kids.find((k) => {
          try {
            return readFileSync(`/proc/${k}/cmdline`, 'utf8').includes('keepwatch-agent.mjs');
          } catch {
            return false;
          }
        }) ?? 0
      );
    };
    let first = 0;
    await waitFor(() => ((first = child()) > 0 ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the supervised agent',
    });
    await lab!.waitForHolders(REF.vip, ['lb1'], 15_000);

    // A crash: the supervisor starts a new agent, which takes the VIP again.
    process.kill(first, 'SIGKILL');
    let second = 0;
    await waitFor(() => ((second = child()) > 0 && second !== first ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 100,
      what: 'the agent to be restarted',
    });
    expect(isAlive(supervisor)).toBe(true);
    // The killed agent's VIP is still on the interface: wait for the new agent itself to be master.
    const supLog = () => readFileSync(join(prefix, 'log/keepwatch-agent.log'), 'utf8');
    const tookVip = () =>
      supLog()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { pid: number; msg: string })
        .some((l) => l.pid === second && l.msg === 'vips added');
    await waitFor(() => (tookVip() ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 100,
      what: 'the restarted agent to add the VIP',
    });
    await lab!.waitForHolders(REF.vip, ['lb1'], 5000);
    expect(supLog()).toContain('agent exited with status 137; restarting');

    // SIGTERM to the supervisor: the agent stops gracefully (VIP released), the pid file goes.
    await lab!.stop(supervisor, { sig: 'SIGTERM', graceMs: 10_000 });
    expect(isAlive(second)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
    expect(supLog()).toMatch(/"stopping"[\s\S]*keepwatch-agent-supervise: \S+ stopped\n$/);
    expect(await lab!.holders(REF.vip)).toEqual([]);
  });
});
