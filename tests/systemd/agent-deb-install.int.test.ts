import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootSystemd, forwardToLabHost, REF, waitFor, type LabForward, type SystemdContainer } from '@keepwatch/lab';
import type { ClusterSpecInput } from '@keepwatch/shared';
import { packageAgent } from '../product/package-agent.js';
import { importCluster, lb1AndClientLab, startDashboardLab, type DashboardLab } from '../support/dashboard-lab.js';
import type { TrpcHttp } from '../support/trpc-http.js';
import { powerOff } from '../support/systemd-box.js';
import { hostUntouched, NOT_OURS, WATCHED } from '../support/package-footprint.js';
import { capturedAdverts, captureVrrp } from '../support/vrrp-capture.js';
import { AGENT_VERSION as VERSION, REPO } from '../support/repo.js';
import { workFolder } from '../support/work-folder.js';

const exec = promisify(execFile);
const UNIT = 'keepwatch-agent.service';
/** One LB, VRRP only (no pools: nginx is left alone), VRRPv3 at 1 s so a warm restart fits. */
const SPEC: ClusterSpecInput = {
  name: 'deblab',
  nodes: [{ name: 'lb1', addresses: [REF.lb1], interfaces: ['eth0'] }],
  vrrpInstances: [
    {
      name: 'VI_1',
      vrid: 51,
      version: 3,
      interface: 'eth0',
      advertIntervalMs: 1000,
      members: [{ node: 'lb1', priority: 100, initialState: 'master' }],
      vips: [{ address: REF.vip }],
    },
  ],
};

/**
 * The .deb's life cycle on a host, inside the lab's systemd container (a real systemd as PID 1
 * over an overlay root: dpkg's database is the host's, every write lands in the container's tmpfs,
 * so the real maintainer scripts run and the host is untouched): `apt-get install ./…deb` →
 * `keepwatch-agent --version` → enrollment with a one-time token against a dashboard in the lab →
 * master → upgrade to a newer package of the same executable (a warm restart: the VIP stays, on
 * the wire and on the interface) → `apt-get purge` leaves no file, user or unit behind. The
 * container has no /usr/sbin/policy-rc.d (removed inside: container images ship one, hosts do
 * not), so the scripts start and stop services as on a host. Then the .rpm's scriptlets go
 * through the same life cycle with Debian's rpm (no RHEL image can be had here: this runs the
 * scriptlets under a real systemd, not on a RHEL userland). Last, the dashboard's SSH bootstrap
 * installs the .deb there (dpkg and systemd seen over SSH) and the node comes online. The tests
 * run in order.
 */
