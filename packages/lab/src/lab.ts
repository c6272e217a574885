import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runOk, type ExecResult } from './exec.js';
import {
  LAB_ROOT,
  readMarker,
  recordNamespace,
  recordPid,
  removeRunDir,
  runDir,
  writeOwner,
  type ProcRecord,
} from './marker.js';
import { isAlive, procStartTime, signal } from './proc.js';
import { waitFor } from './poll.js';
import { sweepDeadRuns, killNamespaceProcesses, removeRunCgroups } from './sweep.js';

/** One host of the lab: a network namespace with `eth0` on the lab's bridge. */
export type HostSpec = {
  /** Short name (letters, digits, at most 8 characters): it is part of the namespace name. */
  name: string;
  /** IPv4 addresses with prefix, from RFC 5737 (e.g. `198.51.100.11/24`). */
  ipv4?: string[];
  /** IPv6 addresses with prefix, from 2001:db8::/32 (added with `nodad`). */
  ipv6?: string[];
};

export type LabOptions = {
  hosts: HostSpec[];
  /** Tag recorded in the run marker so a test run's global teardown can find its labs. */
  group?: string;
};

export type Host = {
  name: string;
  /** The network namespace's name: `kw<runId>-<name>`. */
  ns: string;
  /** The interface on the lab segment inside the namespace. */
  iface: string;
  /** A folder of this host's own (configs, pid files, logs). */
  dir: string;
  ipv4: string[];
  ipv6: string[];
};

export type Spawned = {
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** What a lab host runs goes first, as on an LB host: beside a Chromium, a VRRP speaker at 0.1 s
 * adverts that waits 300 ms for a core moves a VIP (integration files run two at a time). */
export const LAB_NICE = -10;
const HOST_NAME = /^[a-z][a-z0-9]{0,7}$/;
const RFC5737 = /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}\/\d{1,2}$/;
const DOC_V6 = /^2001:0?db8:[0-9a-f:]*\/\d{1,3}$/i;

/**
 * A multi-host topology in network namespaces, for tests, benchmarks and the demo: one bridge in
 * a namespace of its own, and one namespace per host joined to it by a veth pair. Addresses are
 * RFC 5737 IPv4 and 2001:db8::/32 IPv6 only. Everything the run makes carries its run id and is
 * recorded in its marker; {@link Lab.teardown} removes exactly that, killing processes by PID.
 */
export class Lab {
  readonly runId: string;
  readonly dir: string;
  readonly switchNs: string;
  readonly hosts: ReadonlyMap<string, Host>;
  private readonly procs: (ProcRecord & { child?: ChildProcess })[] = [];
  private readonly teardownHooks: (() => Promise<void>)[] = [];
  private tornDown = false;

  private constructor(runId: string, hosts: Map<string, Host>) {
    this.runId = runId;
    this.dir = runDir(runId);
    this.switchNs = `kw${runId}-sw`;
    this.hosts = hosts;
  }

  /** Builds the topology. On any failure it removes what it made and rethrows. */
  static async create(opts: LabOptions): Promise<Lab> {
    await sweepDeadRuns();
    for (const h of opts.hosts) {
      if (!HOST_NAME.test(h.name))
        throw new Error(`lab host name ${JSON.stringify(h.name)}: lower-case letters and digits, at most 8`);
      for (const a of h.ipv4 ?? [])
        if (!RFC5737.test(a)) throw new Error(`lab host ${h.name}: ${a} is not an RFC 5737 address with prefix`);
      for (const a of h.ipv6 ?? [])
        if (!DOC_V6.test(a)) throw new Error(`lab host ${h.name}: ${a} is not a 2001:db8::/32 address with prefix`);
    }
    const runId = randomBytes(2).toString('hex');
    const group = opts.group ?? process.env.KEEPWATCH_LAB_GROUP ?? null;
    mkdirSync(LAB_ROOT, { recursive: true, mode: 0o755 });
    writeOwner(runId, group);
    const hosts = new Map<string, Host>();
    for (const h of opts.hosts) {
      const dir = join(runDir(runId), 'hosts', h.name);
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      hosts.set(h.name, {
        name: h.name,
        ns: `kw${runId}-${h.name}`,
        iface: 'eth0',
        dir,
        ipv4: h.ipv4 ?? [],
        ipv6: h.ipv6 ?? [],
      });
    }
    const lab = new Lab(runId, hosts);
    try {
      await lab.build();
    } catch (e) {
      await lab.teardown().catch(() => undefined);
      throw e;
    }
    return lab;
  }

