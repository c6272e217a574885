import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { Socket } from 'node:net';
import { constants as osConstants } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { NativeNet } from '../../transport/native.js';

export type ScriptExit = { code: number | null; signal: NodeJS.Signals | null };

/** A started check script: its pid (its own process group's too), its output, and its end. */
export type LaunchedScript = {
  pid: number | undefined;
  /** stdout and stderr; each ends when the script (and whatever it started) closes it. */
  output: Readable[];
  /** The exit status; rejects with the reason when the script could not be started. */
  exited: Promise<ScriptExit>;
};

export type LaunchOptions = { user?: { uid: number; gid: number } | undefined; env: NodeJS.ProcessEnv };

/** Starts argv (argv[0] found on env.PATH unless absolute) in its own process group, as `user` when given. */
export type ScriptLauncher = (argv: readonly [string, ...string[]], opts: LaunchOptions) => LaunchedScript;

/** libuv's spawn: forks the agent. Works everywhere Node does. */
export const forkLauncher: ScriptLauncher = ([cmd, ...args], opts) => {
  const child = spawn(cmd, args, {
    detached: true, // own process group: killed as one on timeout
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: opts.user?.uid,
    gid: opts.user?.gid,
    env: opts.env,
  });
  const exited = new Promise<ScriptExit>((resolve, reject) => {
    child.on('error', reject); // kept: a later 'error' without a listener would throw
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { pid: child.pid, output: [child.stdout, child.stderr], exited };
};

/** The part of the addon the vfork launcher needs. */
export type ProbeNet = Pick<NativeNet, 'spawnProbe' | 'reapProbe' | 'closeFd' | 'Watcher'>;

/**
 * The addon's clone(CLONE_VM | CLONE_VFORK) spawn (native/spawn.cc): the agent's memory is not
 * copied for a script that runs every second — with a fork that copy was most of the agent's idle
 * CPU (issue 16). Needs pidfd (Linux 5.3); `scriptLauncher` picks the fork where there is none.
 */
export function vforkLauncher(net: ProbeNet): ScriptLauncher {
  return (argv, opts) => {
    let started: { pid: number; pidfd: number; output: number };
    try {
      const file = resolveOnPath(argv[0], opts.env.PATH);
      const envp = Object.entries(opts.env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
      started = net.spawnProbe(file, [...argv], envp, opts.user?.uid ?? -1, opts.user?.gid ?? -1);
    } catch (e) {
      return { pid: undefined, output: [], exited: Promise.reject(e as Error) };
    }
    const output = new Socket({ fd: started.output, readable: true, writable: false });
    const exited = new Promise<ScriptExit>((resolve, reject) => {
      const watcher = new net.Watcher(started.pidfd, () => {
        let status: ReturnType<ProbeNet['reapProbe']>;
        try {
          status = net.reapProbe(started.pid);
        } catch (e) {
          // Reaped elsewhere: stop watching, or the readable pidfd would wake the loop for ever.
          watcher.stop();
          net.closeFd(started.pidfd);
          return reject(e as Error);
        }
        if (!status) return; // not yet (a spurious wake-up)
        watcher.stop();
        net.closeFd(started.pidfd);
        resolve({ code: status.code, signal: status.signal === null ? null : signalName(status.signal) });
      });
    });
    return { pid: started.pid, output: [output], exited };
  };
}

/** The vfork launcher when the kernel has pidfd, else libuv's fork. */
export function scriptLauncher(net: ProbeNet & Pick<NativeNet, 'pidfdOpen'>): ScriptLauncher {
  try {
    net.closeFd(net.pidfdOpen(process.pid));
    return vforkLauncher(net);
  } catch {
    return forkLauncher;
  }
}

/** execvp's lookup: an absolute or relative path as given, else the first executable on PATH. */
function resolveOnPath(cmd: string, path: string | undefined): string {
  if (cmd.includes('/')) return isAbsolute(cmd) ? cmd : resolve(cmd);
  for (const dir of (path ?? '').split(':')) {
    if (!dir) continue;
    const candidate = join(dir, cmd);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${cmd}: not found on PATH`);
}

function signalName(n: number): NodeJS.Signals | null {
  const found = Object.entries(osConstants.signals).find(([, v]) => v === n);
  return found ? (found[0] as NodeJS.Signals) : null;
}
