import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { REF, isAlive, waitFor, type Lab, type LabNginx, type Spawned } from '@keepwatch/lab';
import type { DriverFactory } from './types.js';
import { procUsage } from './usage.js';

const AGENT_BIN = fileURLToPath(new URL('../../apps/agent/bin/keepwatch-agent.js', import.meta.url));

/** keepwatch-agent on both LB hosts, with the reference scenario's spec and built-in nginx supervision. */
export const keepwatchDriver: DriverFactory = (lab: Lab, nginx: Record<'lb1' | 'lb2', LabNginx>, opts) => {
  const procs: Partial<Record<'lb1' | 'lb2', Spawned>> = {};
  const configPath = (lb: 'lb1' | 'lb2') => join(lab.host(lb).dir, 'agent.json');
  for (const lb of ['lb1', 'lb2'] as const) {
    const n = nginx[lb];
    const spec = {
      name: 'bench',
      nodes: [
        { name: 'lb1', addresses: [REF.lb1], interfaces: ['eth0'] },
        { name: 'lb2', addresses: [REF.lb2], interfaces: ['eth0'] },
      ],
      vrrpInstances: [
        {
          name: 'VI_1',
          vrid: 51,
          version: opts.version,
          interface: 'eth0',
          advertIntervalMs: opts.advertIntervalMs,
          members: [
            { node: 'lb1', priority: 100, initialState: 'master' },
            { node: 'lb2', priority: 80, initialState: 'backup' },
          ],
          ...(opts.version === 2 ? { authentication: { type: 'pass', password: '1111' } } : {}),
          vips: [{ address: REF.vip }],
          trackChecks: [{ check: 'check_nginx' }],
        },
      ],
      checks: [{ kind: 'nginx', name: 'check_nginx', intervalMs: opts.checkIntervalS * 1000 }],
      // The site the bench's nginx runs (with its X-Served-By header) stays as written: no pools here.
    };
    writeFileSync(
      configPath(lb),
      JSON.stringify({
        node: lb,
        nginx: {
          binary: '/usr/sbin/nginx',
          prefix: `${n.prefix}/`,
          mainConfPath: n.confPath,
          confPath: join(n.prefix, 'conf.d', 'keepwatch.conf'),
          pidPath: n.pidPath,
          startCommand: ['/usr/sbin/nginx', '-p', `${n.prefix}/`, '-c', n.confPath, '-e', n.errorLog],
        },
        stateDir: join(lab.host(lb).dir, 'agent-state'),
        spec,
      }),
    );
  }
  return {
    name: 'keepwatch',
    async start(lb) {
      const log = join(lab.host(lb).dir, 'agent.log');
      const p = lab.spawn(lb, process.execPath, [AGENT_BIN, 'run', '--config', configPath(lb)], {
        logFile: log,
        what: 'keepwatch-agent',
      });
      procs[lb] = p;
      await waitFor(
        async () => {
          if (!isAlive(p.pid)) throw new Error(`agent on ${lb} exited`);
          const { readFileSync } = await import('node:fs');
          return readFileSync(log, 'utf8').includes('"agent started"');
        },
        { timeoutMs: 10_000, intervalMs: 10, what: `agent on ${lb}` },
      );
    },
    async stop(lb) {
      const p = procs[lb];
      if (p) await lab.stop(p.pid, { sig: 'SIGTERM', graceMs: 8000 });
    },
    async kill(lb) {
      const p = procs[lb];
      if (p) await lab.stop(p.pid, { sig: 'SIGKILL', graceMs: 3000 });
    },
    usage(lb) {
      const p = procs[lb];
      return procUsage(p && isAlive(p.pid) ? [p.pid] : []);
    },
  };
};
