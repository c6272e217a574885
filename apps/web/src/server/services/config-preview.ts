/**
 * What a change to a pool or a virtual server would change in nginx, before it is saved: the
 * cluster's spec with the draft in place (or the object removed), rendered per node with
 * @keepwatch/shared's renderer (the same bytes the agent writes), diffed against the config the
 * node runs now (its newest applied revision).
 */
import { textDiff } from './text-diff';
import {
  ClusterSpecSchema,
  formatZodIssues,
  renderNginxConfig,
  type ClusterSpec,
  type ClusterSpecInput,
  type UpstreamPool,
  type VirtualServer,
} from '@keepwatch/shared';
import { AppError, notFound } from '../errors';
import { loadClusterSpec } from './revisions';
import { refuseMissingNginxFeatures } from './nginx-build';
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

/** The areas whose objects nginx renders: where they sit in the spec, their form field, their table. */
const AREAS = {
  pools: { field: 'pool', what: 'pool', row: (db: Db, id: string) => db.upstreamPool.findUnique(byId(id)) },
  virtualServers: {
    field: 'virtualServer',
    what: 'virtual server',
    row: (db: Db, id: string) => db.virtualServer.findUnique(byId(id)),
  },
} as const;
const byId = (id: string) => ({ where: { id }, select: { name: true, clusterId: true } });
type PreviewArea = keyof typeof AREAS;

/**
 * Replaces the object named `replacing` of area `key` with `obj` (adds it when `replacing` is
 * null; removes it when `obj` is null) in the tables' spec, and validates the result.
 */
function specWith(
  input: ClusterSpecInput,
  key: PreviewArea,
  replacing: string | null,
  obj: { name: string } | null,
): ClusterSpec {
  const items: { name: string }[] = [...(input[key] ?? [])];
  const at = replacing === null ? -1 : items.findIndex((p) => p.name === replacing);
  if (obj === null) items.splice(at, at >= 0 ? 1 : 0);
  else if (at >= 0) items[at] = obj;
  else items.push(obj);
  const parsed = ClusterSpecSchema.safeParse({ ...input, [key]: items });
  if (!parsed.success) {
    const first = parsed.error.issues[0]?.path.map(String) ?? [];
    // An issue inside the draft names the form's field (`pool.servers.1.backup`), others the spec path.
    const index = at >= 0 ? at : items.length - 1;
    const field =
      obj !== null && first[0] === key && first[1] === String(index)
        ? [AREAS[key].field, ...first.slice(2)].join('.')
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
export function previewPool(
  db: Db,
  input: { clusterId: string; id?: string | undefined; pool: UpstreamPool },
): Promise<{ diffs: NodeConfigDiff[] }> {
  return previewChange(db, { clusterId: input.clusterId, area: 'pools', id: input.id, obj: input.pool });
}

/** The same for a virtual server. */
export function previewVirtualServer(
  db: Db,
  input: { clusterId: string; id?: string | undefined; virtualServer: VirtualServer },
): Promise<{ diffs: NodeConfigDiff[] }> {
  return previewChange(db, {
    clusterId: input.clusterId,
    area: 'virtualServers',
    id: input.id,
    obj: input.virtualServer,
  });
}

/**
 * The nginx config diff, per node, of a change to area `area`: `obj` replacing the object `id`
 * (or added, without `id`), or the object `id` deleted (`obj` null). Stores nothing.
 */
export async function previewChange(
  db: Db,
  input: { clusterId: string; area: PreviewArea; id?: string | undefined; obj: { name: string } | null },
): Promise<{ diffs: NodeConfigDiff[] }> {
  const area = AREAS[input.area];
  let replacing: string | null = null;
  if (input.id) {
    const row = await area.row(db, input.id);
    if (!row || row.clusterId !== input.clusterId) throw notFound(area.what);
    replacing = row.name;
  } else if (input.obj === null) throw notFound(area.what);
  const draft = specWith(await loadClusterSpec(db, input.clusterId), input.area, replacing, input.obj);
  await refuseMissingNginxFeatures(db, input.clusterId, draft);
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
