import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from './lab.js';
import { isAlive, procName, procParent, signal } from './proc.js';
import { waitFor } from './poll.js';

/**
 * Real nginx on one lab host, with its own prefix, main config, pid file and logs under the
 * host's folder (`-p`, `-c`, `-e`: it never touches /var/log/nginx or /run/nginx.pid). The site
 * configuration (http context: upstreams and servers, like the reference `lb.conf`) lives in
 * `conf.d/site.conf` and is included by the main config.
 */
export class LabNginx {
  readonly prefix: string;
  readonly confPath: string;
  readonly sitePath: string;
  readonly pidPath: string;
  readonly errorLog: string;

  constructor(
    private readonly lab: Lab,
    readonly host: string,
  ) {
    this.prefix = join(lab.host(host).dir, 'nginx');
    this.confPath = join(this.prefix, 'nginx.conf');
    this.sitePath = join(this.prefix, 'conf.d', 'site.conf');
    this.pidPath = join(this.prefix, 'nginx.pid');
    this.errorLog = join(this.prefix, 'error.log');
  }

  /**
   * Writes the main config (one worker, so round robin alternates strictly — STACK-NOTES) and
   * the site config. Does not start nginx.
   */
  configure(siteConf: string): void {
    for (const d of ['conf.d', 'tmp', 'logs']) mkdirSync(join(this.prefix, d), { recursive: true });
    const p = this.prefix;
    writeFileSync(
      this.confPath,
      [
        'worker_processes 1;',
        `pid ${this.pidPath};`,
        `error_log ${this.errorLog} info;`,
        'events { worker_connections 256; }',
        'http {',
        `  access_log ${join(p, 'logs', 'access.log')};`,
        `  client_body_temp_path ${join(p, 'tmp', 'body')};`,
        `  proxy_temp_path ${join(p, 'tmp', 'proxy')};`,
        `  fastcgi_temp_path ${join(p, 'tmp', 'fastcgi')};`,
        `  uwsgi_temp_path ${join(p, 'tmp', 'uwsgi')};`,
        `  scgi_temp_path ${join(p, 'tmp', 'scgi')};`,
        `  include ${join(p, 'conf.d')}/*.conf;`,
        '}',
        '',
      ].join('\n'),
    );
    writeFileSync(this.sitePath, siteConf);
  }

  /** Replaces the site config (e.g. with a broken one for a failure test). */
  writeSite(siteConf: string): void {
    writeFileSync(this.sitePath, siteConf);
  }

  /** The argv that starts this host's nginx inside its namespace (for check scripts and agents). */
  startArgv(): string[] {
    return [
      'ip',
      'netns',
      'exec',
      this.lab.host(this.host).ns,
      'nginx',
      '-p',
      `${this.prefix}/`,
      '-c',
      this.confPath,
      '-e',
      this.errorLog,
    ];
  }

  /** The same as a shell line. */
  startCommand(): string {
    return this.startArgv().join(' ');
  }

  /** Starts nginx (it daemonizes) and waits until its master runs; returns the master's PID. */
  async start(): Promise<number> {
    const r = await this.lab.exec(this.host, 'nginx', this.startArgv().slice(5), { timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`nginx on ${this.host} did not start: ${r.stderr.trim()}`);
    const pid = await waitFor(() => this.masterPid() ?? undefined, {
      timeoutMs: 5000,
      what: `nginx master pid on ${this.host}`,
    });
    this.lab.track(pid, `${this.host}:nginx`);
    return pid;
  }

  /** `nginx -t` on this host's config; resolves with the exit code and nginx's output. */
  async test(): Promise<{ ok: boolean; output: string }> {
    const args = this.startArgv().slice(5);
    const r = await this.lab.exec(this.host, 'nginx', ['-t', ...args]);
    return { ok: r.code === 0, output: r.stderr + r.stdout };
  }

  /** The running master's PID from the pid file, or null when none runs. */
  masterPid(): number | null {
    if (!existsSync(this.pidPath)) return null;
    const pid = Number(readFileSync(this.pidPath, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) && procName(pid) === 'nginx' ? pid : null;
  }

  /** PIDs of this host's nginx: the master (by pid file) and its children (workers). */
  pids(): number[] {
    const master = this.masterPid();
    if (master === null) return [];
    const out = [master];
    for (const d of readdirSync('/proc')) {
      const pid = Number(d);
      if (Number.isInteger(pid) && procParent(pid) === master && procName(pid) === 'nginx') out.push(pid);
    }
    return out;
  }

  running(): boolean {
    return this.masterPid() !== null;
  }

  /** SIGKILLs every nginx process of this host ("nginx killed") and waits until none runs. */
  async kill(): Promise<void> {
    const pids = this.pids();
    for (const p of pids) signal(p, 'SIGKILL');
    await waitFor(() => pids.every((p) => !isAlive(p)), { timeoutMs: 5000, what: `nginx on ${this.host} to die` });
  }

  /** Stops nginx gracefully (SIGQUIT to the master) and waits until it is gone. */
  async stop(): Promise<void> {
    const pids = this.pids();
    const master = pids[0];
    if (master === undefined) return;
    signal(master, 'SIGQUIT');
    await waitFor(() => pids.every((p) => !isAlive(p)), { timeoutMs: 5000, what: `nginx on ${this.host} to stop` });
  }

  /** The error log's text so far. */
  errors(): string {
    return existsSync(this.errorLog) ? readFileSync(this.errorLog, 'utf8') : '';
  }
}
