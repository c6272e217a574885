import { effectivePriority } from '@keepwatch/vrrp';
import type {
  AgentConfig,
  ClusterSpec,
  Command,
  HandEditReplaced,
  HealthCheck,
  InstanceStatus,
  TlsMaterial,
} from '@keepwatch/shared';
import type { MetricsServer } from './metrics-server.js';
import type { InstanceRunner } from './vrrp/runner.js';
import { nodeInstances, vrrpPart } from './vrrp/instances.js';
import { buildLiveInstance, type LiveInstance, type LiveInstanceDeps } from './vrrp/live-instance.js';
import { reconcileRevision, type ReconcileDeps } from './reconcile/apply.js';
import type { LinkWatch } from './vrrp/link-watch.js';
import type { Vip } from './vip/addresses.js';
import type { Check } from './health/check.js';
import type { HealthScheduler, CheckResult } from './health/scheduler.js';
import { checkResultEvent, isNews, type ReportedCheck } from './health/report.js';
import type { NginxApplier } from './nginx/apply.js';
import { applyNginxSpec } from './nginx/spec-apply.js';
import type { TlsFiles } from './nginx/tls-files.js';
import type { AuthFiles } from './nginx/auth-files.js';
import type { NginxBuildProbe } from './nginx/build-info.js';
import { pidAlive, readPidFile } from './health/kinds/process.js';
import type { ApplyOutcome, ControlClient, ControlHandlers } from './control/client.js';
import { nextAdminState, runCommand, type AdminStateFile, type CommandOutcome } from './control/commands.js';
import type { RevisionFile } from './state/revision.js';
import type { WarmStateFile } from './state/warm.js';
import { DEF_GRACEFUL_SHUTDOWN_MS } from './config/defaults.js';
import { hostLookups, scriptPolicyViolations } from './health/script-policy.js';

/** The modules the agent runs, built by the composition root (main.ts) and handed in (STYLE §G35). */
export type AgentModules = Omit<LiveInstanceDeps, 'onTransition'> & {
  cfg: AgentConfig;
  scheduler: HealthScheduler;
  /** A spec's health check made runnable on this host (health/build-checks.ts). */
  buildCheck(check: HealthCheck): Check;
  linkWatch: LinkWatch;
  nginx: NginxApplier;
  tlsFiles: TlsFiles;
  authFiles?: AuthFiles;
  nginxBuild: NginxBuildProbe;
  metricsServer: MetricsServer;
  /** Null when the agent runs standalone from its config file. */
  control: ControlClient | null;
  /** Null when standalone (there are no pushed revisions). */
  revisionFile: RevisionFile | null;
  warmFile: WarmStateFile;
  adminFile: AdminStateFile;
};

/**
 * One node of one spec: brings the spec up (stale VIPs removed, nginx applied, VRRP instances,
 * link watch and checks started), applies pushed revisions, answers heartbeats and commands, and
 * stops in the order of STYLE §G36 within a hard deadline. The modules are handed in; the
 * constructor only keeps them.
 */
export class Agent {
  private live: LiveInstance[] = [];
  private stopping: Promise<void> | null = null;
  /** The spec running now (null: waiting for the control plane's first revision). */
  private running: ClusterSpec | null = null;
  private appliedRevision: number | null = null;
  private readonly since = new Map<string, { at: number; priority: number }>();
  /** Per check: what the control plane last heard (status and rise/fall counters). */
  private readonly reportedChecks = new Map<string, ReportedCheck>();

  /** What building an instance needs: the modules, and where its transitions go. */
  private readonly liveDeps: LiveInstanceDeps;
  private readonly reconcileDeps: ReconcileDeps;

  constructor(private readonly m: AgentModules) {
    this.liveDeps = {
      ...m,
      onTransition: (vrid, t) => {
        this.saveWarm();
        this.since.set(t.instance, { at: t.at, priority: t.priority });
        m.control?.emit({ v: 1, type: 'state-transition', vrid, ...t });
        m.control?.heartbeatSoon();
      },
    };
    this.reconcileDeps = {
      ...m,
      node: m.cfg.node,
      build: (spec, x) => buildLiveInstance(this.liveDeps, spec, x, m.adminFile.current, false),
      admin: () => m.adminFile.current,
    };
  }

