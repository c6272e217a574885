import type { ClusterSpec } from './cluster.js';
import type { HealthCheck } from './checks.js';

/**
 * The checks `node` runs for `spec`: those tracked by an instance it is a member of, in spec order.
 * A check nothing on the node tracks decides nothing there, so the agent does not run it; the
 * dashboard's rollout waits for these checks only (a node that left every instance reports none).
 */
export function nodeChecks(spec: Pick<ClusterSpec, 'vrrpInstances' | 'checks'>, node: string): HealthCheck[] {
  const tracked = new Set(
    spec.vrrpInstances
      .filter((i) => i.members.some((m) => m.node === node))
      .flatMap((i) => i.trackChecks.map((t) => t.check)),
  );
  return spec.checks.filter((c) => tracked.has(c.name));
}
