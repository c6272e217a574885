import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeAdvert,
  encodeAdvert,
  parseAddress,
  VRRP_MULTICAST_V4,
  VRRP_MULTICAST_V6,
  type Advert,
  type InstanceConfig,
} from '@keepwatch/vrrp';
import {
  ClusterSpecSchema,
  renderNginxConfig,
  type AgentConfig,
  type ClusterSpec,
  type Command,
  type InstanceStatus,
  type VrrpInstance,
} from '@keepwatch/shared';
import type { Logger } from './log.js';
import { AgentMetrics } from './metrics.js';
import type { NativeNet } from './transport/native.js';
import { VrrpSocket } from './transport/vrrp-socket.js';
import { watchPidExit } from './transport/pid-watch.js';
import { InstanceRunner } from './vrrp/runner.js';
import { VipActuator, type Vip } from './vip/addresses.js';
import { garpFrame, unsolicitedNaFrame } from './vip/frames.js';
import { HealthScheduler, type CheckResult } from './health/scheduler.js';
import { checkResultEvent, isNews, type ReportedCheck } from './health/report.js';
import { buildCheck } from './build-checks.js';
import { NginxApplier, writeAtomic } from './nginx/apply.js';
import { realNginxExec } from './nginx/exec.js';
import { primaryAddress } from './interfaces.js';
import { pidAlive, readPidFile } from './health/kinds/process.js';
import { ControlClient, type ApplyOutcome } from './control/client.js';
import { AdminStateFile, nextAdminState, runCommand, type CommandOutcome } from './control/commands.js';
import { readOptional, writePrivate } from './control/files.js';
import {
  DEF_GRACEFUL_SHUTDOWN_MS,
  DEF_METRICS_PATH,
  DEF_WARM_RESTART_MAX_AGE_MS,
  DEF_WARM_STATE_REFRESH_MS,
} from './config/defaults.js';

/** What the agent persists for a warm restart: each instance's last state and when. */
type WarmState = { savedAt: number; instances: Record<string, { state: string; promoted?: boolean }> };

type Member = { instance: VrrpInstance; iface: string; vips: Vip[]; machine: InstanceConfig };

/** Injected dependencies beyond the config (STYLE §G35); all optional. */
export type AgentDeps = {
  /** Uniform in [0, 1): the control-plane reconnect jitter. */
  rng?: () => number;
};

/** The last revision applied from the control plane, kept in the state directory. */
type RevisionFile = { revision: number; spec: ClusterSpec };

/** The parts of a spec the VRRP runners and checks are built from; a change there recreates them. */
function vrrpPart(spec: ClusterSpec): string {
  return JSON.stringify([spec.nodes, spec.vrrpInstances, spec.checks]);
}

