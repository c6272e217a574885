// The imperative shell of a revision's reconciliation: carries out reconcile/plan.ts's plan on
// the running instances, the wire, the link watch and the health checks. What is unchanged is
// not touched (no advert, no address change, no check restart).
import type { ClusterSpec, HealthCheck } from '@keepwatch/shared';
import type { AdminState } from '../control/commands.js';
import type { Check } from '../health/check.js';
import type { HealthScheduler } from '../health/scheduler.js';
import type { Logger } from '../log.js';
import type { AgentMetrics } from '../metrics.js';
import type { VrrpTransport } from '../transport/vrrp-transport.js';
import { authHmacConfig, instanceConfig, nodeInstances, type NodeInstance } from '../vrrp/instances.js';
import type { LinkWatch } from '../vrrp/link-watch.js';
import type { LiveInstance } from '../vrrp/live-instance.js';
import { planRevision, runnableChecks, type RevisionPlan } from './plan.js';

export type ReconcileDeps = {
  node: string;
  log: Logger;
  metrics: AgentMetrics;
  transport: VrrpTransport;
  linkWatch: LinkWatch;
  scheduler: HealthScheduler;
  buildCheck(check: HealthCheck): Check;
  /** Builds (does not start) one instance of `spec` (vrrp/live-instance.ts). */
  build(spec: ClusterSpec, x: NodeInstance): Promise<LiveInstance>;
  admin(): AdminState;
};

/** A one-line summary of a plan for the log: what is not unchanged. */
export function planSummary(plan: RevisionPlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of plan.instances) {
    if (i.kind === 'update') out[i.name] = `update ${i.settings.join(',')}`;
    else if (i.kind === 'restart') out[i.name] = `restart (${i.causes.join(',')})`;
    else if (i.kind !== 'unchanged') out[i.name] = i.kind;
  }
  for (const c of plan.checks) if (c.kind !== 'unchanged') out[`check ${c.name}`] = c.kind;
  return out;
}

/**
 * Moves this node from `running` to `next`, returning the instances that run afterwards:
 * 1. instances this node leaves while others keep running them hand over (a master: priority 0,
 *    VIPs kept until the new master is heard) and stop; deleted instances, and those whose
 *    interface, VRID, version, family, source address or a VIP's device changed, stop (priority-0
 *    advert, VIPs released); all while the wire still has them;
 * 2. their replacements and the added instances are built;
 * 3. the wire is reopened only when its endpoints changed (stop + start in one synchronous run:
 *    no advert is sent or handled in between);
 * 4. changed instances take their new settings in place (@keepwatch/vrrp `reconfigure`);
 * 5. the link watch follows the new set without starting over;
 * 6. checks: unchanged ones untouched, changed ones restarted keeping their rise/fall state,
 *    added started, removed stopped (their gauge removed); each changed or new instance is told
 *    the current status of its tracked checks; then the new instances start.
 *
 * Edits that move the master are make-before-break here, not in the rollout order: a priority
 * change (either node's) is taken in place, and the protocol then moves the master as a promote
 * does — the new master adds the VIPs before its first advert, and the old one steps down on
 * hearing it (no priority 0); a removed master hands over (step 1). v2 password and interval
 * changes are staged in the machine (`previousAccepted`), so the order the nodes apply in does
 * not split them.
 */
export async function reconcileRevision(
  d: ReconcileDeps,
  live: readonly LiveInstance[],
  running: ClusterSpec,
  next: ClusterSpec,
): Promise<LiveInstance[]> {
  const plan = planRevision(running, next, d.node);
  if (plan.nothing) return [...live];
  d.log.info({ plan: planSummary(plan) }, 'reconciling the revision');
  const byName = new Map(live.map((l) => [l.runner.name, l]));
  const kinds = new Map(plan.instances.map((p) => [p.name, p]));
  const leaving = plan.instances.filter((p) => p.kind === 'remove' || p.kind === 'restart');
  // A master whose member was removed hands over to the instance's other members before it stops
  // (make-before-break). A deleted instance has nobody to hand over to, nor has a restarted one
  // (it comes back under another VRID, interface or address): they stop at once.
  const stillRuns = new Set(next.vrrpInstances.map((i) => i.name));
  const leave = (p: (typeof leaving)[number]) => {
    const runner = byName.get(p.name)?.runner;
    return p.kind === 'remove' && stillRuns.has(p.name) ? runner?.retire() : runner?.stop();
  };
  await Promise.all(leaving.map(leave));

  const out: LiveInstance[] = [];
  const fresh: LiveInstance[] = [];
  const updated: { l: LiveInstance; x: NodeInstance }[] = [];
  let rewire = leaving.length > 0;
  for (const x of nodeInstances(next, d.node)) {
    const p = kinds.get(x.instance.name);
    const old = byName.get(x.instance.name);
    if (!old || !p || p.kind === 'add' || p.kind === 'restart') {
      const l = await d.build(next, x);
      out.push(l);
      fresh.push(l);
      rewire = true;
    } else if (p.kind === 'update') {
      const peersChanged = p.settings.includes('unicastPeers');
      const l = peersChanged ? { ...old, endpoint: { ...old.endpoint, unicastPeers: x.member.unicastPeers } } : old;
      rewire ||= peersChanged;
      out.push(l);
      updated.push({ l, x });
    } else out.push(old);
  }
  if (rewire) {
    d.transport.stop();
    d.transport.start(out.map((l) => l.endpoint));
  }
  for (const { l, x } of updated) {
    // A new key or mode is staged: the previous settings stay accepted until the master uses it.
    if (kinds.get(x.instance.name)?.kind === 'update')
      l.endpoint.auth.reconfigure(authHmacConfig(x.instance), Date.now());
    const start = { primaryAddress: l.runner.config.primaryAddress, resumeAsMaster: false };
    await l.runner.reconfigure(instanceConfig(next, x, d.admin(), start), x.vips);
  }
  d.linkWatch.update(out.map((l) => l.runner));

  const restart = new Set(plan.checks.filter((c) => c.kind === 'restart').map((c) => c.name));
  d.scheduler.reconcile(
    [...runnableChecks(next, d.node).values()].map((c) => d.buildCheck(c)),
    restart,
  );
  // A removed check's gauge goes with it (its counters stay, as counters do).
  for (const c of plan.checks) if (c.kind === 'remove') d.metrics.checkUp.remove({ check: c.name });
  const states = d.scheduler.states();
  for (const { runner } of [...updated.map((u) => u.l), ...fresh]) {
    for (const t of runner.config.trackedChecks ?? []) {
      const ok = states.get(t.name);
      if (ok !== undefined) await runner.deliver({ type: 'track-changed', name: t.name, ok });
    }
  }
  for (const l of fresh) await l.runner.start();
  return out;
}
