import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAdvert, encodeAdvert, parseAddress, VRRP_MULTICAST_V4, VRRP_MULTICAST_V6, type Advert, type InstanceConfig } from '@keepwatch/vrrp';
import { renderNginxConfig, type AgentConfig, type ClusterSpec, type VrrpInstance } from '@keepwatch/shared';
import type { Logger } from './log.js';
import { AgentMetrics } from './metrics.js';
import type { NativeNet } from './transport/native.js';
import { VrrpSocket } from './transport/vrrp-socket.js';
import { watchPidExit } from './transport/pid-watch.js';
import { InstanceRunner } from './vrrp/runner.js';
import { VipActuator, type Vip } from './vip/addresses.js';
import { garpFrame, unsolicitedNaFrame } from './vip/frames.js';
import { HealthScheduler, type CheckResult } from './health/scheduler.js';
import { buildCheck } from './build-checks.js';
import { NginxApplier, writeAtomic } from './nginx/apply.js';
import { realNginxExec } from './nginx/exec.js';
import { primaryAddress } from './interfaces.js';
import { DEF_GRACEFUL_SHUTDOWN_MS, DEF_METRICS_PATH, DEF_WARM_RESTART_MAX_AGE_MS, DEF_WARM_STATE_REFRESH_MS } from './config/defaults.js';

/** What the agent persists for a warm restart: each instance's last state and when. */
type WarmState = { savedAt: number; instances: Record<string, { state: string; promoted?: boolean }> };

type Member = { instance: VrrpInstance; iface: string; vips: Vip[]; machine: InstanceConfig };

/** This node's part of a spec: the instances it is a member of, with their VIPs resolved. */
export function nodeInstances(spec: ClusterSpec, node: string): Omit<Member, 'machine'>[] {
  const out: Omit<Member, 'machine'>[] = [];
  for (const instance of spec.vrrpInstances) {
    const member = instance.members.find((m) => m.node === node);
    if (!member) continue;
    const iface = member.interface ?? instance.interface;
    const vips = instance.vips.map((v) => ({ address: v.address, prefix: v.prefix ?? (instance.family === 4 ? 32 : 128), dev: v.dev ?? iface, family: instance.family }));
    out.push({ instance, iface, vips });
  }
  return out;
}

/**
 * The agent: composition of transport, VRRP runners, VIPs, health checks, nginx and metrics for
 * one node of one spec. `start()` brings it up; `stop()` takes it down in the order of STYLE §G36
 * within a hard deadline. Constructors do nothing but keep references.
 */