/** This node's part of a spec: the instances it is a member of, with their VIPs resolved. */
export function nodeInstances(spec: ClusterSpec, node: string): Omit<Member, 'machine'>[] {
  const out: Omit<Member, 'machine'>[] = [];
  for (const instance of spec.vrrpInstances) {
    const member = instance.members.find((m) => m.node === node);
    if (!member) continue;
    const iface = member.interface ?? instance.interface;
    const vips = instance.vips.map((v) => ({
      address: v.address,
      prefix: v.prefix ?? (instance.family === 4 ? 32 : 128),
      dev: v.dev ?? iface,
      family: instance.family,
    }));
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
  private control: ControlClient | null = null;
  /** The spec running now (null: waiting for the control plane's first revision). */
  private running: ClusterSpec | null = null;
  private appliedRevision: number | null = null;
  private readonly since = new Map<string, { at: number; priority: number }>();
  /** Per check: what the control plane last heard (status and rise/fall counters). */
  private readonly reportedChecks = new Map<string, ReportedCheck>();
  private adminFile: AdminStateFile | null = null;

  constructor(
    private readonly cfg: AgentConfig,
    private readonly net: NativeNet,
    private readonly log: Logger,
    private readonly deps: AgentDeps = {},
  ) {}

  private get spec(): ClusterSpec {
    const spec = this.running ?? this.readRevision()?.spec ?? this.cfg.spec;
    if (!spec) throw new Error('no spec: the control plane has not sent a revision yet');
    return spec;
  }

  private revisionFile(): string {
    return join(this.cfg.stateDir, 'revision.json');
  }

  /** The last applied revision (control-plane mode), validated again: the file is outside our control. */
  private readRevision(): RevisionFile | null {
    if (!this.cfg.controlPlane) return null;
    const text = readOptional(this.revisionFile());
    if (text === null) return null;
    try {
      const raw = JSON.parse(text) as { revision?: unknown; spec?: unknown };
      const spec = ClusterSpecSchema.safeParse(raw.spec);
      if (typeof raw.revision === 'number' && Number.isSafeInteger(raw.revision) && raw.revision > 0 && spec.success)
        return { revision: raw.revision, spec: spec.data };
    } catch {
      // reported below
    }
    this.log.warn({ file: this.revisionFile() }, 'last applied revision unreadable; waiting for the control plane');
    return null;
  }

  /** The operator's sticky commands (standing promotes, maintenance), kept across restarts. */
  private adminState(): AdminStateFile {
    this.adminFile ??= new AdminStateFile(this.cfg.stateDir, (err, what) => this.log.warn({ err }, what));
    return this.adminFile;
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
    const last = this.readRevision();
    const spec = last?.spec ?? this.cfg.spec ?? null;
    if (last) {
      this.appliedRevision = last.revision;
      this.log.info({ revision: last.revision }, 'running the last applied revision');
    }
    if (spec) {
      const resuming = await this.prepareVips(spec);
      await this.applyNginx(spec);
      await this.startVrrp(spec, resuming);
    } else this.log.warn('no spec yet: waiting for the control plane');
    await this.startMetrics();
    if (this.cfg.controlPlane) {
      this.control = new ControlClient({
        controlPlane: this.cfg.controlPlane,
        node: this.cfg.node,
        stateDir: this.cfg.stateDir,
        log: this.log.child({ component: 'control' }),
        rng: this.deps.rng ?? Math.random,
        handlers: {
          applyRevision: (revision, next) => this.applyRevision(revision, next),
          appliedRevision: () => this.appliedRevision,
          heartbeat: () => this.heartbeat(),
          command: (c) => this.command(c),
        },
      });
      this.control.start();
    }
    this.log.info({ node: this.cfg.node, instances: this.runners.map((r) => r.name) }, 'agent started');
  }

  /**
   * Removes VIPs an earlier run left (a crash, or another daemon): they are not ours until VRRP
   * says so, unless this is a warm restart of an instance that was master a moment ago. Returns
   * the instances that resume as master.
   */
  private async prepareVips(spec: ClusterSpec): Promise<Set<string>> {
    const members = nodeInstances(spec, this.cfg.node);
    const warm = this.readWarm();
    const resuming = new Set(members.filter((m) => this.resumes(warm, m.instance)).map((m) => m.instance.name));
    const keep = new Set(
      members.filter((m) => resuming.has(m.instance.name)).flatMap((m) => m.vips.map((v) => v.address)),
    );
    const stale = (await this.vips.present(members.flatMap((m) => m.vips))).filter((v) => !keep.has(v.address));
    if (stale.length) {
      await this.vips.remove(stale);
      this.log.warn({ vips: stale.map((v) => v.address) }, 'removed VIPs this node does not own');
    }
    return resuming;
  }

  /** Builds and starts the VRRP runners, link watch and health checks for `spec`. */
  private async startVrrp(spec: ClusterSpec, resuming: Set<string>): Promise<void> {
    this.running = spec;
    const members = nodeInstances(spec, this.cfg.node);
    const admin = this.adminState().current;
    if (admin.maintenance || admin.promoted.length)
      this.log.info({ maintenance: admin.maintenance, promoted: admin.promoted }, 'operator overrides restored');

    for (const m of members) {
      const member = m.instance.members.find((x) => x.node === this.cfg.node)!;
      const src =
        member.unicastSrcIp ??
        (await primaryAddress(
          m.iface,
          m.instance.family,
          m.vips.map((v) => v.address),
        ));
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
        ...(m.instance.authentication
          ? { auth: { type: 'pass' as const, password: m.instance.authentication.password } }
          : {}),
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
        // A standing promote goes straight back to Master; maintenance wins over it (vrrp README).
        ...(admin.promoted.includes(m.instance.name) ? { promoted: true } : {}),
        ...(admin.maintenance ? { maintenance: true } : {}),
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
            this.log.debug(
              {
                instance: m.instance.name,
                vrid: m.instance.vrid,
                reason: decoded.reason,
                detail: decoded.detail,
                src: packet.src,
              },
              'packet dropped',
            );
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
            const devMac = vip.dev === ifname ? mac : this.net.interfaceInfo(vip.dev).mac;
            const frame = Buffer.from(vip.family === 4 ? garpFrame(devMac, bytes) : unsolicitedNaFrame(devMac, bytes));
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
        onTransition: (t) => {
          this.saveWarm();
          this.since.set(t.instance, { at: t.at, priority: t.priority });
          this.control?.emit({
            v: 1,
            type: 'state-transition',
            at: t.at,
            instance: t.instance,
            vrid: m.instance.vrid,
            from: t.from,
            to: t.to,
            reason: t.reason,
            priority: t.priority,
          });
          this.control?.heartbeatSoon();
        },
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
  }

  /** Stops checks, link watch and every instance (priority-0 advert, VIPs removed) within the deadline. */
  private async stopVrrp(): Promise<void> {
    this.scheduler?.stop();
    this.scheduler = null;
    if (this.linkTimer) clearInterval(this.linkTimer);
    if (this.warmTimer) clearInterval(this.warmTimer);
    this.linkTimer = null;
    this.warmTimer = null;
    const graceful = Promise.all(this.runners.map((r) => r.stop()));
    const deadline = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), DEF_GRACEFUL_SHUTDOWN_MS).unref());
    if ((await Promise.race([graceful, deadline])) === 'timeout') this.log.error('graceful stop timed out');
    for (const s of this.sockets) s.stop();
    this.sockets.length = 0;
    this.runners.length = 0;
  }

  /**
   * Applies a revision pushed by the control plane: nginx first (render → test → reload, rolled
   * back on failure — then nothing else changes and the old revision keeps running). When the
   * VRRP part of the spec changed, the instance runners and checks are shut down (priority 0,
   * VIPs released) and recreated from the new spec: the simplest correct way for now, at the
   * cost of one failover of this node's instances.
   */
  private async applyRevision(revision: number, spec: ClusterSpec): Promise<ApplyOutcome> {
    const failed = (
      stage: 'validate' | 'render' | 'test' | 'reload' | 'verify' | 'vrrp',
      message: string,
      nginxOutput = '',
    ): ApplyOutcome => ({
      outcome: 'failed',
      stage,
      message,
      nginxOutput: nginxOutput.slice(-60_000),
      runningRevision: this.appliedRevision,
    });
    if (!spec.nodes.some((n) => n.name === this.cfg.node))
      return failed('validate', `node "${this.cfg.node}" is not in the spec`);
    if (this.stopping) return failed('vrrp', 'the agent is stopping');
    const nginx = await this.nginxResult(spec);
    if (!nginx.ok) return failed(nginx.stage, nginx.message, nginx.output);
    if (this.stopping) return failed('vrrp', 'the agent is stopping');
    try {
      if (this.running === null) await this.startVrrp(spec, await this.prepareVips(spec));
      else if (vrrpPart(this.running) !== vrrpPart(spec)) {
        this.log.info({ revision }, 'VRRP settings changed: recreating the instances');
        await this.stopVrrp();
        await this.startVrrp(spec, await this.prepareVips(spec));
      } else this.running = spec;
    } catch (e) {
      this.log.error({ err: e, revision }, 'VRRP settings not applied');
      return failed('vrrp', (e as Error).message);
    }
    this.appliedRevision = revision;
    this.reportedChecks.clear();
    try {
      writePrivate(this.revisionFile(), JSON.stringify({ revision, spec } satisfies RevisionFile));
    } catch (e) {
      this.log.warn({ err: e }, 'applied revision not saved');
    }
    this.log.info({ revision }, 'revision applied');
    return { outcome: 'applied' };
  }

  /** nginx for a pushed revision, with the result the apply-result needs. */
  private async nginxResult(
    spec: ClusterSpec,
  ): Promise<
    { ok: true } | { ok: false; stage: 'render' | 'test' | 'reload' | 'verify'; message: string; output: string }
  > {
    if (spec.pools.length === 0 && spec.virtualServers.length === 0) return { ok: true };
    let rendered: string;
    try {
      rendered = renderNginxConfig(spec, this.cfg.node);
    } catch (e) {
      return { ok: false, stage: 'render', message: (e as Error).message, output: '' };
    }
    try {
      const r = await this.nginxApplier().apply(rendered);
      this.metrics.nginxReloads.inc({ result: r.status });
      if (r.status !== 'failed') return { ok: true };
      this.log.error({ stage: r.stage, output: r.output, rolledBack: r.rolledBack }, 'nginx config not applied');
      return {
        ok: false,
        stage: r.stage,
        message: `nginx ${r.stage === 'test' ? '-t' : r.stage} failed${r.rolledBack ? '; the last good config was restored' : ''}`,
        output: r.output,
      };
    } catch (e) {
      this.metrics.nginxReloads.inc({ result: 'failed' });
      return { ok: false, stage: 'reload', message: (e as Error).message, output: '' };
    }
  }

  private nginxApplier(): NginxApplier {
    const n = this.cfg.nginx;
    return new NginxApplier(
      realNginxExec(
        { binary: n.binary, args: ['-p', n.prefix, '-c', n.mainConfPath], pidFile: n.pidPath },
        { failOnWarn: n.failOnWarn },
      ),
      { confPath: n.confPath },
    );
  }

  /** The live part of a heartbeat: every instance's state and nginx's master. */
  private heartbeat(): {
    maintenance: boolean;
    nginx: { running: boolean; pid: number | null };
    instances: InstanceStatus[];
  } {
    const pid = readPidFile(this.cfg.nginx.pidPath);
    const running = pid !== null && pidAlive(pid);
    const instances = this.runners.map((r): InstanceStatus => {
      const st = r.current();
      const s = this.since.get(r.name);
      return {
        instance: r.name,
        vrid: r.vrid,
        state: st.vrrpState,
        basePriority: r.config.basePriority,
        effectivePriority: s?.priority ?? r.config.basePriority,
        holdsVips: st.vrrpState === 'master',
        since: s?.at ?? Date.now(),
        override: st.promoted ? 'promoted' : 'none',
      };
    });
    // Without instances (no spec yet) the persisted flag is what will apply when they start.
    const maintenance = this.runners.length
      ? this.runners.some((r) => r.current().maintenance)
      : this.adminState().current.maintenance;
    return { maintenance, nginx: { running, pid: running ? pid : null }, instances };
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
    const applier = this.nginxApplier();
    let rendered: string;
    try {
      rendered = renderNginxConfig(spec, this.cfg.node);
    } catch (e) {
      this.log.error({ err: e }, 'nginx config not rendered');
      return;
    }
    const r = await applier.apply(rendered);
    this.metrics.nginxReloads.inc({ result: r.status });
    if (r.status === 'failed')
      this.log.error({ stage: r.stage, output: r.output, rolledBack: r.rolledBack }, 'nginx config not applied');
    else this.log.info({ status: r.status }, 'nginx config');
  }

  private startChecks(spec: ClusterSpec): void {
    const tracked = new Set(this.runners.flatMap((r) => (r.config.trackedChecks ?? []).map((c) => c.name)));
    const checks = spec.checks
      .filter((c) => tracked.has(c.name))
      .map((c) => buildCheck(c, this.cfg, (pid, onExit) => watchPidExit(this.net, pid, onExit)));
    this.scheduler = new HealthScheduler(checks, (r: CheckResult) => this.onCheck(r));
    this.scheduler.start();
  }

  private onCheck(r: CheckResult): void {
    this.metrics.checkResults.inc({ check: r.name, result: r.outcome.ok ? 'ok' : 'failed' });
    this.metrics.checkUp.set({ check: r.name }, r.ok ? 1 : 0);
    if (r.outcome.restarted) this.metrics.nginxRestarts.inc();
    // To the control plane: each check's first run after a start or an apply (the HA-aware
    // rollout waits for a backup's checks to report healthy after it applied), every change, and
    // every move of its rise/fall counters; not every steady run.
    if (this.control && isNews(this.reportedChecks.get(r.name), r)) {
      const event = checkResultEvent(r);
      this.reportedChecks.set(r.name, {
        status: event.status,
        consecutiveOk: r.consecutiveOk,
        consecutiveFailed: r.consecutiveFailed,
      });
      this.control.emit(event);
    }
    if (r.changed || !r.outcome.ok || r.outcome.detail)
      this.log[r.ok ? 'info' : 'warn'](
        { check: r.name, ok: r.ok, changed: r.changed, detail: r.outcome.detail },
        'check result',
      );
    if (!r.changed) return;
    for (const runner of this.runners) {
      if ((runner.config.trackedChecks ?? []).some((c) => c.name === r.name))
        void runner.deliver({ type: 'track-changed', name: r.name, ok: r.ok });
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
          void runner.deliver(
            name === runner.iface ? { type: 'interface-changed', up } : { type: 'interface-changed', up, name },
          );
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

  /**
   * Carries out a failover command from the control plane (promote/release on one instance,
   * maintenance on every instance) and persists what must survive a restart.
   */
  async command(command: Command): Promise<CommandOutcome> {
    if (this.stopping) return { outcome: 'refused', reason: 'not-running: the agent is stopping' };
    const outcome = await runCommand(command, this.runners);
    this.adminState().set(nextAdminState(this.adminState().current, command, outcome));
    return outcome;
  }

  /** Delivers an admin command to an instance (promote, release, maintenance). */
  async admin(
    instance: string,
    command: 'promote' | 'release' | 'maintenance-on' | 'maintenance-off',
  ): Promise<CommandOutcome> {
    if (command === 'maintenance-on' || command === 'maintenance-off')
      return this.command({ kind: 'maintenance', enabled: command === 'maintenance-on' });
    return this.command({ kind: command, instance });
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
      // STYLE §G36: after VRRP shutdown (its transitions are in the outbox), close the control
      // socket and write the outbox to disk.
      await this.control?.stop();
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
