import { existsSync } from 'node:fs';
import { cgroupPids, labCgroupPath, removeCgroup } from './cgroup.js';
import { run } from './exec.js';
import { listRuns, ownerAlive, readMarker, removeRunDir, type RunMarker } from './marker.js';
import { isAlive, signal } from './proc.js';
import { waitFor } from './poll.js';

async function namespaceExists(ns: string): Promise<boolean> {
  const r = await run('ip', ['netns', 'list']);
  return r.stdout.split('\n').some((l) => l.split(' ')[0] === ns);
}

/** PIDs of the processes inside one of the lab's namespaces (`ip netns pids`). */
export async function namespacePids(ns: string): Promise<number[]> {
  const r = await run('ip', ['netns', 'pids', ns]);
  if (r.code !== 0) return [];
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/**
 * Kills, by PID, every process left inside a namespace this run (or a dead run of ours) made:
 * daemons such as nginx fork away from the PID we started, but stay in the namespace.
 */
export async function killNamespaceProcesses(ns: string): Promise<void> {
  if (!(await namespaceExists(ns))) return;
  let pids = await namespacePids(ns);
  for (const p of pids) signal(p, 'SIGTERM');
  try {
    await waitFor(() => pids.every((p) => !isAlive(p)), { timeoutMs: 2000, what: `processes in ${ns} to exit` });
  } catch {
    pids = await namespacePids(ns);
    for (const p of pids) signal(p, 'SIGKILL');
    await waitFor(() => pids.every((p) => !isAlive(p)), { timeoutMs: 3000, what: `processes in ${ns} to die` }).catch(
      () => undefined,
    );
  }
}

/**
 * Kills what is left in a run's recorded cgroup subtrees (a systemd container's processes) and
 * removes the subtrees deepest-first. Only names of the form kw<runId>-… are touched.
 */
export async function removeRunCgroups(m: RunMarker): Promise<void> {
  for (const name of m.cgroups) {
    if (!name.startsWith(`kw${m.runId}-`)) continue;
    const path = labCgroupPath(name);
    for (const p of cgroupPids(path)) signal(p, 'SIGKILL');
    await waitFor(() => cgroupPids(path).length === 0, { timeoutMs: 3000, what: `cgroup ${name} to empty` }).catch(
      () => undefined,
    );
    removeCgroup(name);
  }
}

/**
 * Removes the leftovers of earlier lab runs whose owner process is gone (a test run killed
 * mid-way): their recorded processes (only when PID and start time still match), whatever runs in
 * their namespaces, the namespaces and the run folder. Live runs — another test file, another
 * session — are never touched.
 */
export async function sweepDeadRuns(): Promise<string[]> {
  const swept: string[] = [];
  for (const runId of listRuns()) {
    const m = readMarker(runId);
    if (!m) continue;
    if (ownerAlive(m)) continue;
    for (const p of m.pids) if (isAlive(p.pid, p.startTime === '0' ? undefined : p.startTime)) signal(p.pid, 'SIGKILL');
    for (const ns of m.namespaces) {
      if (!ns.startsWith(`kw${runId}-`)) continue; // only names this run could have made
      await killNamespaceProcesses(ns);
      await run('ip', ['netns', 'del', ns]);
    }
    await removeRunCgroups(m);
    removeRunDir(runId);
    swept.push(runId);
  }
  return swept;
}

/**
 * What labs of `group` left behind: run folders, namespaces and live processes. Empty when every
 * lab of the group tore itself down. Used by the test run's global teardown.
 */
export async function leftovers(group: string): Promise<string[]> {
  const found: string[] = [];
  const all = (await run('ip', ['netns', 'list'])).stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
  for (const runId of listRuns()) {
    const m = readMarker(runId);
    if (!m || m.group !== group) continue;
    found.push(`run folder ${m.dir}`);
    for (const ns of all) if (ns.startsWith(`kw${runId}-`)) found.push(`namespace ${ns}`);
    for (const p of m.pids)
      if (isAlive(p.pid, p.startTime === '0' ? undefined : p.startTime)) found.push(`process ${p.pid} (${p.what})`);
    for (const name of m.cgroups) if (existsSync(labCgroupPath(name))) found.push(`cgroup ${name}`);
  }
  return found;
}

/** Removes whatever {@link leftovers} reports for `group`, after it has been reported. */
export async function removeLeftovers(group: string): Promise<void> {
  for (const runId of listRuns()) {
    const m = readMarker(runId);
    if (!m || m.group !== group) continue;
    for (const p of m.pids) if (isAlive(p.pid, p.startTime === '0' ? undefined : p.startTime)) signal(p.pid, 'SIGKILL');
    for (const ns of m.namespaces) {
      if (!ns.startsWith(`kw${runId}-`)) continue;
      await killNamespaceProcesses(ns);
      await run('ip', ['netns', 'del', ns]);
    }
    await removeRunCgroups(m);
    removeRunDir(runId);
  }
}
