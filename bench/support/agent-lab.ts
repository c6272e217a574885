// The parts of agent.bench.ts that set up a lab: keepalived 2.2.7 and the agent's single
// executable on lb1/lb2 with one instance (the reference scenario) or N generated ones, an advert
// listener on the client, and the daemons' CPU, RSS and PSS from /proc.
import { closeSync, existsSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterSpecInput } from '@keepwatch/shared';
import type { LabNginx } from '@keepwatch/lab';
import {
  LabKeepalived,
  REF,
  agentConfig,
  checkNginxScript,
  isAlive,
  referenceKeepalived,
  referenceLab,
  referenceSpec,
  startReferenceWebTier,
  waitAgentStarted,
  waitFor,
  type Lab,
  type Spawned,
} from '@keepwatch/lab';

export type Lb = 'lb1' | 'lb2';
export type Impl = 'keepalived' | 'keepwatch';
/** One VRRP instance (the reference scenario) or `n` generated ones without a check. */
export type Setup =
  | { kind: 'reference'; version: 2 | 3; advertIntervalMs: number; check: 'script' | 'nginx' }
  | { kind: 'scale'; n: number; advertIntervalMs: number };

const CLK_TCK = 100; // USER_HZ on Linux
const BARE_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };
const LISTENER = fileURLToPath(new URL('../advert-listener.mjs', import.meta.url));

export type Usage = { cpuSeconds: number; childCpuSeconds: number; rssKb: number; pssKb: number };

/** CPU (self, and reaped children such as check scripts), RSS and PSS summed over `pids`. */
export function usage(pids: readonly number[]): Usage {
  const u: Usage = { cpuSeconds: 0, childCpuSeconds: 0, rssKb: 0, pssKb: 0 };
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      u.cpuSeconds += (Number(f[11]) + Number(f[12])) / CLK_TCK;
      u.childCpuSeconds += (Number(f[13]) + Number(f[14])) / CLK_TCK;
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      u.rssKb += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      u.pssKb += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return u;
}

/** VIPs of generated instance `i` (1-based): one in TEST-NET-3, one in TEST-NET-1 (RFC 5737). */
export const scaleVips = (i: number): [string, string] => [`203.0.113.${i}`, `192.0.2.${i}`];

/** keepalived.conf for `n` VRRPv3 instances (VRID 1..n, 2 VIPs each), no check. */
export function scaleKeepalivedConf(lb: Lb, n: number, advertIntervalMs: number): string {
  const out = [`global_defs {\n  router_id ${lb}\n  vrrp_version 3\n}\n`];
  for (let i = 1; i <= n; i++) {
    out.push(
      `vrrp_instance VI_${i} {\n  state ${lb === 'lb1' ? 'MASTER' : 'BACKUP'}\n  interface eth0\n` +
        `  virtual_router_id ${i}\n  priority ${lb === 'lb1' ? 100 : 80}\n  advert_int ${advertIntervalMs / 1000}\n` +
        `  virtual_ipaddress {\n    ${scaleVips(i).join('\n    ')}\n  }\n}\n`,
    );
  }
  return out.join('\n');
}

/** The same `n` instances as a cluster spec. */
export function scaleSpec(n: number, advertIntervalMs: number): ClusterSpecInput {
  const base = referenceSpec({ name: 'scale', version: 3, advertIntervalMs, check: null, pools: false });
  const vi = base.vrrpInstances![0]!;
  return {
    ...base,
    vrrpInstances: Array.from({ length: n }, (_, k) => ({
      ...vi,
      name: `VI_${k + 1}`,
      vrid: k + 1,
      vips: scaleVips(k + 1).map((address) => ({ address })),
    })),
  };
}

export type Advert = { t: number; src: string; vrid: number; priority: number };

/** Reads the advert listener's file incrementally (new lines only). */
export function advertReader(file: string): () => Advert[] {
  let offset = 0;
  let pending = '';
  const seen: Advert[] = [];
  return () => {
    if (!existsSync(file)) return seen;
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(256 * 1024);
      for (let n = readSync(fd, buf, 0, buf.length, offset); n > 0; n = readSync(fd, buf, 0, buf.length, offset)) {
        offset += n;
        pending += buf.subarray(0, n).toString('utf8');
      }
    } finally {
      closeSync(fd);
    }
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) if (l) seen.push(JSON.parse(l) as Advert);
    return seen;
  };
}

export type BenchLab = {
  lab: Lab;
  start(lb: Lb): Promise<void>;
  kill(lb: Lb): Promise<void>;
  /** The daemon's PIDs on `lb` (keepalived: parent and VRRP child). */
  pids(lb: Lb): number[];
  adverts: () => Advert[];
  teardown(): Promise<void>;
};

