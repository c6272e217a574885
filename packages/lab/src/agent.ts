/**
 * keepwatch-agent on lab hosts: an agent configuration per LB host driving that host's lab nginx,
 * and the agent process itself — for the integration tests, the benchmarks and the demo. The agent
 * is run as a program (its bin), never imported.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { AgentConfigInput, ClusterSpecInput } from '@keepwatch/shared';
import { startReferenceWebTier } from './web-tier.js';
import type { Lab, Spawned } from './lab.js';
import type { LabNginx } from './nginx.js';
import { isAlive } from './proc.js';
import { waitFor } from './poll.js';
import { REF } from './reference-topology.js';

/** The agent's command in this checkout, as the README's `npx keepwatch-agent` runs it. */
export const AGENT_BIN = fileURLToPath(new URL('../../../apps/agent/bin/keepwatch-agent.js', import.meta.url));

/** An agent configuration for one lab LB host, driving that host's lab nginx. */
export function agentConfig(lab: Lab, nginx: LabNginx, spec: ClusterSpecInput): AgentConfigInput {
  const host = lab.host(nginx.host);
  return {
    node: nginx.host,
    nginx: {
      binary: '/usr/sbin/nginx',
      prefix: `${nginx.prefix}/`,
      mainConfPath: nginx.confPath,
      confPath: nginx.sitePath,
      pidPath: nginx.pidPath,
      startCommand: ['/usr/sbin/nginx', '-p', `${nginx.prefix}/`, '-c', nginx.confPath, '-e', nginx.errorLog],
    },
    stateDir: join(host.dir, 'agent-state'),
    metrics: { address: host.ipv4[0]!.split('/')[0]!, port: 9623 },
    spec,
  };
}

/**
 * Waits (bounded) until an agent process logs that it started; fails with its log if it exits first,
 * instead of waiting out the timeout.
 *
 * @param pid - the agent's process.
 * @param log - its log since it was spawned.
 * @param what - the agent, for the messages ("the packaged agent").
 */
export async function waitAgentStarted(
  pid: number,
  log: () => string,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const outcome = await waitFor(
    () => (log().includes('"agent started"') ? 'started' : !isAlive(pid) ? 'exited' : undefined),
    { timeoutMs, intervalMs: 20, what: `${what} to start` },
  );
  if (outcome === 'exited') throw new Error(`${what} exited:\n${log().slice(-3000)}`);
}

/** A running agent on a lab host. */
export class LabAgent {
  readonly configPath: string;
  readonly logPath: string;
  proc: Spawned | null = null;

  constructor(
    private readonly lab: Lab,
    readonly host: string,
    config: AgentConfigInput,
    private readonly bin = AGENT_BIN,
  ) {
    this.configPath = join(lab.host(host).dir, 'agent.json');
    this.logPath = join(lab.host(host).dir, 'agent.log');
    writeFileSync(this.configPath, JSON.stringify(config, null, 2));
  }

  /** Starts `keepwatch-agent run` inside the host's namespace and waits until it has started. */
  async start(): Promise<void> {
    if (this.proc && isAlive(this.proc.pid)) throw new Error(`agent on ${this.host} already runs`);
    const before = this.log().length;
    this.proc = this.lab.spawn(this.host, process.execPath, [this.bin, 'run', '--config', this.configPath], {
      logFile: this.logPath,
      what: 'keepwatch-agent',
    });
    await waitAgentStarted(this.proc.pid, () => this.log().slice(before), `agent on ${this.host}`);
  }

  running(): boolean {
    return this.proc !== null && isAlive(this.proc.pid);
  }

  /** Graceful stop (SIGTERM) and wait for the exit. */
  async stop(): Promise<void> {
    if (!this.proc) return;
    await this.lab.stop(this.proc.pid, { sig: 'SIGTERM', graceMs: 8000 });
  }

  /** Crash: SIGKILL. */
  async kill(): Promise<void> {
    if (!this.proc) return;
    await this.lab.stop(this.proc.pid, { sig: 'SIGKILL', graceMs: 3000 });
  }