export class Agent {
  private readonly metrics = new AgentMetrics();
  private readonly runners: InstanceRunner[] = [];
  private readonly sockets: VrrpSocket[] = [];
  private scheduler: HealthScheduler | null = null;
  private metricsServer: Server | null = null;
  private linkTimer: ReturnType<typeof setInterval> | null = null;
  private warmTimer: ReturnType<typeof setInterval> | null = null;
  private readonly vips = new VipActuator();
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly cfg: AgentConfig,
    private readonly net: NativeNet,
    private readonly log: Logger,
  ) {}

  private get spec(): ClusterSpec {
    if (!this.cfg.spec) throw new Error('no spec to run (the control plane client is not built yet)');
    return this.cfg.spec;
  }

  private warmFile(): string {
    return join(this.cfg.stateDir, 'vrrp-state.json');
  }

  private readWarm(): WarmState | null {
    try {
      return JSON.parse(readFileSync(this.warmFile(), 'utf8')) as WarmState;
    } catch {
      return null;
    }
  }

  /**
   * Whether an instance resumes as master: the state file, refreshed every
   * DEF_WARM_STATE_REFRESH_MS while running, said master less than 3 advert intervals ago —
   * before any peer's Master_Down_Timer (3 intervals plus skew) could have fired.
   */
  private resumes(warm: WarmState | null, instance: VrrpInstance): boolean {
    if (warm?.instances[instance.name]?.state !== 'master') return false;
    const age = Date.now() - warm.savedAt;
    return age >= 0 && age < Math.min(3 * instance.advertIntervalMs, DEF_WARM_RESTART_MAX_AGE_MS);
  }

  private saveWarm(): void {
    const instances: WarmState['instances'] = {};
    for (const r of this.runners) instances[r.name] = { state: r.current().vrrpState };
    try {
      mkdirSync(this.cfg.stateDir, { recursive: true });
      writeAtomic(this.warmFile(), JSON.stringify({ savedAt: Date.now(), instances } satisfies WarmState));
    } catch (e) {
      this.log.warn({ err: e }, 'cannot save warm-restart state');
    }
  }

  /** Every VIP this node could hold (for start-up and exit clean-up). */
  allVips(): Vip[] {
    return nodeInstances(this.spec, this.cfg.node).flatMap((m) => m.vips);
  }

  /** Removes every VIP of this node's instances from its interfaces (`keepwatch-agent cleanup`). */
  async cleanup(): Promise<Vip[]> {
    const present = await this.vips.present(this.allVips());
    await this.vips.remove(present);
    return present;
  }

  async start(): Promise<void> {
    const spec = this.spec;
    const members = nodeInstances(spec, this.cfg.node);
    const warm = this.readWarm();

    // VIPs left by an earlier run (a crash, or another daemon) are not ours until VRRP says so,
    // unless this is a warm restart of an instance that was master a moment ago.
    const resuming = new Set(members.filter((m) => this.resumes(warm, m.instance)).map((m) => m.instance.name));
    const keep = new Set(members.filter((m) => resuming.has(m.instance.name)).flatMap((m) => m.vips.map((v) => v.address)));
    const stale = (await this.vips.present(members.flatMap((m) => m.vips))).filter((v) => !keep.has(v.address));
    if (stale.length) {
      await this.vips.remove(stale);
      this.log.warn({ vips: stale.map((v) => v.address) }, 'removed VIPs this node does not own');
    }

    await this.applyNginx(spec);

    for (const m of members) {
      const member = m.instance.members.find((x) => x.node === this.cfg.node)!;
      const src = member.unicastSrcIp ?? (await primaryAddress(m.iface, m.instance.family, m.vips.map((v) => v.address)));
      const peers = member.unicastPeers;
      const checks = new Map(spec.checks.map((c) => [c.name, c]));
      const machine: InstanceConfig = {
        name: m.instance.name,
        version: m.instance.version,
        family: m.instance.family,
        vrid: m.instance.vrid,
        basePriority: member.priority,
        advertIntervalMs: m.instance.advertIntervalMs,
        vips: m.vips.map((v) => v.address),
        primaryAddress: src,
        preempt: m.instance.preempt,
        preemptDelayMs: m.instance.preemptDelayMs,
        ...(m.instance.authentication ? { auth: { type: 'pass' as const, password: m.instance.authentication.password } } : {}),
        unicastPeers: peers,
        trackedChecks: m.instance.trackChecks.map((t) => {
          const c = checks.get(t.check)!;
          return { name: t.check, weight: t.weight ?? c.weight, initiallyOk: !c.initFail };
        }),
        trackedInterfaces: m.instance.trackInterfaces.map((t) => t.interface),
        garpMasterDelayMs: m.instance.garpMasterDelayMs,
        garpMasterRepeat: m.instance.garpMasterRepeat,
        garpMasterRefreshMs: m.instance.garpMasterRefreshMs,
        garpMasterRefreshRepeat: m.instance.garpMasterRefreshRepeat,
        initialState: member.initialState,
        ...(resuming.has(m.instance.name) ? { resumeAsMaster: true } : {}),
      };
      const family = m.instance.family;
      const ifname = m.iface;
      const socket: VrrpSocket = new VrrpSocket(
        this.net,
        { family, ifname, multicast: peers.length === 0, src },
        (packet) => {
          const decoded = decodeAdvert(packet.data, { family, src: packet.src, dst: packet.dst, ttl: packet.ttl });
          if (!decoded.ok) {
            this.metrics.dropped.inc({ instance: m.instance.name, reason: decoded.reason });
            this.log.debug({ instance: m.instance.name, vrid: m.instance.vrid, reason: decoded.reason, detail: decoded.detail, src: packet.src }, 'packet dropped');
            return;
          }
          this.metrics.advertsReceived.inc({ instance: m.instance.name });
          void runner.deliver({ type: 'advert-received', advert: decoded.advert, src: packet.src, ttl: packet.ttl });
        },
        (err) => this.log.error({ err, instance: m.instance.name }, 'vrrp socket error'),
      );
      const destinations = peers.length ? peers : [family === 4 ? VRRP_MULTICAST_V4 : VRRP_MULTICAST_V6];
      const mac = this.net.interfaceInfo(ifname).mac;
      const runner: InstanceRunner = new InstanceRunner({
        config: machine,
        iface: ifname,
        vips: m.vips,
        sendAdvert: (advert: Advert) => {
          for (const dst of destinations) {
            try {
              socket.send(dst, encodeAdvert(advert, { family, src, dst }));
            } catch (e) {
              this.log.warn({ err: e, instance: m.instance.name, dst }, 'advert not sent');
            }
          }
        },
        addVips: (v) => this.vips.add(v),
        removeVips: (v) => this.vips.remove(v),
        announce: (v, count) => {
          for (const vip of v) {
            const bytes = parseAddress(vip.address)?.bytes ?? new Uint8Array(0);
            const frame = Buffer.from(vip.family === 4 ? garpFrame(this.net.interfaceInfo(vip.dev).mac || mac, bytes) : unsolicitedNaFrame(this.net.interfaceInfo(vip.dev).mac || mac, bytes));
            for (let i = 0; i < count; i++) {
              try {
                this.net.sendFrame(vip.dev, frame);
              } catch (e) {
                this.log.warn({ err: e, vip: vip.address }, 'announcement not sent');
              }
            }
          }
        },
        now: () => performance.now(),
        log: this.log,
        metrics: this.metrics,
        onTransition: () => this.saveWarm(),
      });
      socket.start();
      this.sockets.push(socket);
      this.runners.push(runner);
    }

    this.startLinkWatch();
    this.startChecks(spec);
    for (const r of this.runners) await r.start();
    if (resuming.size) this.log.info({ instances: [...resuming] }, 'warm restart: resumed as master');
    this.saveWarm();
    this.warmTimer = setInterval(() => this.saveWarm(), DEF_WARM_STATE_REFRESH_MS);
    await this.startMetrics();
    this.log.info({ node: this.cfg.node, instances: this.runners.map((r) => r.name) }, 'agent started');
  }

  private async applyNginx(spec: ClusterSpec): Promise<void> {
    // A VRRP-only spec (adopting the agent next to a hand-managed nginx) leaves nginx alone.
    if (spec.pools.length === 0 && spec.virtualServers.length === 0) return;
    try {
      await this.applyNginxConfig(spec);
    } catch (e) {
      // nginx trouble never stops VRRP: report it and go on.
      this.metrics.nginxReloads.inc({ result: 'failed' });
      this.log.error({ err: e }, 'nginx config not applied');
    }
  }

  private async applyNginxConfig(spec: ClusterSpec): Promise<void> {
    const n = this.cfg.nginx;
    const applier = new NginxApplier(realNginxExec({ binary: n.binary, args: ['-p', n.prefix, '-c', n.mainConfPath], pidFile: n.pidPath }, { failOnWarn: n.failOnWarn }), { confPath: n.confPath });
    let rendered: string;
    try {
      rendered = renderNginxConfig(spec, this.cfg.node);
    } catch (e) {
      this.log.error({ err: e }, 'nginx config not rendered');
      return;
    }
    const r = await applier.apply(rendered);
    this.metrics.nginxReloads.inc({ result: r.status });
    if (r.status === 'failed') this.log.error({ stage: r.stage, output: r.output, rolledBack: r.rolledBack }, 'nginx config not applied');
    else this.log.info({ status: r.status }, 'nginx config');
  }

  private startChecks(spec: ClusterSpec): void {
    const tracked = new Set(this.runners.flatMap((r) => (r.config.trackedChecks ?? []).map((c) => c.name)));
    const checks = spec.checks.filter((c) => tracked.has(c.name)).map((c) => buildCheck(c, this.cfg, (pid, onExit) => watchPidExit(this.net, pid, onExit)));
    this.scheduler = new HealthScheduler(checks, (r: CheckResult) => this.onCheck(r));
    this.scheduler.start();
  }

  private onCheck(r: CheckResult): void {
    this.metrics.checkResults.inc({ check: r.name, result: r.outcome.ok ? 'ok' : 'failed' });
    this.metrics.checkUp.set({ check: r.name }, r.ok ? 1 : 0);
    if (r.outcome.detail && /started it/.test(r.outcome.detail)) this.metrics.nginxRestarts.inc();
    if (r.changed || !r.outcome.ok || r.outcome.detail) this.log[r.ok ? 'info' : 'warn']({ check: r.name, ok: r.ok, changed: r.changed, detail: r.outcome.detail }, 'check result');
    if (!r.changed) return;
    for (const runner of this.runners) {
      if ((runner.config.trackedChecks ?? []).some((c) => c.name === r.name)) void runner.deliver({ type: 'track-changed', name: r.name, ok: r.ok });
    }
  }

  /** Link state of each instance's interface and tracked interfaces, polled (an ioctl) every 50 ms. */
  private startLinkWatch(): void {
    const last = new Map<string, boolean>();
    const poll = () => {
      for (const runner of this.runners) {
        const names = [runner.iface, ...(runner.config.trackedInterfaces ?? [])];
        for (const name of names) {
          let up: boolean;
          try {
            up = this.net.interfaceInfo(name).up;
          } catch {
            up = false;
          }
          const key = `${runner.name}/${name}`;
          const before = last.get(key);
          last.set(key, up);
          if (before === undefined ? up : before === up) continue;
          void runner.deliver(name === runner.iface ? { type: 'interface-changed', up } : { type: 'interface-changed', up, name });
        }
      }
    };
    poll();
    this.linkTimer = setInterval(poll, 50);
  }

  private async startMetrics(): Promise<void> {
    const m = this.cfg.metrics;
    if (!m) return;
    this.metricsServer = createServer((req, res) => {
      if (req.url !== DEF_METRICS_PATH) {
        res.writeHead(404).end();
        return;
      }
      this.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text),
        (e: Error) => res.writeHead(500).end(e.message),
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.metricsServer!.once('error', reject);
      this.metricsServer!.listen(m.port, m.address, () => resolve());
    });
  }

  /** The Prometheus text of the metrics (also served on the metrics endpoint). */
  metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }

  /** Delivers an admin command to an instance (promote, release, maintenance). */
  admin(instance: string, command: 'promote' | 'release' | 'maintenance-on' | 'maintenance-off'): Promise<void> {
    const r = this.runners.find((x) => x.name === instance);
    if (!r) throw new Error(`no instance ${instance} on this node`);
    return r.deliver({ type: 'admin', command });
  }

  /**
   * Stops in order: health checks, VRRP (priority-0 advert, VIPs removed), sockets, metrics —
   * within DEF_GRACEFUL_SHUTDOWN_MS. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.scheduler?.stop();
      if (this.linkTimer) clearInterval(this.linkTimer);
      if (this.warmTimer) clearInterval(this.warmTimer);
      const graceful = Promise.all(this.runners.map((r) => r.stop()));
      const deadline = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), DEF_GRACEFUL_SHUTDOWN_MS).unref());
      if ((await Promise.race([graceful, deadline])) === 'timeout') this.log.error('graceful stop timed out');
      this.saveWarmStopped();
      for (const s of this.sockets) s.stop();
      await new Promise<void>((r) => (this.metricsServer ? this.metricsServer.close(() => r()) : r()));
      this.log.info('agent stopped');
    })();
    return this.stopping;
  }

  /** After a graceful stop nothing is held: a restart must not resume as master. */
  private saveWarmStopped(): void {
    try {
      writeAtomic(this.warmFile(), JSON.stringify({ savedAt: 0, instances: {} } satisfies WarmState));
    } catch {
      // no state dir: nothing to forget
    }
  }
}
