import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { procStartTime } from './proc.js';

/**
 * Every lab run keeps a folder under LAB_ROOT named by its run id, holding `owner` (the PID and
 * start time of the process that made the run), `group` (an optional tag, so a test run's global
 * teardown can find the labs it made), `namespaces` and `pids` (every process the run started,
 * with its start time). A leftover sweep removes only runs whose owner is dead.
 */
export const LAB_ROOT = '/run/keepwatch-lab';

export type ProcRecord = { pid: number; startTime: string; what: string };

export type RunMarker = {
  runId: string;
  dir: string;
  owner: { pid: number; startTime: string | null };
  group: string | null;
  namespaces: string[];
  pids: ProcRecord[];
  /** cgroup2 subtrees (names under the unified root) of the run's systemd containers. */
  cgroups: string[];
};

export function runDir(runId: string): string {
  return join(LAB_ROOT, runId);
}

export function writeOwner(runId: string, group: string | null): string {
  const dir = runDir(runId);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, 'owner'), `${process.pid} ${procStartTime(process.pid) ?? ''}\n`);
  if (group) writeFileSync(join(dir, 'group'), `${group}\n`);
  return dir;
}

export function recordNamespace(runId: string, ns: string): void {
  appendFileSync(join(runDir(runId), 'namespaces'), `${ns}\n`);
}

export function recordCgroup(runId: string, name: string): void {
  appendFileSync(join(runDir(runId), 'cgroups'), `${name}\n`);
}

export function recordPid(runId: string, rec: ProcRecord): void {
  appendFileSync(join(runDir(runId), 'pids'), `${rec.pid} ${rec.startTime} ${rec.what}\n`);
}

function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  } catch {
    return [];
  }
}

export function readMarker(runId: string): RunMarker | null {
  const dir = runDir(runId);
  if (!existsSync(join(dir, 'owner'))) return null;
  const [pid, startTime] = (lines(join(dir, 'owner'))[0] ?? '').split(' ');
  return {
    runId,
    dir,
    owner: { pid: Number(pid), startTime: startTime || null },
    group: lines(join(dir, 'group'))[0] ?? null,
    namespaces: lines(join(dir, 'namespaces')),
    pids: lines(join(dir, 'pids')).map((l) => {
      const [p, st, ...what] = l.split(' ');
      return { pid: Number(p), startTime: st ?? '', what: what.join(' ') };
    }),
    cgroups: lines(join(dir, 'cgroups')),
  };
}

export function listRuns(): string[] {
  try {
    return readdirSync(LAB_ROOT).filter((d) => /^[0-9a-f]{4,8}$/.test(d));
  } catch {
    return [];
  }
}

export function removeRunDir(runId: string): void {
  rmSync(runDir(runId), { recursive: true, force: true });
}

/** True while the run's owner process lives (same PID and start time). */
export function ownerAlive(m: RunMarker): boolean {
  const st = procStartTime(m.owner.pid);
  return st !== null && (m.owner.startTime === null || st === m.owner.startTime);
}
