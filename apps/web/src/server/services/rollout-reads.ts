/**
 * What the hub's rollout driver reads: clusters' newest revision numbers, a revision's spec and
 * which nodes failed to apply it, whether its rollout was aborted. Revisions are immutable, so a caller may cache a spec by number.
 */
import type { ClusterSpec } from '@keepwatch/shared';
import { openSpecSecrets, specSecretKey } from './spec-secrets';
import type { Db } from './types';

export interface NewestRevision {
  number: number;
  spec: ClusterSpec;
}

/** The newest revision number of each of these clusters (0: none yet); deleted clusters are absent. */
export async function revisionNumbers(db: Db, clusterIds: readonly string[]): Promise<Map<string, number>> {
  if (clusterIds.length === 0) return new Map();
  const rows = await db.cluster.findMany({
    where: { id: { in: [...clusterIds] } },
    select: { id: true, revision: true },
  });
  return new Map(rows.map((r) => [r.id, r.revision]));
}

/** The cluster's newest revision number, or null when the cluster is gone or has no revision yet. */
export async function revisionNumber(db: Db, clusterId: string): Promise<number | null> {
  const c = await db.cluster.findUnique({ where: { id: clusterId }, select: { revision: true } });
  return c && c.revision > 0 ? c.revision : null;
}

/** Revision `number` of the cluster with its spec, or null when it does not exist. */
export async function revisionSpec(db: Db, clusterId: string, number: number): Promise<NewestRevision | null> {
  const rev = await db.configRevision.findUnique({
    where: { clusterId_number: { clusterId, number } },
    select: { number: true, spec: true },
  });
  // Stored specs passed ClusterSpecSchema when the revision was made (ConfigRevision is immutable).
  return rev
    ? { number: rev.number, spec: openSpecSecrets(rev.spec as unknown as ClusterSpec, specSecretKey(), clusterId) }
    : null;
}

/** The nodes whose deployment of revision `number` failed, and whether an admin aborted its rollout. */
export async function rolloutOutcome(
  db: Db,
  clusterId: string,
  number: number,
): Promise<{ failed: Set<string>; aborted: boolean }> {
  const rev = await db.configRevision.findUnique({
    where: { clusterId_number: { clusterId, number } },
    select: {
      abort: { select: { id: true } },
      deployments: { where: { status: 'failed' }, select: { nodeId: true } },
    },
  });
  return { failed: new Set(rev?.deployments.map((d) => d.nodeId)), aborted: Boolean(rev?.abort) };
}