  private get runners(): InstanceRunner[] {
    return this.live.map((l) => l.runner);
  }

  /** Every VIP this node could hold (for start-up and exit clean-up). */
  allVips(): Vip[] {
    const spec = this.running ?? this.m.revisionFile?.read()?.spec ?? this.m.cfg.spec;
    if (!spec) throw new Error('no spec: the control plane has not sent a revision yet');
    return nodeInstances(spec, this.m.cfg.node).flatMap((x) => x.vips);
  }

  /** Removes every VIP of this node's instances from its interfaces (`keepwatch-agent cleanup`). */
  async cleanup(): Promise<Vip[]> {
    const present = await this.m.vips.present(this.allVips());
    await this.m.vips.remove(present);
    return present;
  }

  async start(): Promise<void> {
    const { cfg, log } = this.m;
    const last = this.m.revisionFile?.read() ?? null;
    const spec = last?.spec ?? cfg.spec ?? null;
    if (last) {
      this.appliedRevision = last.revision;
      log.info({ revision: last.revision }, 'running the last applied revision');
    }
    let replaced: HandEditReplaced | undefined;
    if (spec) {
      const resuming = await this.prepareVips(spec);
      const nginx = await applyNginxSpec(this.m, spec, last?.tls);
      if (nginx.ok) replaced = nginx.replaced;
      await this.startVrrp(spec, resuming);
    } else log.warn('no spec yet: waiting for the control plane');
    await this.m.metricsServer.start();
    this.m.control?.start();
    // The start put back a file edited while the agent was down: the dashboard audits it.
    if (last && replaced)
      this.m.control?.emit({
        v: 1,
        type: 'apply-result',
        at: Date.now(),
        revision: last.revision,
        outcome: 'applied',
        handEditReplaced: replaced,
      });
    log.info({ node: cfg.node, instances: this.runners.map((r) => r.name) }, 'agent started');
    if (cfg.controlPlane && !cfg.scripts)
      log.warn(
        'no script policy in the config: the dashboard can make this agent run any command as root — add "scripts": {} (the defaults) to bound it',
      );
  }

  /**
   * Removes VIPs an earlier run left (a crash, or another daemon): they are not ours until VRRP
   * says so, unless this is a warm restart of an instance that was master a moment ago. Returns
   * the instances that resume as master.
   */
  private async prepareVips(spec: ClusterSpec): Promise<Set<string>> {
    const members = nodeInstances(spec, this.m.cfg.node);
    const resuming = this.m.warmFile.resuming(members.map((x) => x.instance));
    const keep = new Set(
      members.filter((x) => resuming.has(x.instance.name)).flatMap((x) => x.vips.map((v) => v.address)),
    );
    const stale = (await this.m.vips.present(members.flatMap((x) => x.vips))).filter((v) => !keep.has(v.address));
    if (stale.length) {
      await this.m.vips.remove(stale);
      this.m.log.warn({ vips: stale.map((v) => v.address) }, 'removed VIPs this node does not own');
    }
    return resuming;
  }

  /** Builds and starts the VRRP instances on the shared transport, the link watch and the checks for `spec`. */
  private async startVrrp(spec: ClusterSpec, resuming: Set<string>): Promise<void> {
    const { cfg, log, transport } = this.m;
    this.running = spec;
    const admin = this.m.adminFile.current;
    if (admin.maintenance || admin.promoted.length)
      log.info({ maintenance: admin.maintenance, promoted: admin.promoted }, 'operator overrides restored');
    const live: LiveInstance[] = [];
    for (const x of nodeInstances(spec, cfg.node))
      live.push(await buildLiveInstance(this.liveDeps, spec, x, admin, resuming.has(x.instance.name)));
    // STYLE §G36: a stop that arrived while the source addresses were looked up aborts the start.
    if (this.stopping) return;
    this.live = live;
    const runners = this.runners;
    transport.start(live.map((l) => l.endpoint));
    this.m.linkWatch.start(runners);
    this.startChecks(spec);
    for (const r of runners) await r.start();
    if (this.stopping) return;
    if (resuming.size) log.info({ instances: [...resuming] }, 'warm restart: resumed as master');
    // Then on every transition; a master's adverts keep it dated (state/warm.ts).
    this.saveWarm();
  }