  log(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** Parsed JSON log lines. */
  lines(): Record<string, unknown>[] {
    return this.log()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

/** `n` requests through the VIP from the client, one after the other: the bodies (null = failed). */
export async function throughVip(lab: Lab, n: number): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (let i = 0; i < n; i++) out.push((await lab.httpGet('client', `http://${REF.vip}/`, 2000))?.trim() ?? null);
  return out;
}

/** Waits (bounded) until a request through the VIP is answered, e.g. after a failover. */
export async function waitServed(lab: Lab): Promise<void> {
  await waitFor(async () => (await lab.httpGet('client', `http://${REF.vip}/`, 1000)) !== null, {
    timeoutMs: 10_000,
    intervalMs: 50,
    what: 'requests through the VIP to be served',
  });
}

/**
 * The reference deployment with keepwatch-agent on both LBs: web1 and web2 backends, lab nginx
 * on each LB (its site config written by the agent), and an agent per LB with the configuration
 * `configure` returns for it (default: running `spec` standalone). Resolves once both agents
 * have started.
 */
export async function startReferenceAgents(
  lab: Lab,
  spec: ClusterSpecInput,
  opts: {
    metrics?: boolean;
    configure?: (lb: 'lb1' | 'lb2', cfg: AgentConfigInput) => AgentConfigInput | Promise<AgentConfigInput>;
    /** Another agent program for a host (the previous release's, in version-skew tests). */
    bins?: Partial<Record<'lb1' | 'lb2', string>>;
  } = {},
): Promise<{ nginx: Record<'lb1' | 'lb2', LabNginx>; agent: Record<'lb1' | 'lb2', LabAgent> }> {
  const nginx = await startReferenceWebTier(lab, () => '# replaced by the agent\n');
  const agent = {} as Record<'lb1' | 'lb2', LabAgent>;
  for (const lb of ['lb1', 'lb2'] as const) {
    const base = agentConfig(lab, nginx[lb], spec);
    const cfg = opts.metrics === false ? { ...base, metrics: undefined } : base;
    agent[lb] = new LabAgent(lab, lb, opts.configure ? await opts.configure(lb, cfg) : cfg, opts.bins?.[lb]);
    await agent[lb].start();
  }
  return { nginx, agent };
}

/** A unix socket in the lab's folder forwarding to a TCP port on the host's loopback. */
export type PortBridge = {
  /** The socket path (the filesystem is shared by every namespace). */
  path: string;
  /** Stops accepting new connections and drops the open ones (the far side becomes unreachable). */
  cut(): Promise<void>;
  /** Accepts connections again after {@link cut}. */
  restore(): Promise<void>;
  close(): Promise<void>;
};

/**
 * Makes a loopback TCP port (the dashboard's) reachable from the lab's namespaces, which have no
 * route to the host's loopback: agents connect to `ws+unix://<path>:/agent`.
 */
export function bridgePort(lab: Lab, name: string, port: number): Promise<PortBridge> {
  return bridgeUnixSocket(lab.unixSocketPath(name), port);
}

/** A unix socket at `path` forwarding to a TCP port on the host's loopback (see {@link bridgePort}). */
export async function bridgeUnixSocket(path: string, port: number): Promise<PortBridge> {
  const open = new Set<Socket>();
  let server: Server | null = null;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((c) => {
        open.add(c);
        c.on('close', () => open.delete(c));
        const up = connect(port, '127.0.0.1');
        c.pipe(up).pipe(c);
        c.on('error', () => up.destroy());
        up.on('error', () => c.destroy());
      });
      s.once('error', reject);
      s.listen(path, () => {
        server = s;
        resolve();
      });
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      for (const c of open) c.destroy();
      if (s) s.close(() => resolve());
      else resolve();
    });
  await listen();
  return { path, cut, restore: () => (server ? Promise.resolve() : listen()), close: cut };
}
