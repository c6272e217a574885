import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootSystemd,
  LabNginx,
  REF,
  referenceLab,
  startBackend,
  startProbe,
  summariseProbe,
  waitFor,
  type Lab,
  type SystemdContainer,
} from '@keepwatch/lab';
import { agentConfig, LabAgent, referenceSpec, throughVip } from '../support/agent-lab.js';
import { powerOff } from '../support/systemd-box.js';
import { capturedAdverts, captureVrrp } from '../support/vrrp-capture.js';
import { installAgent } from './install-agent.js';

/**
 * The shipped units (apps/agent/systemd) under a real systemd: lb1 of the reference lab is a
 * systemd container running keepwatch-agent.service with Debian's nginx.service; lb2 is a plain
 * lab agent as its peer. VRRPv2 at 1 s (keepalived's default), so a restart at once is well inside
 * the backup's Master_Down_Interval. The tests run in order on the same container.
 */
const UNIT = 'keepwatch-agent.service';
const UNIT_FILE = fileURLToPath(new URL('../../apps/agent/systemd/keepwatch-agent.service', import.meta.url));
const spec = referenceSpec({ version: 2, advertIntervalMs: 1000 });

describe('keepwatch-agent.service under systemd', () => {
  let lab: Lab;
  let box: SystemdContainer;
  let lb2: LabAgent;
  let capture: string;
  let workersBefore: string[];

  const show = (props: string[]) => box.show(UNIT, props);
  const journalLines = async (unit = UNIT) =>
    (await box.exec(['journalctl', '--no-pager', '-o', 'cat', '-u', unit])).stdout.split('\n');
  const agentLog = async () =>
    (await journalLines()).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  // nginx's workers: its cgroup's processes but the master (no procps needed inside).
  const nginxWorkers = async () => {
    const { MainPID } = await box.show('nginx.service', ['MainPID']);
    const procs = (await box.exec(['cat', '/sys/fs/cgroup/system.slice/nginx.service/cgroup.procs'])).stdout;
    return procs.split(/\s+/).filter((p) => p && p !== MainPID);
  };
  // A crash: SIGKILL to the unit's main PID from inside (the shell's kill: no procps needed).
  const crash = (pid: string | undefined) => box.exec(['sh', '-c', 'kill -KILL "$1"', 'sh', pid ?? '']);
  const adverts = () => capturedAdverts(capture);

  beforeAll(async () => {
    const t0 = Date.now();
    lab = await referenceLab();
    await startBackend(lab, 'web1', 'web1');
    await startBackend(lab, 'web2', 'web2');
    // VRRP on the wire, seen from the client's port of the segment.
    capture = await captureVrrp(lab);
    const boot = Date.now();
    box = await bootSystemd(lab, { host: 'lb1' });
    console.log(`systemd container booted in ${Date.now() - boot} ms`);
    const installed = await installAgent(box, { node: 'lb1', spec });
    console.log(`agent command in the container: ${installed.command} (${installed.source})`);
    // Debian's nginx as a host has it, minus its default site (the VIP's requests go to the pool).
    await box.exec(['rm', '-f', '/etc/nginx/sites-enabled/default']);
    const nginx = await box.systemctl('start', 'nginx.service');
    if (nginx.code !== 0) throw new Error(`nginx.service: ${nginx.stderr}\n${await box.journal('nginx.service')}`);
    workersBefore = await nginxWorkers();
    const lb2Nginx = new LabNginx(lab, 'lb2');
    lb2Nginx.configure('# replaced by the agent\n');
    await lb2Nginx.start();
    lb2 = new LabAgent(lab, 'lb2', { ...agentConfig(lab, lb2Nginx, spec), metrics: undefined });
    await lb2.start();
    console.log(`setup ${Date.now() - t0} ms`);
  }, 90_000);

  afterAll(async () => {
    await powerOff(box);
    await lab?.teardown();
  });

  it('is active only once the agent has sent READY=1 (Type=notify)', async () => {
    const seen: string[] = [];
    expect((await box.systemctl('start', '--no-block', UNIT)).code).toBe(0);
    await waitFor(
      async () => {
        const s = await show(['ActiveState', 'SubState']);
        const state = `${s.ActiveState}/${s.SubState}`;
        if (seen.at(-1) !== state) seen.push(state);
        return state === 'active/running' || s.ActiveState === 'failed';
      },
      { timeoutMs: 20_000, intervalMs: 5, what: `${UNIT} to become active` },
    );
    expect(seen.at(-1)).toBe('active/running');
    expect(seen).toContain('activating/start');
    const p = await box.systemctl(
      'show',
      UNIT,
      '--timestamp=us+utc',
      '-p',
      'Type',
      '-p',
      'ExecMainStartTimestamp',
      '-p',
      'ActiveEnterTimestamp',
    );
    const prop = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(p.stdout)?.[1] ?? '';
    const ms = (k: string) => Date.parse(prop(k).replace(/^\w+ /, '').replace(' UTC', 'Z').replace(' ', 'T'));
    expect(prop('Type')).toBe('notify');
    const started = (await agentLog()).find((l) => l.msg === 'agent started');
    expect(started).toBeDefined();
    const startedAt = Date.parse(String(started?.time));
    // exec → (agent starts, logs) → READY=1 → active: systemd entered "active" no earlier than the log line.
    expect(Math.floor(ms('ExecMainStartTimestamp'))).toBeLessThanOrEqual(startedAt);
    expect(Math.ceil(ms('ActiveEnterTimestamp'))).toBeGreaterThanOrEqual(startedAt);
    console.log(
      `exec → active ${(ms('ActiveEnterTimestamp') - ms('ExecMainStartTimestamp')).toFixed(1)} ms; states ${seen.join(' → ')}`,
    );
    await lab.waitForHolders(REF.vip, ['lb1'], 15_000);
  });

  it('writes its nginx config under the sandbox and reloads nginx', async () => {
    const { MainPID } = await show(['MainPID']);
    // The sandbox is in force: /etc is read-only for the agent, except nginx's conf.d.
    const probe = await box.exec(['nsenter', '-t', MainPID ?? '', '-m', 'touch', '/etc/keepwatch/probe']);
    expect(probe.stderr).toContain('Read-only file system');
    const conf = box.readFile('/etc/nginx/conf.d/keepwatch.conf');
    expect(conf).toContain(`${REF.web1}:80`);
    expect(conf).toContain(`${REF.web2}:80`);
    expect((await agentLog()).filter((l) => String(l.msg).startsWith('nginx config'))).toEqual([
      expect.objectContaining({ msg: 'nginx config', status: 'applied' }),
    ]);
    // A reload starts a new generation of workers under the same master.
    await waitFor(async () => (await nginxWorkers()).every((w) => !workersBefore.includes(w)), {
      timeoutMs: 5000,
      what: 'new nginx workers',
    });
    const bodies = await throughVip(lab, 4);
    expect(bodies.every((b) => b === 'web1' || b === 'web2')).toBe(true);
  });

  it('restarts at once after SIGKILL and keeps the VIP: the backup never takes over', async () => {
    const before = await show(['MainPID', 'NRestarts']);
    const lb2Before = lb2.lines().length;
    const probe = await startProbe(lab, 'client', `http://${REF.vip}/`, { rateHz: 100, maxDurationMs: 30_000 });
    const windowStart = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    expect((await crash(before.MainPID)).code).toBe(0);
    const after = await waitFor(
      async () => {
        const s = await show(['MainPID', 'NRestarts', 'ActiveState', 'SubState']);
        return s.NRestarts === String(Number(before.NRestarts) + 1) && s.ActiveState === 'active' ? s : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 10, what: 'the restarted agent to be active' },
    );
    expect(after.MainPID).not.toBe(before.MainPID);
    // Longer than lb2's Master_Down_Interval (3 s + skew): had lb1 stayed silent, lb2 would have taken over.
    await new Promise((r) => setTimeout(r, 4500));
    const s = summariseProbe(await probe.stop());
    const windowEnd = Date.now();
    expect(s.failed).toBe(0);
    expect(await lab.holders(REF.vip)).toEqual(['lb1']);
    const lb2Transitions = lb2
      .lines()
      .slice(lb2Before)
      .filter((l) => l.msg === 'vrrp transition');
    expect(lb2Transitions).toEqual([]);
    const inWindow = adverts().filter((a) => a.t >= windowStart - 50 && a.t <= windowEnd + 50);
    expect(inWindow.length).toBeGreaterThanOrEqual(4);
    expect(new Set(inWindow.map((a) => a.src))).toEqual(new Set([REF.lb1]));
    const gaps = inWindow.slice(1).map((a, i) => a.t - (inWindow[i]?.t ?? a.t));
    expect((await agentLog()).some((l) => l.msg === 'vrrp transition' && l.reason === 'warm-restart')).toBe(true);
    console.log(
      `SIGKILL → restarted (NRestarts ${before.NRestarts} → ${after.NRestarts}); ${s.total} requests, 0 failed; ` +
        `adverts in window ${inWindow.length}, longest gap ${Math.max(...gaps).toFixed(0)} ms`,
    );
  });

  it('gives up after StartLimitBurst crashes and OnFailure= removes the VIPs: the peer is the one holder', async () => {
    await box.systemctl('reset-failed', UNIT); // the burst counts from here
    let kills = 0;
    let last = '';
    const final = await waitFor(
      async () => {
        const s = await show(['MainPID', 'ActiveState', 'SubState', 'Result']);
        if (s.ActiveState === 'failed') return s;
        if (s.MainPID && s.MainPID !== '0' && s.MainPID !== last) {
          last = s.MainPID;
          await crash(s.MainPID);
          kills++;
        }
        return undefined;
      },
      { timeoutMs: 30_000, intervalMs: 10, what: `${UNIT} to fail for good` },
    );
    expect(final.ActiveState).toBe('failed');
    const journal = (await journalLines()).join('\n');
    expect(journal).toContain('Start request repeated too quickly');
    expect(journal).toContain('Triggering OnFailure= dependencies');
    await waitFor(
      async () =>
        (await box.show('keepwatch-agent-cleanup.service', ['ExecMainExitTimestampMonotonic']))
          .ExecMainExitTimestampMonotonic !== '0',
      { timeoutMs: 10_000, what: 'the cleanup to run' },
    );
    await lab.waitForHolders(REF.vip, ['lb2'], 15_000);
    const cleanup = await box.show('keepwatch-agent-cleanup.service', ['Result', 'ExecMainStatus']);
    expect(cleanup).toEqual({ Result: 'success', ExecMainStatus: '0' });
    const removed = (await journalLines('keepwatch-agent-cleanup.service'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'cleanup: VIPs removed');
    expect(removed?.vips).toEqual([REF.vip]);
    console.log(`failed for good (${final.Result}) after ${kills} kills; cleanup: ${JSON.stringify(cleanup)}`);
  });

  // Issue #15: the unit's capability set is the least that works. Each capability the unit keeps
  // is shown needed by a trial under this systemd: the operation the agent performs runs under the
  // unit's bounding set and fails when that one capability is taken out of it.
  const TRIALS: { cap: string; why: string; argv: string[] }[] = [
    {
      cap: 'CAP_NET_RAW',
      why: 'raw VRRP and AF_PACKET sockets (here: arping)',
      argv: ['arping', '-c', '1', '-w', '3', '-I', 'eth0', REF.lb2],
    },
    {
      cap: 'CAP_NET_ADMIN',
      why: 'adding and removing VIPs',
      argv: ['sh', '-c', 'ip addr add 203.0.113.251/32 dev lo && ip addr del 203.0.113.251/32 dev lo'],
    },
    { cap: 'CAP_NET_BIND_SERVICE', why: '`nginx -t` before every apply binds the listen ports', argv: ['nginx', '-t'] },
    {
      cap: 'CAP_DAC_OVERRIDE',
      why: "`nginx -t` opens Debian's error.log (www-data, 0640)",
      argv: [
        'sh',
        '-c',
        'install -m 0640 /dev/null /var/log/nginx/error.log.t && chown www-data:adm /var/log/nginx/error.log.t && nginx -t -g "error_log /var/log/nginx/error.log.t;"',
      ],
    },
    {
      cap: 'CAP_CHOWN',
      why: "`nginx -t` on a fresh host creates nginx's temp folders and gives them to www-data",
      argv: ['sh', '-c', 'rm -rf /var/lib/nginx/body && nginx -t'],
    },
    { cap: 'CAP_SETUID', why: 'script checks run as keepwatch-script', argv: ['setpriv', '--reuid', 'nobody', 'true'] },
    {
      cap: 'CAP_SETGID',
      why: 'script checks run as keepwatch-script',
      argv: ['setpriv', '--regid', 'nogroup', '--clear-groups', 'true'],
    },
    {
      cap: 'CAP_KILL',
      why: "a script check past its timeout is killed (another user's process)",
      argv: ['sh', '-c', 'setpriv --reuid nobody --regid nogroup --clear-groups sleep 5 & sleep 0.3; kill $!'],
    },
  ];
  const unitCaps = () =>
    (/^CapabilityBoundingSet=(.*)$/m.exec(readFileSync(UNIT_FILE, 'utf8'))?.[1] ?? '').trim().split(/\s+/).sort();
  /** Runs `argv` as a oneshot service of this systemd with `caps` as its bounding set; its exit code (0 or not). */
  let trial = 0;
  const runWith = async (caps: string[], argv: string[]) => {
    const name = `kw-cap-trial-${++trial}`;
    const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    box.writeFile(`/run/${name}.sh`, `#!/bin/sh\nexec ${quoted}\n`, 0o755);
    box.writeFile(
      `/run/systemd/system/${name}.service`,
      `[Service]\nType=oneshot\nCapabilityBoundingSet=${caps.join(' ')}\nExecStart=/run/${name}.sh\n`,
    );
    await box.systemctl('daemon-reload');
    const r = await box.systemctl('start', `${name}.service`);
    return { code: r.code, output: r.stderr + (await box.journal(`${name}.service`)) };
  };

  it('keeps exactly the capabilities a trial shows needed', () => {
    expect(unitCaps()).toEqual(TRIALS.map((t) => t.cap).sort());
  });

  it.each(TRIALS)('$cap: $why — works with the unit’s set, fails without it', async ({ cap, argv }) => {
    const all = unitCaps();
    const withIt = await runWith(all, argv);
    expect(withIt.code, withIt.output).toBe(0);
    const without = await runWith(
      all.filter((c) => c !== cap),
      argv,
    );
    expect(without.code, `${cap} removed, still works: ${without.output}`).not.toBe(0);
  });
});
