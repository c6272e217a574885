import { readFileSync } from 'node:fs';
import type { Check, CheckOutcome } from '../check.js';
import { pidAlive, readPidFile } from './process.js';
import { runScript } from './script.js';

/** Watches a process and calls `onExit` once when it exits; returns a cancel function. */
export type PidWatcher = (pid: number, onExit: () => void) => () => void;

export type NginxSupervisionOptions = {
  name: string;
  /** nginx's pid file (the master's PID). */
  pidFile: string;
  /**
   * How nginx is started: `['systemctl', 'start', 'nginx']` where systemd runs it (so nginx lives
   * in its own cgroup, not the agent's), or the binary with its prefix. Never through a shell.
   */
  startArgv: readonly string[];
  /** How long to wait for a master after starting it, ms (default 2000). */
  startWaitMs?: number;
  intervalMs: number;
  timeoutMs: number;
  fall: number;
  rise: number;
  initFail: boolean;
  /** Event source for the master's exit (the native pidfd watcher); without it, only the interval notices. */
  watchPid?: PidWatcher;
};

function isNginx(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'nginx' && pidAlive(pid);
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The reference scenario's check, built in: when no nginx master runs (by pid file — all hosts of
 * a lab share one process table, and `ps -C nginx` would see them all), start it; OK when a master
 * runs afterwards, failed (with nginx's own output) when it cannot be started. With a pid
 * watcher it notices the master's exit at once, instead of at the next interval.
 */
export function nginxSupervision(opts: NginxSupervisionOptions): Check {
  let wake: (() => void) | null = null;
  let cancelWatch: (() => void) | null = null;
  let watchedPid: number | null = null;

  const arm = (pid: number) => {
    if (!opts.watchPid || !wake || watchedPid === pid) return;
    cancelWatch?.();
    watchedPid = pid;
    try {
      cancelWatch = opts.watchPid(pid, () => {
        watchedPid = null;
        cancelWatch = null;
        wake?.();
      });
    } catch {
      watchedPid = null; // the process is already gone: the next run sees it
      cancelWatch = null;
    }
  };

  const masterPid = (): number | null => {
    const pid = readPidFile(opts.pidFile);
    return pid !== null && isNginx(pid) ? pid : null;
  };

  return {
    name: opts.name,
    intervalMs: opts.intervalMs,
    timeoutMs: opts.timeoutMs,
    fall: opts.fall,
    rise: opts.rise,
    initFail: opts.initFail,
    async probe(signal): Promise<CheckOutcome> {
      const running = masterPid();
      if (running !== null) {
        arm(running);
        return { ok: true };
      }
      const started = await runScript(opts.startArgv, signal);
      if (!started.ok)
        return {
          ok: false,
          detail: `nginx is not running and could not be started: ${started.detail ?? 'start failed'}`,
        };
      // The start command succeeded; the master may write its pid file a moment later.
      const waitMs = opts.startWaitMs ?? 2000;
      const deadline = performance.now() + waitMs;
      for (let i = 0; i < Math.ceil(waitMs / 10) + 1 && !signal.aborted; i++) {
        const pid = masterPid();
        if (pid !== null) {
          arm(pid);
          return { ok: true, restarted: true, detail: `nginx was not running; started it (pid ${pid})` };
        }
        if (performance.now() >= deadline) break;
        await sleep(10);
      }
      return {
        ok: false,
        detail: `nginx is not running and could not be started: no master appeared within ${waitMs} ms`,
      };
    },
    subscribe(w) {
      wake = w;
      return () => {
        wake = null;
        cancelWatch?.();
        cancelWatch = null;
        watchedPid = null;
      };
    },
    close() {
      cancelWatch?.();
      cancelWatch = null;
    },
  };
}
