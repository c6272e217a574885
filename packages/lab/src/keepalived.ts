import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab, Spawned } from './lab.js';
import { isAlive, signal } from './proc.js';
import { waitFor } from './poll.js';

/**
 * Real keepalived on one lab host: its own config, pid files (`-p`, `-r`) and a log file
 * (console logging, `-l -D`), VRRP subsystem only (`-P`), not forking (`-n`), so several
 * instances coexist on one machine (STACK-NOTES).
 */
export class LabKeepalived {
  readonly confPath: string;
  readonly pidPath: string;
  readonly vrrpPidPath: string;
  readonly logPath: string;
  private proc: Spawned | null = null;

  constructor(
    private readonly lab: Lab,
    readonly host: string,
    readonly name = 'keepalived',
    /**
     * The binary: Debian's keepalived 2.2.7 unless told. keepalived24() builds 2.4.3 without LVS,
     * which has no `-P` (VRRP is its only subsystem).
     */
    readonly binary: { path: string; vrrpOnlyBuild: boolean } = { path: 'keepalived', vrrpOnlyBuild: false },
  ) {
    const dir = lab.host(host).dir;
    this.confPath = join(dir, `${name}.conf`);
    this.pidPath = join(dir, `${name}.pid`);
    this.vrrpPidPath = join(dir, `${name}-vrrp.pid`);
    this.logPath = join(dir, `${name}.log`);
  }

  /** Writes the configuration; does not start keepalived. */
  configure(conf: string): void {
    writeFileSync(this.confPath, conf, { mode: 0o644 });
  }

  /** Starts keepalived and waits until its VRRP child runs. */
  async start(): Promise<number> {
    if (this.proc && isAlive(this.proc.pid))
      throw new Error(`keepalived on ${this.host} already runs (pid ${this.proc.pid})`);
    this.proc = this.lab.spawn(
      this.host,
      this.binary.path,
      [
        '-n',
        '-l',
        '-D',
        ...(this.binary.vrrpOnlyBuild ? [] : ['-P']),
        '-f',
        this.confPath,
        '-p',
        this.pidPath,
        '-r',
        this.vrrpPidPath,
      ],
      { logFile: this.logPath, what: this.name },
    );
    const vrrp = await waitFor(() => this.vrrpPid() ?? undefined, {
      timeoutMs: 5000,
      what: `keepalived VRRP child on ${this.host}`,
    });
    this.lab.track(vrrp, `${this.host}:${this.name}-vrrp`);
    return this.proc.pid;
  }

  /** The parent's PID while it runs. */
  pid(): number | null {
    return this.proc && isAlive(this.proc.pid) ? this.proc.pid : null;
  }

  /** The VRRP child's PID (from its pid file) while it runs. */
  vrrpPid(): number | null {
    if (!existsSync(this.vrrpPidPath)) return null;
    const pid = Number(readFileSync(this.vrrpPidPath, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  }

  running(): boolean {
    return this.pid() !== null;
  }

  /**
   * Graceful stop (SIGTERM): keepalived sends priority 0 and removes its VIPs, as
   * `systemctl stop keepalived` would. Waits until parent and child are gone.
   */
  async stop(): Promise<void> {
    const pids = [this.pid(), this.vrrpPid()].filter((p): p is number => p !== null);
    if (pids[0] !== undefined) signal(pids[0], 'SIGTERM');
    await waitFor(() => pids.every((p) => !isAlive(p)), {
      timeoutMs: 8000,
      what: `keepalived on ${this.host} to stop`,
    });
  }

  /** Crash: SIGKILL to parent and VRRP child (killing only the parent makes the child exit gracefully). */
  async kill(): Promise<void> {
    const pids = [this.vrrpPid(), this.pid()].filter((p): p is number => p !== null);
    for (const p of pids) signal(p, 'SIGKILL');
    await waitFor(() => pids.every((p) => !isAlive(p)), { timeoutMs: 5000, what: `keepalived on ${this.host} to die` });
    // The killed processes stay zombies until this machine's pid 1 reaps them (up to seconds,
    // STACK-NOTES), and keepalived refuses to start while its pid files name a zombie ("daemon is
    // already running"). On a host systemd reaps at once; remove the stale files to match that.
    rmSync(this.pidPath, { force: true });
    rmSync(this.vrrpPidPath, { force: true });
  }

  /** The log's text so far. */
  log(): string {
    return existsSync(this.logPath) ? readFileSync(this.logPath, 'utf8') : '';
  }
}
