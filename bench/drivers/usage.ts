import { readFileSync } from 'node:fs';

const CLK_TCK = 100; // USER_HZ on Linux

/** RSS (kB) and CPU seconds (user + system) of a set of processes, from /proc. */
export function procUsage(pids: readonly number[]): { rssKb: number; cpuSeconds: number } {
  let rssKb = 0;
  let ticks = 0;
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(rest[11]) + Number(rest[12]);
    } catch {
      // gone
    }
  }
  return { rssKb, cpuSeconds: ticks / CLK_TCK };
}
