// What a new revision changes for this node, as a pure function of (running spec, new spec, node):
// keepalived's reload keeps every instance whose configuration did not change, and so do we. The
// agent's shell (reconcile/apply.ts) carries the plan out.
import type { InstanceConfig } from '@keepwatch/vrrp';
import { nodeChecks, type ClusterSpec, type HealthCheck } from '@keepwatch/shared';
import { instanceConfig, nodeInstances, type NodeInstance } from '../vrrp/instances.js';

/** Settings of an instance that the running machine takes in place (`reconfigure` of @keepwatch/vrrp). */
export const IN_PLACE_SETTINGS = [
  'basePriority',
  'advertIntervalMs',
  'vips',
  'preempt',
  'preemptDelayMs',
  'auth',
  'unicastPeers',
  'trackedChecks',
  'trackedInterfaces',
  'garpMasterDelayMs',
  'garpMasterRepeat',
  'garpMasterRefreshMs',
  'garpMasterRefreshRepeat',
  'initialState',
] as const;
/** A machine setting, or the instance's auth_hmac (the wire's: transport/vrrp-transport.ts). */
export type InPlaceSetting = (typeof IN_PLACE_SETTINGS)[number] | 'authHmac';

/**
 * Why an instance must be stopped and started again: what names it on the wire (interface, VRID,
 * version, family), the address its adverts come from, or a VIP's prefix or device (the held
 * address would have to be replaced under the master).
 */
export type RestartCause = 'interface' | 'vrid' | 'version' | 'family' | 'source-address' | 'vip-device';

export type InstancePlan =
  | { name: string; kind: 'unchanged' }
  | { name: string; kind: 'update'; settings: InPlaceSetting[] }
  | { name: string; kind: 'restart'; causes: RestartCause[] }
  | { name: string; kind: 'add' }
  | { name: string; kind: 'remove' };

export type CheckPlan = { name: string; kind: 'unchanged' | 'restart' | 'add' | 'remove' };

export type RevisionPlan = {
  /** This node's instances: the new spec's in its order, then the removed ones. */
  instances: InstancePlan[];
  /** The checks this node runs (those its instances track). */
  checks: CheckPlan[];
  /** Which instance tracks which check, with which weight, changed. */
  trackingChanged: boolean;
  /** Nothing of the VRRP part changes for this node. */
  nothing: boolean;
};

/** The checks this node runs for `spec` (shared's nodeChecks: the ones its instances track), by name. */
export function runnableChecks(spec: ClusterSpec, node: string): Map<string, HealthCheck> {
  return new Map(nodeChecks(spec, node).map((c) => [c.name, c]));
}

/** A check's definition as the scheduler runs it: its weight is the instances' business, not the run's. */
function checkRun(c: HealthCheck): string {
  const { weight: _weight, ...run } = c;
  return stable(run);
}

/** JSON with sorted keys, so that key order never reads as a change. */
function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );
}

const NO_ADMIN = { promoted: [], maintenance: false };

/** The machine config of one instance, with what the shell supplies left neutral. */
function configOf(spec: ClusterSpec, x: NodeInstance): InstanceConfig {
  return instanceConfig(spec, x, NO_ADMIN, { primaryAddress: '', resumeAsMaster: false });
}

function restartCauses(a: NodeInstance, b: NodeInstance): RestartCause[] {
  const causes: RestartCause[] = [];
  if (a.iface !== b.iface) causes.push('interface');
  if (a.instance.vrid !== b.instance.vrid) causes.push('vrid');
  if (a.instance.version !== b.instance.version) causes.push('version');
  if (a.instance.family !== b.instance.family) causes.push('family');
  if (a.member.unicastSrcIp !== b.member.unicastSrcIp) causes.push('source-address');
  const before = new Map(a.vips.map((v) => [v.address.toLowerCase(), v]));
  const moved = b.vips.some((v) => {
    const old = before.get(v.address.toLowerCase());
    return old !== undefined && (old.prefix !== v.prefix || old.dev !== v.dev);
  });
  if (moved) causes.push('vip-device');
  return causes;
}

function instancePlan(oldSpec: ClusterSpec, a: NodeInstance, newSpec: ClusterSpec, b: NodeInstance): InstancePlan {
  const name = b.instance.name;
  const causes = restartCauses(a, b);
  if (causes.length) return { name, kind: 'restart', causes };
  const ca = configOf(oldSpec, a);
  const cb = configOf(newSpec, b);
  const settings: InPlaceSetting[] = IN_PLACE_SETTINGS.filter((k) => stable(ca[k]) !== stable(cb[k]));
  if (stable(a.instance.authHmac) !== stable(b.instance.authHmac)) settings.push('authHmac');
  return settings.length ? { name, kind: 'update', settings } : { name, kind: 'unchanged' };
}

/**
 * The plan for moving this node from `running` to `next`. Instances are matched by name (an
 * instance renamed is one removed and one added); checks by name among those this node runs.
 */
export function planRevision(running: ClusterSpec, next: ClusterSpec, node: string): RevisionPlan {
  const before = new Map(nodeInstances(running, node).map((x) => [x.instance.name, x]));
  const after = nodeInstances(next, node);
  const instances: InstancePlan[] = after.map((b) => {
    const a = before.get(b.instance.name);
    return a ? instancePlan(running, a, next, b) : { name: b.instance.name, kind: 'add' };
  });
  const kept = new Set(after.map((b) => b.instance.name));
  for (const name of before.keys()) if (!kept.has(name)) instances.push({ name, kind: 'remove' });

  const oldChecks = runnableChecks(running, node);
  const newChecks = runnableChecks(next, node);
  const checks: CheckPlan[] = [...newChecks].map(([name, c]) => {
    const old = oldChecks.get(name);
    return { name, kind: !old ? 'add' : checkRun(old) === checkRun(c) ? 'unchanged' : 'restart' };
  });
  for (const name of oldChecks.keys()) if (!newChecks.has(name)) checks.push({ name, kind: 'remove' });

  const tracking = (spec: ClusterSpec) =>
    stable(nodeInstances(spec, node).map((x) => [x.instance.name, configOf(spec, x).trackedChecks]));
  const trackingChanged = tracking(running) !== tracking(next);
  const nothing = instances.every((i) => i.kind === 'unchanged') && checks.every((c) => c.kind === 'unchanged');
  return { instances, checks, trackingChanged, nothing };
}