  private saveWarm(): void {
    this.m.warmFile.save(this.runners.map((r) => ({ name: r.name, state: r.current().vrrpState })));
  }

  /**
   * The one stop path of the VRRP part (the agent's stop; a revision reconciles instead): health
   * checks, link watch, every instance (priority-0 advert, VIPs removed) within
   * DEF_GRACEFUL_SHUTDOWN_MS, then the sockets.
   */
  private async stopVrrp(): Promise<void> {
    this.m.scheduler.stop();
    this.m.linkWatch.stop();
    const graceful = Promise.all(this.runners.map((r) => r.stop()));
    const deadline = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), DEF_GRACEFUL_SHUTDOWN_MS).unref());
    if ((await Promise.race([graceful, deadline])) === 'timeout') this.m.log.error('graceful stop timed out');
    this.m.transport.stop();
  }

  /**
   * Applies a revision pushed by the control plane: nginx first (render → test → reload, rolled
   * back on failure — then nothing else changes and the old revision keeps running). When the
   * VRRP part of the spec changed, it is reconciled as keepalived's reload does (reconcile/):
   * unchanged instances and checks are not touched, settings change in place, and only an
   * instance whose interface, VRID, version or family changed is stopped and started.
   */
  private async applyRevision(revision: number, spec: ClusterSpec, tls?: TlsMaterial): Promise<ApplyOutcome> {
    const failed = (stage: Extract<ApplyOutcome, { outcome: 'failed' }>['stage'], message: string, output = '') =>
      ({
        outcome: 'failed',
        stage,
        message,
        nginxOutput: output.slice(-60_000),
        runningRevision: this.appliedRevision,
      }) satisfies ApplyOutcome;
    const node = this.m.cfg.node;
    if (!spec.nodes.some((n) => n.name === node)) return failed('validate', `node "${node}" is not in the spec`);
    // The host's script policy bounds what the dashboard can make this agent run: nothing of a
    // revision that exceeds it runs (issue #15 finding 1).
    const refused = scriptPolicyViolations(spec.checks, this.m.cfg, hostLookups());
    if (refused.length) return failed('validate', `refused by this host's script policy: ${refused.join('; ')}`);
    if (this.stopping) return failed('vrrp', 'the agent is stopping');
    const nginx = await applyNginxSpec(this.m, spec, tls);
    if (!nginx.ok) return failed(nginx.stage, nginx.message, nginx.output);
    if (this.stopping) return failed('vrrp', 'the agent is stopping');
    try {
      if (this.running === null) await this.startVrrp(spec, await this.prepareVips(spec));
      else if (vrrpPart(this.running) !== vrrpPart(spec)) {
        this.live = await reconcileRevision(this.reconcileDeps, this.live, this.running, spec);
        this.running = spec;
        this.saveWarm();
      } else this.running = spec;
    } catch (e) {
      this.m.log.error({ err: e, revision }, 'VRRP settings not applied');
      return failed('vrrp', (e as Error).message);
    }
    this.appliedRevision = revision;
    this.reportedChecks.clear();
    this.m.revisionFile?.write({ revision, spec, ...(tls ? { tls } : {}) });
    this.m.log.info({ revision }, 'revision applied');
    return { outcome: 'applied', ...(nginx.replaced ? { handEditReplaced: nginx.replaced } : {}) };
  }

  /** What the control client calls (handed to it by main.ts). */
  readonly controlHandlers: ControlHandlers = {
    applyRevision: (revision, spec, tls) => this.applyRevision(revision, spec, tls),
    appliedRevision: () => this.appliedRevision,
    heartbeat: () => this.heartbeat(),
    command: (c: Command) => this.command(c),
  };

  /** The live part of a heartbeat: every instance's state and nginx's master. */
  private heartbeat(): ReturnType<ControlHandlers['heartbeat']> {
    const pid = readPidFile(this.m.cfg.nginx.pidPath);
    const running = pid !== null && pidAlive(pid);
    const instances = this.runners.map((r): InstanceStatus => {
      const st = r.current();
      const s = this.since.get(r.name);
      return {
        instance: r.name,
        vrid: r.vrid,
        state: st.vrrpState,
        basePriority: r.config.basePriority,
        // The machine's own, so an edit applied in place (priority, a weight) shows at once.
        effectivePriority:
          st.vrrpState === 'initialize' ? (s?.priority ?? r.config.basePriority) : effectivePriority(st),
        holdsVips: st.vrrpState === 'master',
        since: s?.at ?? Date.now(),
        override: st.promoted ? 'promoted' : 'none',
      };
    });
    // Without instances (no spec yet) the persisted flag is what will apply when they start.
    const maintenance = this.runners.length
      ? this.runners.some((r) => r.current().maintenance)
      : this.m.adminFile.current.maintenance;
    const nginx = { running, pid: running ? pid : null, ...this.m.nginx.status(running ? pid : null) };
    return { maintenance, nginx, instances };
  }

  private startChecks(spec: ClusterSpec): void {
    const tracked = new Set(this.runners.flatMap((r) => (r.config.trackedChecks ?? []).map((c) => c.name)));
    this.m.scheduler.setChecks(spec.checks.filter((c) => tracked.has(c.name)).map((c) => this.m.buildCheck(c)));
    this.m.scheduler.start();
  }

  /** A health check's result (the scheduler calls it; main.ts wires it). */
  onCheck(r: CheckResult): void {
    const { metrics, control, log } = this.m;
    metrics.checkResults.inc({ check: r.name, result: r.outcome.ok ? 'ok' : 'failed' });
    metrics.checkUp.set({ check: r.name }, r.ok ? 1 : 0);
    if (r.outcome.restarted) metrics.nginxRestarts.inc();
    // To the control plane: each check's first run after a start or an apply (the HA-aware
    // rollout waits for a backup's checks to report healthy after it applied), every change, and
    // every move of its rise/fall counters; not every steady run.
    if (control && isNews(this.reportedChecks.get(r.name), r)) {
      const event = checkResultEvent(r);
      const { consecutiveOk, consecutiveFailed } = r;
      this.reportedChecks.set(r.name, { status: event.status, consecutiveOk, consecutiveFailed });
      control.emit(event);
    }
    if (r.changed || !r.outcome.ok || r.outcome.detail)
      log[r.ok ? 'info' : 'warn'](
        { check: r.name, ok: r.ok, changed: r.changed, detail: r.outcome.detail },
        'check result',
      );
    if (!r.changed) return;
    for (const runner of this.runners) {
      if ((runner.config.trackedChecks ?? []).some((c) => c.name === r.name))
        void runner.deliver({ type: 'track-changed', name: r.name, ok: r.ok });
    }
  }

  /** The Prometheus text of the metrics (also served on the metrics endpoint). */
  metricsText(): Promise<string> {
    return this.m.metrics.registry.metrics();
  }

  /**
   * Carries out a failover command from the control plane (promote/release on one instance,
   * maintenance on every instance) and persists what must survive a restart.
   */
  async command(command: Command): Promise<CommandOutcome> {
    if (this.stopping) return { outcome: 'refused', reason: 'not-running: the agent is stopping' };
    const outcome = await runCommand(command, this.runners);
    this.m.adminFile.set(nextAdminState(this.m.adminFile.current, command, outcome));
    return outcome;
  }

  /**
   * The one stop path (STYLE §G36): health checks and VRRP (priority-0 advert, VIPs removed)
   * within DEF_GRACEFUL_SHUTDOWN_MS, then the control-plane socket (its outbox, with the
   * transitions, written to disk), then the metrics endpoint. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.stopVrrp();
      this.m.warmFile.saveStopped();
      await this.m.control?.stop();
      await this.m.metricsServer.stop();
      this.m.log.info('agent stopped');
    })();
    return this.stopping;
  }
}