describe('the agent .deb under systemd', () => {
  const work = workFolder('keepwatch-deb-');
  let env: DashboardLab | undefined;
  let box: SystemdContainer | undefined;
  let forward: LabForward | undefined;
  let api: TrpcHttp;
  let nodeId = '';
  let capture = '';
  let [debV1, debV2, rpmV1, rpmV2] = ['', '', '', ''];
  let filesBefore: string[] = [];
  let packageFiles: string[] = [];

  const inBox = async (argv: string[], timeoutMs = 120_000) => {
    const r = await box!.exec(argv, { timeoutMs });
    if (r.code !== 0) throw new Error(`${argv.join(' ')} (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const apt = (...args: string[]) =>
    inBox(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-y', ...args], 300_000);
  const fileList = async () =>
    (await inBox(['find', ...WATCHED, '-xdev'])).split('\n').filter((p) => p && !NOT_OURS.test(p));
  const adverts = () => capturedAdverts(capture);
  const agentLog = async () =>
    (await inBox(['journalctl', '--no-pager', '-o', 'cat', '-u', UNIT]))
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  /**
   * The README's enrollment after the install: `keepwatch-agent enroll` with a fresh one-time
   * token writes /etc/keepwatch/agent.json, `systemctl start` starts the unit; resolves with the
   * milliseconds from the start until lb1 is master.
   */
  const enroll = async () => {
    const { token } = await api.mutate<{ token: string }>('nodes.issueEnrollToken', { id: nodeId });
    const server = `ws+unix://${env!.lab.unixSocketPath('hub')}:/agent`;
    await inBox(['keepwatch-agent', 'enroll', '--server', server, '--node', 'lb1', '--token', token]);
    expect(JSON.parse(box!.readFile('/etc/keepwatch/agent.json'))).toMatchObject({
      node: 'lb1',
      controlPlane: { url: server, enrollToken: token },
    });
    const t = Date.now();
    expect((await box!.systemctl('start', UNIT)).code).toBe(0);
    await env!.lab.waitForHolders(REF.vip, ['lb1'], 30_000);
    return Date.now() - t;
  };
  const warmRestarts = async () =>
    (await agentLog()).filter((l) => l.msg === 'vrrp transition' && l.reason === 'warm-restart').length;
  /**
   * Runs an upgrade while eth0 is polled from the host side (any moment without the VIP counts)
   * and the wire is captured; what a warm restart must show is checked by the caller.
   */
  const underWatch = async (upgrade: () => Promise<string>) => {
    const before = await box!.show(UNIT, ['MainPID', 'NRestarts']);
    const warmBefore = await warmRestarts();
    const windowStart = Date.now();
    let polls = 0;
    let missing = 0;
    let upgrading = true;
    const poller = (async () => {
      while (upgrading && polls < 20_000) {
        polls++;
        if (!(await env!.lab.holds('lb1', REF.vip))) missing++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const out = await upgrade().finally(async () => {
      // Past the restart and longer than a Master_Down_Interval (3 s + skew) at 1 s adverts.
      await new Promise((r) => setTimeout(r, 4000));
      upgrading = false;
      await poller;
    });
    const windowEnd = Date.now();
    const inWindow = adverts().filter((a) => a.t >= windowStart - 50 && a.t <= windowEnd + 50);
    const gaps = inWindow.slice(1).map((a, i) => a.t - inWindow[i]!.t);
    const after = await box!.show(UNIT, ['MainPID', 'NRestarts', 'ActiveState']);
    const summary = `${polls} polls of eth0, VIP missing in ${missing}; adverts ${inWindow.length}, longest gap ${Math.max(...gaps).toFixed(0)} ms`;
    return { out, before, after, missing, inWindow, warm: (await warmRestarts()) - warmBefore, summary };
  };
  const expectWarm = async (w: Awaited<ReturnType<typeof underWatch>>) => {
    expect(w.out).toContain('warm restart onto the new executable');
    expect(w.after.ActiveState).toBe('active');
    expect(w.after.MainPID).not.toBe(w.before.MainPID);
    expect(Number(w.after.NRestarts)).toBe(Number(w.before.NRestarts) + 1);
    expect(w.missing).toBe(0);
    expect(await env!.lab.holders(REF.vip)).toEqual(['lb1']);
    expect(w.inWindow.length).toBeGreaterThanOrEqual(3);
    expect(w.inWindow.filter((a) => a.prio === 0)).toEqual([]);
    expect(new Set(w.inWindow.map((a) => a.src))).toEqual(new Set([REF.lb1]));
    expect(w.warm).toBe(1);
  };
  /** After removal: nothing of the package's left in the watched folders, the user databases or systemd. */
  const expectNothingLeft = async () => {
    const now = await fileList();
    expect(now.filter((p) => !filesBefore.includes(p))).toEqual([]);
    expect(filesBefore.filter((p) => !now.includes(p))).toEqual([]);
    for (const db of ['/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow'])
      expect(box!.readFile(db), db).not.toContain('keepwatch-script');
    const units = await box!.systemctl('list-unit-files', '--no-legend', 'keepwatch-agent*');
    expect(units.stdout.trim()).toBe('');
    expect((await box!.systemctl('show', UNIT, '-p', 'LoadState')).stdout.trim()).toBe('LoadState=not-found');
    await hostUntouched();
  };

  beforeAll(async () => {
    const t0 = Date.now();
    await packageAgent(600_000);
    // The newer build: the same executable, the package's revision bumped. Each xz's 120 MiB on one
    // core (~10 s, niced as packageAgent is): both run while the lab, dashboard and container start.
    const build = (kind: string, flag: string) =>
      exec('nice', ['node', join(REPO, `scripts/package-agent/${kind}.mjs`), flag, '2', '--out', work()], {
        cwd: REPO,
      });
    const newer = Promise.all([build('deb', '--revision'), build('rpm', '--release')]);
    newer.catch(() => undefined); // awaited below; a failure surfaces there

    env = await startDashboardLab({}, lb1AndClientLab);
    const { lab } = env;
    capture = await captureVrrp(lab);
    // The lab's folder is shared with the container: the packages and the dashboard's socket.
    box = await bootSystemd(lab, { host: 'lb1', binds: [lab.dir] });
    const [v2, r2] = await newer;
    debV2 = v2.stdout.trim().split('\n').at(-1)!;
    rpmV2 = r2.stdout.trim().split('\n').at(-1)!;
    console.log(`packages and lab ready in ${Date.now() - t0} ms`);
    debV1 = join(lab.dir, `keepwatch-agent_${VERSION}-1_amd64.deb`);
    copyFileSync(join(REPO, `dist/keepwatch-agent_${VERSION}-1_amd64.deb`), debV1);
    // Copied into the lab's folder, which the container sees.
    const share = (path: string) => {
      const to = join(env!.lab.dir, path.split('/').at(-1)!);
      copyFileSync(path, to);
      return to;
    };
    debV2 = share(debV2);
    rpmV1 = share(join(REPO, `dist/keepwatch-agent-${VERSION}-1.x86_64.rpm`));
    rpmV2 = share(rpmV2);
    await inBox(['rm', '-f', '/usr/sbin/policy-rc.d']);

    api = env.api;
    nodeId = (await importCluster(api, SPEC)).nodeIds.lb1!;
    filesBefore = await fileList();
    console.log(`setup ${Date.now() - t0} ms`);
  }, 900_000);

  afterAll(async () => {
    await powerOff(box);
    await forward?.close();
    await env?.stop();
  });

  it('apt-get installs the package in the container only; it enables the unit but starts no agent without a config', async () => {
    const t = Date.now();
    const out = await apt('install', debV1);
    console.log(`apt-get install: ${Date.now() - t} ms`);
    expect(out).toContain('not started: no /etc/keepwatch/agent.json yet');
    expect(await inBox(['dpkg-query', '-W', '-f', '${Status} ${Version}', 'keepwatch-agent'])).toBe(
      `install ok installed ${VERSION}-1`,
    );
    expect((await box!.systemctl('is-enabled', UNIT)).stdout.trim()).toBe('enabled');
    expect(await box!.show(UNIT, ['ActiveState', 'NRestarts'])).toEqual({ ActiveState: 'inactive', NRestarts: '0' });
    const user = (await inBox(['getent', 'passwd', 'keepwatch-script'])).trim().split(':');
    expect(Number(user[2])).toBeLessThan(1000);
    expect(user[6]).toBe('/usr/sbin/nologin');
    packageFiles = (await inBox(['dpkg', '-L', 'keepwatch-agent'])).split('\n').filter((p) => p.includes('keepwatch'));
    expect(packageFiles).toContain('/usr/bin/keepwatch-agent');
    await hostUntouched();
  });

  it('keepwatch-agent --version answers with the package version', async () => {
    expect((await inBox(['keepwatch-agent', '--version'])).trim()).toBe(`keepwatch-agent ${VERSION}`);
  });

  it('enrolled with a one-time token, the agent started by systemd reaches the dashboard and becomes master', async () => {
    console.log(`start → master ${await enroll()} ms`);
    await waitFor(
      async () => {
        const nodes = await api.query<{ id: string; enrolled: boolean }[]>('nodes.list', {
          clusterId: (await api.query<{ id: string }[]>('clusters.list', undefined))[0]!.id,
        });
        return nodes.find((n) => n.id === nodeId)?.enrolled;
      },
      { timeoutMs: 15_000, what: 'the node to be enrolled' },
    );
  });

  it('an upgrade is one warm restart onto the new package: the VIP never leaves lb1 and no priority-0 advert is sent', async () => {
    const w = await underWatch(() => apt('install', debV2));
    await expectWarm(w);
    expect(await inBox(['dpkg-query', '-W', '-f', '${Version}', 'keepwatch-agent'])).toBe(`${VERSION}-2`);
    // The enrollment survived the upgrade: the config is not a package file and was left alone.
    expect(box!.readFile('/etc/keepwatch/agent.json')).toContain('"node": "lb1"');
    console.log(`deb upgrade: ${w.summary}`);
  });

  it('apt-get purge stops the agent and leaves no file, user or unit behind', async () => {
    const t = Date.now();
    await apt('purge', 'keepwatch-agent');
    console.log(`apt-get purge: ${Date.now() - t} ms`);
    await env!.lab.waitForHolders(REF.vip, [], 10_000);
    expect(await inBox(['dpkg-query', '-W', '-f', '${db:Status-Status}', 'keepwatch-agent']).catch(() => '')).not.toBe(
      'installed',
    );
    const leftovers = (
      await inBox(['sh', '-c', 'for p in "$@"; do [ -e "$p" ] && echo "$p"; done; true', 'sh', ...packageFiles])
    )
      .split('\n')
      .filter(Boolean);
    expect(leftovers).toEqual([]);
    await expectNothingLeft();
  });

  it("the .rpm's scriptlets under the same systemd (Debian's rpm, library dependencies not checked): enabled and not started without a config, started with one, an upgrade is one warm restart", async () => {
    const rpm = (...args: string[]) => inBox(['rpm', '--nodeps', ...args], 300_000);
    const installed = await rpm('-i', rpmV1);
    expect(installed).toContain('not started: no /etc/keepwatch/agent.json yet');
    expect((await box!.systemctl('is-enabled', UNIT)).stdout.trim()).toBe('enabled');
    expect((await box!.show(UNIT, ['ActiveState'])).ActiveState).toBe('inactive');
    expect((await inBox(['getent', 'passwd', 'keepwatch-script'])).split(':')[6]?.trim()).toBe('/sbin/nologin');
    console.log(`rpm: start → master ${await enroll()} ms`);
    const w = await underWatch(() => rpm('-U', rpmV2));
    await expectWarm(w);
    expect(await inBox(['rpm', '-q', '--qf', '%{VERSION}-%{RELEASE}', 'keepwatch-agent'])).toBe(`${VERSION}-2`);
    console.log(`rpm upgrade: ${w.summary}`);
  });

  it('rpm -e stops the agent and leaves no file, user or unit behind', async () => {
    await inBox(['rpm', '--nodeps', '-e', 'keepwatch-agent'], 300_000);
    await env!.lab.waitForHolders(REF.vip, [], 10_000);
    await expectNothingLeft();
  });
  it('SSH bootstrap installs the .deb on a host with dpkg and systemd, and the node comes online as master', async () => {
    // An sshd of the test's own inside the container (a systemd-run unit; its config, host key and
    // the authorized key in the lab's folder, shared with the container): a login is a shell there.
    const dir = join(env!.lab.host('lb1').dir, 'sshd-in-box');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id_ed25519')]);
    await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
    copyFileSync(join(dir, 'id_ed25519.pub'), join(dir, 'authorized_keys'));
    const config = [
      'Port 22',
      'ListenAddress 0.0.0.0',
      `HostKey ${dir}/host_key`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'sshd_config'), config, { mode: 0o600 });
    await inBox([
      'systemd-run',
      '--unit=kw-test-sshd',
      '-p',
      'RuntimeDirectory=sshd',
      '/usr/sbin/sshd',
      '-D',
      '-e',
      '-f',
      join(dir, 'sshd_config'),
    ]);
    forward = await forwardToLabHost(env!.lab, 'lb1', 22);
    const fingerprint = (
      await exec('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'host_key.pub')])
    ).stdout.split(' ')[1]!;
    await waitFor(async () => (await box!.show('kw-test-sshd.service', ['ActiveState'])).ActiveState === 'active', {
      timeoutMs: 10_000,
      what: 'sshd in the container',
    });

    const t = Date.now();
    const { jobId } = await api.mutate<{ jobId: string }>('bootstrap.start', {
      nodeId,
      target: { host: '127.0.0.1', port: forward.port, username: 'root' },
      auth: { kind: 'key', privateKey: readFileSync(join(dir, 'id_ed25519'), 'utf8') },
      confirmedFingerprint: fingerprint,
      serverUrl: `ws+unix://${env!.lab.unixSocketPath('hub')}:/agent`,
    });
    type JobView = { state: string; lines: { level: string; text: string }[] };
    const job = await waitFor(
      async () => {
        const j = await api.query<JobView>('bootstrap.job', { jobId });
        return j.state !== 'running' ? j : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500, what: 'the bootstrap job to finish' },
    );
    const text = job.lines.map((l) => `${l.level}: ${l.text}`).join('\n');
    console.log(`ssh bootstrap with the .deb: ${Date.now() - t} ms`);
    expect(job.state, text).toBe('succeeded');
    expect(text).toContain('installing the .deb package: the host has dpkg and runs systemd');
    expect(text).toContain(`copying the agent package (keepwatch-agent_${VERSION}-1_amd64.deb)`);
    expect(job.lines.at(-1)!.text).toMatch(/^node lb1 is online: enrolled/);
    expect(await inBox(['dpkg-query', '-W', '-f', '${Status}', 'keepwatch-agent'])).toBe('install ok installed');
    expect((await box!.show(UNIT, ['ActiveState'])).ActiveState).toBe('active');
    await env!.lab.waitForHolders(REF.vip, ['lb1'], 15_000);
    await hostUntouched();
  });
});
