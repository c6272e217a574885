import { join } from 'node:path';
import { agentConfig, isAlive, LabAgent, referenceSpec, type Lab, type LabNginx } from '@keepwatch/lab';
import type { DriverFactory } from './types.js';
import { procUsage } from './usage.js';

/** keepwatch-agent on both LB hosts, with the reference scenario's spec and built-in nginx supervision. */
export const keepwatchDriver: DriverFactory = (lab: Lab, nginx: Record<'lb1' | 'lb2', LabNginx>, opts) => {
  const spec = referenceSpec({
    name: 'bench',
    version: opts.version,
    advertIntervalMs: opts.advertIntervalMs,
    check: [{ kind: 'nginx', name: 'check_nginx', intervalMs: opts.checkIntervalS * 1000 }],
    // The site the bench's nginx runs (with its X-Served-By header) stays as written: no pools here.
    pools: false,
  });
  const agents = {} as Record<'lb1' | 'lb2', LabAgent>;
  for (const lb of ['lb1', 'lb2'] as const) {
    const n = nginx[lb];
    const cfg = agentConfig(lab, n, spec);
    agents[lb] = new LabAgent(lab, lb, {
      ...cfg,
      // The agent's (empty) site goes beside the bench's, not over it; no metrics endpoint.
      nginx: { ...cfg.nginx, confPath: join(n.prefix, 'conf.d', 'keepwatch.conf') },
      metrics: undefined,
    });
  }
  return {
    name: 'keepwatch',
    start: (lb) => agents[lb].start(),
    stop: (lb) => agents[lb].stop(),
    kill: (lb) => agents[lb].kill(),
    usage(lb) {
      const p = agents[lb].proc;
      return procUsage(p && isAlive(p.pid) ? [p.pid] : []);
    },
  };
};