  private async addNs(ns: string): Promise<void> {
    recordNamespace(this.runId, ns); // recorded first, so a crash half-way is still swept
    await runOk('ip', ['netns', 'add', ns]);
    await runOk('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    // No duplicate address detection in the lab: link-local and VIP addresses are usable at once.
    await runOk('ip', [
      'netns',
      'exec',
      ns,
      'sysctl',
      '-q',
      '-w',
      'net.ipv6.conf.all.accept_dad=0',
      'net.ipv6.conf.default.accept_dad=0',
    ]);
  }

  private async build(): Promise<void> {
    const sw = this.switchNs;
    const br = `kw${this.runId}br`;
    await this.addNs(sw);
    // Multicast snooping off, so 224.0.0.18 and ff02::12 reach every port (STACK-NOTES).
    await runOk('ip', ['-n', sw, 'link', 'add', br, 'type', 'bridge', 'mcast_snooping', '0']);
    await runOk('ip', ['-n', sw, 'link', 'set', br, 'up']);
    let i = 0;
    for (const h of this.hosts.values()) {
      const port = `kw${this.runId}p${i++}`;
      await this.addNs(h.ns);
      await runOk('ip', ['-n', sw, 'link', 'add', port, 'type', 'veth', 'peer', 'name', h.iface, 'netns', h.ns]);
      await runOk('ip', ['-n', sw, 'link', 'set', port, 'master', br, 'up']);
      for (const a of h.ipv4) await runOk('ip', ['-n', h.ns, 'addr', 'add', a, 'dev', h.iface]);
      for (const a of h.ipv6) await runOk('ip', ['-n', h.ns, 'addr', 'add', a, 'dev', h.iface, 'nodad']);
      await runOk('ip', ['-n', h.ns, 'link', 'set', h.iface, 'up']);
    }
  }

  /** The host named `name`; throws if the lab has none. */
  host(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`lab has no host ${name}`);
    return h;
  }

  /** Runs a program inside a host's namespace and waits for it (bounded). */
  exec(
    host: string,
    cmd: string,
    args: readonly string[] = [],
    opts: { timeoutMs?: number; input?: string } = {},
  ): Promise<ExecResult> {
    return run('ip', ['netns', 'exec', this.host(host).ns, cmd, ...args], opts);
  }

