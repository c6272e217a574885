import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { pidAlive, procStat, readPidFile } from '../health/kinds/process.js';

export type NginxCommandResult = { ok: boolean; output: string };

/**
 * How the agent drives nginx (after ingress-nginx's NginxExecTester): test the configuration,
 * reload, and find the master and its workers. Behind an interface so the apply logic's test
 * can swap it; the real one runs the binary.
 */
export type NginxExec = {
  test(): Promise<NginxCommandResult>;
  reload(): Promise<NginxCommandResult>;
  masterPid(): number | null;
  workerPids(master: number): number[];
};

export type NginxPaths = {
  /** The nginx binary (default /usr/sbin/nginx). */
  binary: string;
  /** Arguments that select this nginx's prefix, main config and error log, e.g. `['-p', DIR, '-c', CONF, '-e', LOG]` (may be empty for a distribution's defaults). */
  args: readonly string[];
  /** The master's pid file, as the main config sets it. */
  pidFile: string;
};

function runNginx(binary: string, args: readonly string[], timeoutMs: number): Promise<NginxCommandResult> {
  return new Promise((resolve) => {
    execFile(binary, [...args], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ ok: !err, output: `${stderr}${stdout}`.trim() || (err ? err.message : '') });
    });
  });
}

/** `[emerg]`, `[alert]` and `[crit]` in nginx's output fail a test even when it exits 0. */
const FATAL = /\[(emerg|alert|crit)\]/;

export function realNginxExec(paths: NginxPaths, opts: { failOnWarn?: boolean; timeoutMs?: number } = {}): NginxExec {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return {
    async test() {
      const r = await runNginx(paths.binary, ['-t', ...paths.args], timeoutMs);
      const fatal = FATAL.test(r.output) || (opts.failOnWarn === true && /\[warn\]/.test(r.output));
      return { ok: r.ok && !fatal, output: r.output };
    },
    reload() {
      return runNginx(paths.binary, [...paths.args, '-s', 'reload'], timeoutMs);
    },
    masterPid() {
      const pid = readPidFile(paths.pidFile);
      return pid !== null && pidAlive(pid) ? pid : null;
    },
    workerPids(master) {
      const out: number[] = [];
      for (const d of readdirSync('/proc')) {
        const pid = Number(d);
        if (!Number.isInteger(pid)) continue;
        const s = procStat(pid);
        if (s && s.ppid === master && s.state !== 'Z') out.push(pid);
      }
      return out;
    },
  };
}
