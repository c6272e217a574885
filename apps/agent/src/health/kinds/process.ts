import { readFileSync } from 'node:fs';
import type { CheckOutcome } from '../check.js';

/**
 * A process's state letter and parent PID from `/proc/PID/stat`, or null when it is gone. The
 * command name may hold spaces and parentheses: the fields start after the last ')'.
 */
export function procStat(pid: number): { state: string; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '', ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

/**
 * Whether a process lives, with a zombie counted as dead (a SIGKILLed process stays a zombie
 * until reaped — STACK-NOTES).
 */
export function pidAlive(pid: number): boolean {
  const s = procStat(pid);
  return s !== null && s.state !== 'Z' && s.state !== 'X';
}

/** The PID in a pid file, or null when the file is missing or holds no PID. */
export function readPidFile(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** OK while the process named by the pid file is alive. */
export function processCheck(pidFile: string): CheckOutcome {
  const pid = readPidFile(pidFile);
  if (pid === null) return { ok: false, detail: `no pid in ${pidFile}` };
  return pidAlive(pid) ? { ok: true } : { ok: false, detail: `pid ${pid} from ${pidFile} is not running` };
}
