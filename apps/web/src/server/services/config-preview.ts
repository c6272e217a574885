/**
 * What a pool edit would change in nginx, before it is saved: the cluster's spec with the draft
 * pool in place, rendered per node with @keepwatch/shared's renderer (the same bytes the agent
 * writes), diffed against the config the node runs now (its newest applied revision).
 */
import { textDiff } from './text-diff';
import {
  ClusterSpecSchema,
  formatZodIssues,
  renderNginxConfig,
  type ClusterSpec,
  type ClusterSpecInput,
  type UpstreamPool,
} from '@keepwatch/shared';
import { AppError, notFound } from '../errors';
import { loadClusterSpec } from './revisions';
import type { Db } from './types';

export interface NodeConfigDiff {
  /** The nodes this diff is for (nodes whose running and draft configs are the same share one). */
  nodes: string[];
  /** The revision those nodes run (their newest applied one); null when none applied yet. */
  runningRevision: number | null;
  /** Unified diff, running → draft; empty when nothing changes. */
  patch: string;
  added: number;
  removed: number;
}

/** Replaces the pool named `replacing` (or adds `pool` when null) in the tables' spec and validates it. */
function specWithPool(input: ClusterSpecInput, replacing: string | null, pool: UpstreamPool): ClusterSpec {
  const pools = [...(input.pools ?? [])];
  const at = replacing === null ? -1 : pools.findIndex((p) => p.name === replacing);
  if (at >= 0) pools[at] = pool;
  else pools.push(pool);
  const parsed = ClusterSpecSchema.safeParse({ ...input, pools });
  if (!parsed.success) {
    const first = parsed.error.issues[0]?.path.map(String) ?? [];
    // An issue inside the draft pool names the form's field (`pool.servers.1.backup`), others the spec path.
    const index = at >= 0 ? at : pools.length - 1;
    const field =
      first[0] === 'pools' && first[1] === String(index)
        ? ['pool', ...first.slice(2)].join('.')
        : `spec.${first.join('.')}`;
    throw new AppError('BAD_REQUEST', {
      field,
      message: `the change would leave the cluster's spec invalid: ${formatZodIssues(parsed.error.issues).join('; ')}`,
    });
  }
  return parsed.data;
}

/**
 * The nginx config diff, per node, that saving `pool` (replacing the pool `id`, or as a new pool)
 * would roll out. Throws BAD_REQUEST (naming the field) when the draft makes the spec invalid.
 */
export async function previewPool(
  db: Db,
  input: { clusterId: string; id?: string | undefined; pool: UpstreamPool },
): Promise<{ diffs: NodeConfigDiff[] }> {
  let replacing: string | null = null;
  if (input.id) {
    const row = await db.upstreamPool.findUnique({ where: { id: input.id }, select: { name: true, clusterId: true } });
    if (!row || row.clusterId !== input.clusterId) throw notFound('pool');
    replacing = row.name;
  }
  const draft = specWithPool(await loadClusterSpec(db, input.clusterId), replacing, input.pool);
  const running = await db.deployment.findMany({
    where: { status: 'applied', revision: { clusterId: input.clusterId } },
    orderBy: { revision: { number: 'desc' } },
    distinct: ['nodeId'],
    select: { node: { select: { name: true } }, revision: { select: { number: true, spec: true } } },
  });
  const byNode = new Map(running.map((d) => [d.node.name, d.revision]));
  const groups = new Map<string, NodeConfigDiff>();
  for (const node of draft.nodes.map((n) => n.name)) {
    const rev = byNode.get(node) ?? null;
    const before =
      rev && (rev.spec as ClusterSpec).nodes.some((n) => n.name === node)
        ? renderNginxConfig(rev.spec as ClusterSpec, node)
        : '';
    const after = renderNginxConfig(draft, node);
    const oldName = rev ? `revision ${rev.number} (running)` : 'nothing applied yet';
    const { patch, added, removed } = textDiff(before, oldName, after, 'draft');
    const key = `${rev?.number ?? 'none'}\0${patch}`;
    const g = groups.get(key);
    if (g) g.nodes.push(node);
    else groups.set(key, { nodes: [node], runningRevision: rev?.number ?? null, patch, added, removed });
  }
  return { diffs: [...groups.values()] };
}
