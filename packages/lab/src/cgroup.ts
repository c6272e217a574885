import { existsSync, readFileSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * cgroup2 subtrees for lab containers (systemd as PID 1 needs one of its own). On these machines
 * the unified hierarchy is mounted at /sys/fs/cgroup/unified beside the v1 controllers; on a pure
 * cgroup2 host it is /sys/fs/cgroup itself.
 */
export function cgroup2Root(): string {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const points = mounts
    .map((l) => l.split(' - '))
    .filter(([, fs]) => fs?.startsWith('cgroup2 '))
    .map(([left]) => left?.split(' ')[4] ?? '');
  const root = points.find((p) => p === '/sys/fs/cgroup/unified') ?? points.find((p) => p === '/sys/fs/cgroup');
  if (!root) throw new Error('no cgroup2 hierarchy mounted at /sys/fs/cgroup or /sys/fs/cgroup/unified');
  return root;
}

const LAB_CGROUP = /^kw[0-9a-f]{4,8}-[a-z0-9-]{1,32}$/;

/** The lab cgroup path for a name (`kw<runId>-<name>`), validated so that nothing else is ever removed. */
export function labCgroupPath(name: string): string {
  if (!LAB_CGROUP.test(name)) throw new Error(`lab cgroup name ${JSON.stringify(name)}`);
  return join(cgroup2Root(), name);
}

/** Every cgroup of a subtree, deepest first (the order rmdir needs). */
function subtreeDeepestFirst(path: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    for (const e of readdirSync(p, { withFileTypes: true })) if (e.isDirectory()) walk(join(p, e.name));
    out.push(p);
  };
  walk(path);
  return out;
}

/** PIDs still in a cgroup subtree (empty when every process has gone). */
export function cgroupPids(path: string): number[] {
  if (!existsSync(path)) return [];
  const pids: number[] = [];
  for (const g of subtreeDeepestFirst(path)) {
    try {
      for (const l of readFileSync(join(g, 'cgroup.procs'), 'utf8').split('\n')) if (l.trim()) pids.push(Number(l));
    } catch {
      // removed meanwhile
    }
  }
  return pids;
}

/**
 * Removes a lab cgroup subtree deepest-first; true when it is gone. A cgroup that still holds a
 * process cannot be removed: the caller kills the processes first (by PID).
 */
export function removeCgroup(name: string): boolean {
  const path = labCgroupPath(name);
  if (!existsSync(path) || !statSync(path).isDirectory()) return true;
  for (const g of subtreeDeepestFirst(path)) {
    try {
      rmdirSync(g);
    } catch {
      return false;
    }
  }
  return !existsSync(path);
}