  /**
   * Starts a long-running program inside a host's namespace, in its own process group, with
   * stdout and stderr appended to `logFile`. The PID is recorded for teardown and sweeps.
   * (`ip netns exec` and `nice` exec the program, so the PID is the program's own.) It runs at
   * {@link LAB_NICE}, as an LB host gives its VRRP speaker and nginx the CPU first.
   */
  spawn(
    host: string,
    cmd: string,
    args: readonly string[],
    opts: { logFile: string; what: string; env?: NodeJS.ProcessEnv },
  ): Spawned {
    const h = this.host(host);
    const fd = openSync(opts.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn('ip', ['netns', 'exec', h.ns, 'nice', '-n', String(LAB_NICE), cmd, ...args], {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: opts.env ?? process.env,
      });
    } finally {
      closeSync(fd);
    }
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${cmd} in ${h.ns}`);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, sig) => resolve({ code, signal: sig }));
    });
    child.on('error', () => undefined);
    this.track(pid, `${host}:${opts.what}`, child);
    return { pid, child, exited };
  }

  /** Records a process this run started indirectly (e.g. a daemon's master from its pid file). */
  track(pid: number, what: string, child?: ChildProcess): void {
    const startTime = procStartTime(pid) ?? '0';
    const rec = { pid, startTime, what, child };
    this.procs.push(rec);
    recordPid(this.runId, { pid, startTime, what });
  }

  /** Runs `hook` first in {@link teardown} (latest first), e.g. a systemd container's clean power-off. */
  onTeardown(hook: () => Promise<void>): void {
    this.teardownHooks.push(hook);
  }

  /** Sends a signal to a process this lab started (by PID, never by name). */
  signal(pid: number, sig: NodeJS.Signals): boolean {
    const rec = this.procs.find((p) => p.pid === pid);
    if (!rec) throw new Error(`pid ${pid} was not started by this lab`);
    if (!isAlive(pid, rec.startTime === '0' ? undefined : rec.startTime)) return false;
    return signal(pid, sig);
  }

  /** Stops a process: `sig` (default SIGTERM), then SIGKILL after `graceMs`; waits until it is gone. */
  async stop(pid: number, opts: { sig?: NodeJS.Signals; graceMs?: number } = {}): Promise<void> {
    this.signal(pid, opts.sig ?? 'SIGTERM');
    try {
      await waitFor(() => !isAlive(pid), { timeoutMs: opts.graceMs ?? 3000, what: `pid ${pid} to exit` });
    } catch {
      signal(pid, 'SIGKILL');
      await waitFor(() => !isAlive(pid), { timeoutMs: 3000, what: `pid ${pid} to die after SIGKILL` });
    }
  }

  /** Names of the hosts whose interfaces hold `address` (as `ip -n NS addr` shows it). */
  async holders(address: string): Promise<string[]> {
    const out: string[] = [];
    for (const h of this.hosts.values()) {
      const r = await run('ip', ['-n', h.ns, '-o', 'addr', 'show']);
      if (r.stdout.split('\n').some((l) => l.split(/\s+/).some((w) => w.split('/')[0] === address))) out.push(h.name);
    }
    return out;
  }

  /** Whether one host holds `address` now (cheaper than {@link holders} for a tight poll). */
  async holds(host: string, address: string): Promise<boolean> {
    const r = await run('ip', ['-n', this.host(host).ns, '-o', 'addr', 'show']);
    return r.stdout.split('\n').some((l) => l.split(/\s+/).some((w) => w.split('/')[0] === address));
  }

  /** Waits until exactly the given hosts hold `address`. */
  async waitForHolders(address: string, expected: string[], timeoutMs: number): Promise<void> {
    const want = [...expected].sort().join(',');
    let last = '';
    await waitFor(
      async () => {
        last = (await this.holders(address)).sort().join(',');
        return last === want;
      },
      { timeoutMs, intervalMs: 25, what: `${address} held by [${want}]` },
    ).catch((e: Error) => {
      throw new Error(`${e.message} (last seen: [${last}])`);
    });
  }

  /** Sets a host's lab interface down or up (from inside its namespace). */
  async setLink(host: string, state: 'up' | 'down'): Promise<void> {
    const h = this.host(host);
    await runOk('ip', ['-n', h.ns, 'link', 'set', h.iface, state]);
  }

  /** The MAC address of a host's lab interface. */
  async mac(host: string): Promise<string> {
    const h = this.host(host);
    const out = await runOk('ip', ['-n', h.ns, '-o', 'link', 'show', h.iface]);
    const m = /link\/ether ([0-9a-f:]{17})/.exec(out);
    if (!m?.[1]) throw new Error(`no MAC for ${h.ns}/${h.iface}`);
    return m[1];
  }

  /** The MAC that `host`'s neighbour table has for `address`, or null (`ip neigh`). */
  async neighbour(host: string, address: string): Promise<string | null> {
    const h = this.host(host);
    const out = await runOk('ip', ['-n', h.ns, 'neigh', 'show', 'to', address]);
    return /lladdr ([0-9a-f:]{17})/.exec(out)?.[1] ?? null;
  }

  /**
   * One HTTP GET from inside a host (curl, a new connection), bounded by `timeoutMs`.
   * Resolves with the body on a 2xx answer and null otherwise.
   */
  async httpGet(host: string, url: string, timeoutMs = 2000): Promise<string | null> {
    const r = await this.exec(host, 'curl', ['-sS', '--fail', '--noproxy', '*', '-m', String(timeoutMs / 1000), url], {
      timeoutMs: timeoutMs + 2000,
    });
    return r.code === 0 ? r.stdout : null;
  }

  /**
   * A path for a unix socket in this run's folder. The filesystem is shared by every namespace,
   * so a server in the root namespace listening here is reachable from every lab host
   * (`ws+unix://PATH` for WebSocket clients).
   */
  unixSocketPath(name: string): string {
    if (!/^[a-z0-9-]{1,32}$/.test(name)) throw new Error(`socket name ${JSON.stringify(name)}`);
    return join(this.dir, `${name}.sock`);
  }

  /** Writes a file into a host's folder and returns its path. */
  writeFile(host: string, name: string, content: string, mode = 0o644): string {
    const p = join(this.host(host).dir, name);
    writeFileSync(p, content, { mode });
    return p;
  }

  /**
   * Removes everything this run made: stops its processes (SIGTERM, then SIGKILL, by PID), kills
   * whatever still runs inside its namespaces, deletes the namespaces (which removes their links)
   * and its folder. Idempotent.
   */
  async teardown(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    for (const hook of [...this.teardownHooks].reverse()) await hook().catch(() => undefined);
    for (const p of [...this.procs].reverse()) {
      if (isAlive(p.pid, p.startTime === '0' ? undefined : p.startTime)) signal(p.pid, 'SIGTERM');
    }
    try {
      await waitFor(() => this.procs.every((p) => !isAlive(p.pid, p.startTime === '0' ? undefined : p.startTime)), {
        timeoutMs: 2000,
        what: 'lab processes to exit',
      });
    } catch {
      for (const p of this.procs)
        if (isAlive(p.pid, p.startTime === '0' ? undefined : p.startTime)) signal(p.pid, 'SIGKILL');
    }
    const namespaces = [...[...this.hosts.values()].map((h) => h.ns), this.switchNs];
    for (const ns of namespaces) await killNamespaceProcesses(ns);
    for (const ns of namespaces) await run('ip', ['netns', 'del', ns]);
    const marker = readMarker(this.runId);
    if (marker) await removeRunCgroups(marker);
    removeRunDir(this.runId);
  }
}
