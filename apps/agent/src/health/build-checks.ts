import type { AgentConfig, HealthCheck } from '@keepwatch/shared';
import type { Check } from './check.js';
import { httpCheck } from './kinds/http.js';
import { nginxSupervision, type PidWatcher } from './kinds/nginx.js';
import { processCheck } from './kinds/process.js';
import { proxyCheck } from './kinds/proxy.js';
import { lookupUser, runScript } from './kinds/script.js';
import { tcpCheck } from './kinds/tcp.js';
import type { ScriptLauncher } from './kinds/script-launch.js';
import { scriptUserOf } from './script-policy.js';
import { DEF_NGINX_START_WAIT_MS } from '../config/defaults.js';

/** What the host gives checks: a pid watcher (nginx) and the script launcher (script-launch.ts). */
export type CheckHost = { watchPid?: PidWatcher; launch?: ScriptLauncher };

/** Turns the spec's health checks into runnable checks for this host. */
export function buildCheck(check: HealthCheck, cfg: AgentConfig, host: CheckHost = {}): Check {
  const { watchPid, launch } = host;
  const common = {
    name: check.name,
    intervalMs: check.intervalMs,
    timeoutMs: check.timeoutMs ?? check.intervalMs,
    fall: check.fall,
    rise: check.rise,
    initFail: check.initFail,
  };
  switch (check.kind) {
    case 'script': {
      const userName = scriptUserOf(check, cfg);
      const user = userName ? lookupUser(userName) : undefined;
      const argv = 'argv' in check.command ? check.command.argv : ['/bin/sh', '-c', check.command.shell];
      return {
        ...common,
        probe: (signal) => runScript(argv, signal, { ...(user ? { user } : {}), ...(launch ? { launch } : {}) }),
      };
    }
    case 'nginx':
      return nginxSupervision({
        ...common,
        pidFile: cfg.nginx.pidPath,
        startArgv: cfg.nginx.startCommand,
        startWaitMs: Math.min(DEF_NGINX_START_WAIT_MS, Math.max(10, common.timeoutMs - 100)),
        ...(watchPid ? { watchPid } : {}),
      });
    case 'http': {
      const host = check.address.includes(':') ? `[${check.address}]` : check.address;
      const url = `http://${host}:${check.port}${check.path}`;
      return { ...common, probe: (signal) => httpCheck(url, check.expectStatus, signal) };
    }
    case 'tcp':
      return { ...common, probe: (signal) => tcpCheck(check.address, check.port, signal) };
    case 'process':
      return { ...common, probe: () => Promise.resolve(processCheck(check.pidFile)) };
    case 'proxy': {
      const { address, port, host, path, expectStatus } = check;
      return { ...common, probe: (signal) => proxyCheck({ address, port, host, path }, expectStatus, signal) };
    }
  }
}
