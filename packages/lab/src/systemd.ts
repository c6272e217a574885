/**
 * A real systemd (Debian's 252) as PID 1 of a lab host, "systemd in a container" style
 * (STACK-NOTES): own PID, mount, UTS, IPC and cgroup namespaces and a cgroup2 subtree named by the
 * lab's run id, the network namespace of a lab host (eth0 on the lab bridge), and an overlay root
 * over the host's `/` whose writes land in a tmpfs — nothing reaches the host's files. Units go to
 * `/etc/systemd/system` (empty inside) or `/run/systemd/system`; the host's own units never start.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assetPath } from './assets.js';
import { cgroupPids, labCgroupPath, removeCgroup } from './cgroup.js';
import { run, type ExecResult } from './exec.js';
import { LAB_NICE, type Lab } from './lab.js';
import { recordCgroup } from './marker.js';
import { waitFor } from './poll.js';
import { isAlive, signal } from './proc.js';

export type SystemdOptions = {
  /** The lab host whose network namespace the container joins; also its hostname. */
  host: string;
  /**
   * Host folders bind-mounted read-write at the same path inside (the overlay hides the host's
   * /run and /tmp): e.g. `lab.dir`, so the lab's unix sockets (a dashboard bridge) are reachable.
   */
  binds?: string[];
  /** The unit systemd starts (default `keepwatch-lab.target`: system initialisation only). */
  target?: string;
  /** Bound on the boot, ms (default 30 000). */
  bootTimeoutMs?: number;
};

export type SystemdContainer = {
  host: string;
  /** systemd's PID as the host sees it (PID 1 inside). */
  pid1: number;
  /** The container's root as a host path (`/proc/PID1/root`): read files of the running container. */
  root: string;
  /** The cgroup2 subtree (host path) the container runs in. */
  cgroup: string;
  /** The console (systemd's boot and shutdown messages). */
  consoleLog: string;
  /** Runs a program inside every namespace of the container (`nsenter -t PID1 -a`), bounded. */
  exec(argv: readonly string[], opts?: { timeoutMs?: number; input?: string }): Promise<ExecResult>;
  /** `systemctl ARGS…` inside, bounded. */
  systemctl(...args: string[]): Promise<ExecResult>;
  /** `systemctl show -p …` parsed into a record. */
  show(unit: string, props: readonly string[]): Promise<Record<string, string>>;
  /** One unit's journal (`journalctl -u UNIT -o short-precise`), or the whole boot's without a unit. */
  journal(unit?: string): Promise<string>;
  /** Writes a file inside (parents created), into the overlay's tmpfs layer. */
  writeFile(path: string, content: string | Buffer, mode?: number): void;
  readFile(path: string): string;
  /** Clean power-off (SIGRTMIN+4 to PID 1), bounded; then SIGKILL; then removes the cgroup subtree. */
  poweroff(): Promise<{ cleanMs: number | null }>;
};

/** `systemd`'s clean power-off request: SIGRTMIN+4 (glibc's SIGRTMIN is 34 on Linux). */
const SIGRTMIN_PLUS_4 = 38;
const CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SAFE_PATH = /^\/[A-Za-z0-9._/@+-]*$/;

