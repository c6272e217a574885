import { readFileSync } from 'node:fs';
import type { CheckOutcome } from '../check.js';

/**
 * Whether a process lives: PID from `/proc`, with a zombie counted as dead (a SIGKILLed process
 * stays a zombie until reaped — STACK-NOTES).
 */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
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
