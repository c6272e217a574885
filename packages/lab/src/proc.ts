import { readFileSync } from 'node:fs';

/**
 * Start time of a process (field 22 of /proc/PID/stat, in clock ticks since boot), or null if it
 * does not exist or is a zombie. Together with the PID it names one process: a recorded PID whose
 * start time differs was reused by someone else and must not be touched.
 */
export function procStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: fields start after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    if (state === 'Z' || state === 'X') return null; // a SIGKILLed child stays a zombie until reaped
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

/** Parent PID of a live process, or null. */
export function procParent(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return null;
  }
}

/** Short command name (comm) of a process, or null. */
export function procName(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** True while the process runs (a zombie counts as dead, STACK-NOTES). */
export function isAlive(pid: number, startTime?: string): boolean {
  const st = procStartTime(pid);
  if (st === null) return false;
  return startTime === undefined || st === startTime;
}

/** Sends a signal by PID; false when the process is gone. */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}