/** Boots systemd as a lab host; resolves once `systemctl is-system-running` says running (or degraded). */
export async function bootSystemd(lab: Lab, opts: SystemdOptions): Promise<SystemdContainer> {
  const h = lab.host(opts.host);
  const target = opts.target ?? 'keepwatch-lab.target';
  const binds = opts.binds ?? [];
  const script = assetPath('systemd-container.sh');
  // They go through `script -c`'s shell line: plain paths only.
  for (const p of [...binds, lab.dir, script])
    if (!SAFE_PATH.test(p))
      throw new Error(`systemd container: path ${JSON.stringify(p)} is not a plain absolute path`);
  if (!/^[A-Za-z0-9@._-]+$/.test(target)) throw new Error(`systemd container: target ${JSON.stringify(target)}`);
  const dir = join(lab.dir, 'systemd', h.name);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const cgName = `kw${lab.runId}-${h.name}`;
  const cgroup = labCgroupPath(cgName);
  recordCgroup(lab.runId, cgName); // recorded first, so a crash half-way is still swept
  mkdirSync(cgroup);
  const consoleLog = join(dir, 'console.log');
  const inner = [
    'nsenter',
    `--net=/run/netns/${h.ns}`,
    'unshare',
    '--fork',
    '--pid',
    '--mount',
    '--uts',
    '--ipc',
    '--cgroup',
    '--propagation',
    'private',
    script,
    dir,
    h.name,
    target,
    ...binds,
  ].join(' ');
  // The shell joins the subtree before anything forks, so the cgroup namespace's root is our subtree;
  // `script` gives PID 1 a pty that becomes /dev/console.
  const fd = openSync(join(dir, 'launcher.log'), 'a');
  let child;
  try {
    child = spawn(
      '/bin/sh',
      ['-c', `echo $$ > ${cgroup}/cgroup.procs && exec nice -n ${LAB_NICE} script -qfec "${inner}" ${consoleLog}`],
      {
        detached: true,
        stdio: ['ignore', fd, fd],
      },
    );
  } finally {
    closeSync(fd);
  }
  child.on('error', () => undefined);
  const launcher = child.pid;
  if (launcher === undefined) throw new Error('systemd container: could not start the launcher');
  lab.track(launcher, `${h.name}:systemd-launcher`, child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let pid1 = 0;
  let powered = false;
  const container: SystemdContainer = {
    host: h.name,
    get pid1() {
      return pid1;
    },
    get root() {
      return `/proc/${pid1}/root`;
    },
    cgroup,
    consoleLog,
    exec: (argv, o = {}) =>
      run('nsenter', ['-t', String(pid1), '-a', 'env', '-i', `PATH=${CONTAINER_PATH}`, 'LANG=C.UTF-8', ...argv], {
        timeoutMs: o.timeoutMs ?? 30_000,
        ...(o.input !== undefined ? { input: o.input } : {}),
      }),
    systemctl: (...args) => container.exec(['systemctl', '--no-pager', ...args]),
    async show(unit, props) {
      const r = await container.systemctl('show', unit, ...props.map((p) => `--property=${p}`));
      if (r.code !== 0) throw new Error(`systemctl show ${unit}: ${r.stderr.trim()}`);
      return Object.fromEntries(
        r.stdout
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
    },
    async journal(unit) {
      const r = await container.exec([
        'journalctl',
        '--no-pager',
        '-o',
        'short-precise',
        ...(unit ? ['-u', unit] : []),
      ]);
      return r.stdout;
    },
    writeFile(path, content, mode = 0o644) {
      const p = insidePath(pid1, path);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content, { mode });
    },
    readFile: (path) => readFileSync(insidePath(pid1, path), 'utf8'),
    async poweroff() {
      if (powered) return { cleanMs: null };
      powered = true;
      const t0 = Date.now();
      let cleanMs: number | null = null;
      if (pid1 > 0 && isAlive(pid1)) {
        signal(pid1, SIGRTMIN_PLUS_4 as unknown as NodeJS.Signals);
        const off = await waitFor(() => !isAlive(pid1), { timeoutMs: 15_000, what: 'systemd to power off' }).then(
          () => true,
          () => false,
        );
        cleanMs = off ? Date.now() - t0 : null;
        // PID 1's death ends every process of its PID namespace.
        if (cleanMs === null) signal(pid1, 'SIGKILL');
      }
      await Promise.race([exited, waitFor(() => !isAlive(launcher), { timeoutMs: 5000, what: 'launcher' })]).catch(() =>
        signal(launcher, 'SIGKILL'),
      );
      const empty = (ms: number) =>
        waitFor(() => cgroupPids(cgroup).length === 0, { timeoutMs: ms, what: `cgroup ${cgName} to empty` });
      // A boot that failed before PID 1 was known can leave its processes: all ours, killed by PID.
      if (
        !(await empty(5000).then(
          () => true,
          () => false,
        ))
      ) {
        for (const p of cgroupPids(cgroup)) signal(p, 'SIGKILL');
        await empty(3000);
      }
      if (!removeCgroup(cgName)) throw new Error(`systemd container: could not remove cgroup ${cgroup}`);
      return { cleanMs };
    },
  };
  lab.onTeardown(async () => {
    await container.poweroff();
  });

  try {
    pid1 = await waitFor(() => readPid1(dir, launcher), { timeoutMs: 10_000, what: 'the container PID 1' });
    lab.track(pid1, `${h.name}:systemd`);
    const deadline = opts.bootTimeoutMs ?? 30_000;
    let state = '';
    await waitFor(
      async () => {
        if (!isAlive(pid1)) throw new Error('systemd exited');
        state = (await container.systemctl('is-system-running')).stdout.trim();
        return state === 'running' || state === 'degraded';
      },
      { timeoutMs: deadline, intervalMs: 50, what: `systemd on ${h.name} to boot` },
    ).catch((e: Error) => {
      throw new Error(`${e.message} (state: ${state || 'unknown'}; console: ${tail(consoleLog)})`);
    });
  } catch (e) {
    await container.poweroff().catch(() => undefined);
    throw e;
  }
  return container;
}

/** The host path of `path` inside the container (through PID 1's root). */
function insidePath(pid1: number, path: string): string {
  if (!path.startsWith('/') || path.split('/').includes('..'))
    throw new Error(`container path ${JSON.stringify(path)}`);
  return `/proc/${pid1}/root${path}`;
}

/** PID 1's host PID, once the boot script has written it and it is PID 1 of its namespace. */
function readPid1(dir: string, launcher: number): number | undefined {
  if (!isAlive(launcher)) throw new Error(`the launcher exited: ${tail(join(dir, 'launcher.log'))}`);
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, 'pid1'), 'utf8').trim());
  } catch {
    return undefined;
  }
  try {
    const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.split(/\s+/);
    return nspid && nspid.length === 2 && nspid[1] === '1' ? pid : undefined;
  } catch {
    return undefined;
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-1500);
  } catch {
    return '(none)';
  }
}