/** The reference lab with nginx on both LBs, `impl` configured for `setup` (not started), an advert listener. */
export async function benchLab(impl: Impl, setup: Setup, exe: string): Promise<BenchLab> {
  const lab = await referenceLab();
  try {
    const nginx = await startReferenceWebTier(lab);
    const advertFile = join(lab.host('client').dir, 'adverts.jsonl');
    const listenerLog = join(lab.host('client').dir, 'adverts.log');
    lab.spawn('client', process.execPath, [LISTENER, advertFile], { logFile: listenerLog, what: 'advert listener' });
    await waitFor(() => existsSync(listenerLog) && readFileSync(listenerLog, 'utf8').includes('listening'), {
      timeoutMs: 10_000,
      what: 'the advert listener',
    });
    const adverts = advertReader(advertFile);
    const driver = impl === 'keepalived' ? keepalivedOn(lab, nginx, setup) : agentOn(lab, nginx, setup, exe);
    return { lab, adverts, ...driver, teardown: () => lab.teardown() };
  } catch (e) {
    await lab.teardown();
    throw e;
  }
}

type Driver = Pick<BenchLab, 'start' | 'kill' | 'pids'>;

function keepalivedOn(lab: Lab, nginx: Record<Lb, LabNginx>, setup: Setup): Driver {
  const ka = {} as Record<Lb, LabKeepalived>;
  for (const lb of ['lb1', 'lb2'] as const) {
    if (setup.kind === 'scale') {
      ka[lb] = new LabKeepalived(lab, lb);
      ka[lb].configure(scaleKeepalivedConf(lb, setup.n, setup.advertIntervalMs));
    } else {
      ka[lb] = referenceKeepalived(lab, nginx[lb], lb === 'lb1' ? 'master' : 'backup', {
        fast: setup.version === 3,
        checkIntervalS: 1,
      }).keepalived;
      if (setup.version === 3 && setup.advertIntervalMs !== 100) {
        const conf = readFileSync(ka[lb].confPath, 'utf8');
        ka[lb].configure(conf.replace('advert_int 0.1', `advert_int ${setup.advertIntervalMs / 1000}`));
      }
    }
  }
  return {
    start: async (lb) => void (await ka[lb].start()),
    kill: (lb) => ka[lb].kill(),
    pids: (lb) => [ka[lb].pid(), ka[lb].vrrpPid()].filter((p): p is number => p !== null),
  };
}

/** The agent's single executable (production form) with the same setup. */
function agentOn(lab: Lab, nginx: Record<Lb, LabNginx>, setup: Setup, exe: string): Driver {
  const procs: Partial<Record<Lb, Spawned>> = {};
  const paths = {} as Record<Lb, { config: string; log: string }>;
  for (const lb of ['lb1', 'lb2'] as const) {
    let spec: ClusterSpecInput;
    if (setup.kind === 'scale') spec = scaleSpec(setup.n, setup.advertIntervalMs);
    else if (setup.check === 'nginx')
      spec = referenceSpec({
        name: 'bench',
        version: setup.version,
        advertIntervalMs: setup.advertIntervalMs,
        check: [{ kind: 'nginx', name: 'check_nginx', intervalMs: 1000 }],
        pools: false,
      });
    else {
      // keepalived's reference script as a vrrp_script; it would stop a daemon by a pid file that never exists here.
      const unused = new LabKeepalived(lab, lb, 'no-keepalived');
      const log = join(lab.host(lb).dir, 'check_nginx.log');
      const script = lab.writeFile(lb, 'check_nginx.sh', checkNginxScript(nginx[lb], unused, log), 0o755);
      spec = referenceSpec({
        name: 'bench',
        version: setup.version,
        advertIntervalMs: setup.advertIntervalMs,
        check: [{ kind: 'script', name: 'check_nginx', intervalMs: 1000, command: { argv: [script] } }],
        pools: false,
      });
    }
    const cfg = agentConfig(lab, nginx[lb], spec);
    const dir = lab.host(lb).dir;
    paths[lb] = { config: join(dir, 'agent.json'), log: join(dir, 'agent.log') };
    const config = {
      ...cfg,
      // The agent's (empty) site beside the bench's, not over it; no metrics endpoint (as keepalived: none).
      nginx: { ...cfg.nginx, confPath: join(nginx[lb].prefix, 'conf.d', 'keepwatch.conf') },
      metrics: undefined,
    };
    writeFileSync(paths[lb].config, JSON.stringify(config, null, 2));
  }
  const log = (lb: Lb) => (existsSync(paths[lb].log) ? readFileSync(paths[lb].log, 'utf8') : '');
  return {
    async start(lb) {
      const before = log(lb).length;
      const p = lab.spawn(lb, exe, ['run', '--config', paths[lb].config], {
        logFile: paths[lb].log,
        what: 'keepwatch-agent',
        env: BARE_ENV,
      });
      procs[lb] = p;
      await waitAgentStarted(p.pid, () => log(lb).slice(before), `agent on ${lb}`, 20_000);
    },
    async kill(lb) {
      const p = procs[lb];
      if (p) await lab.stop(p.pid, { sig: 'SIGKILL', graceMs: 3000 });
    },
    pids: (lb) => {
      const p = procs[lb];
      return p && isAlive(p.pid) ? [p.pid] : [];
    },
  };
}

export { REF };
