/**
 * The nginx each node reported (issue #17 item 4: heartbeat `nginx.build`, stored with the rest of
 * the heartbeat in Node.liveState), and the refusal of a change whose spec needs something a
 * node's nginx lacks — at preview and at commit, so it never reaches the node as a failed
 * `nginx -t`.
 */
import {
  NginxBuildInfoSchema,
  nginxFeatureIssues,
  type ClusterSpec,
  type NginxBuildInfo,
  type NginxFeatureIssue,
} from '@keepwatch/shared';
import { AppError } from '../errors';
import type { Db, Tx } from './types';

/** The nginx build in a stored live state (a heartbeat as JSON), or null when none is there or it is unreadable. */
export function reportedNginxBuild(liveState: unknown): NginxBuildInfo | null {
  const build = (liveState as { nginx?: { build?: unknown } } | null)?.nginx?.build;
  if (build === undefined) return null;
  const parsed = NginxBuildInfoSchema.safeParse(build);
  return parsed.success ? parsed.data : null;
}

/**
 * What the spec needs that the nginx of one of its nodes lacks, for every node that reported its
 * build. A node that has not (an agent before `nginx-build`, or never connected) is not checked:
 * `nginx -t` on that node still refuses what its nginx cannot run, at apply.
 */
export async function nginxFeatureProblems(db: Db | Tx, clusterId: string, spec: ClusterSpec) {
  const names = spec.nodes.map((n) => n.name);
  const rows = await db.node.findMany({
    where: { clusterId, name: { in: names } },
    select: { name: true, liveState: true },
  });
  return rows
    .sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name))
    .flatMap((row): NginxFeatureIssue[] => {
      const build = reportedNginxBuild(row.liveState);
      return build ? nginxFeatureIssues(spec, row.name, build) : [];
    });
}

/** An issue by its message: it names the node, the feature and the object, and stays the same when indexes shift. */
const issueKey = (i: NginxFeatureIssue) => i.message;

/** The issues of the cluster's newest revision: already there, so not the change's doing. */
async function standingIssues(db: Db | Tx, clusterId: string): Promise<Set<string>> {
  const newest = await db.configRevision.findFirst({
    where: { clusterId },
    orderBy: { number: 'desc' },
    select: { spec: true },
  });
  if (!newest) return new Set();
  try {
    const issues = await nginxFeatureProblems(db, clusterId, newest.spec as ClusterSpec);
    return new Set(issues.map(issueKey));
  } catch {
    return new Set(); // a stored spec of a shape this build cannot read: every issue counts
  }
}

/**
 * Throws BAD_REQUEST when the change's spec needs a module or version of nginx that a node lacks:
 * the field is the first such spec path (`spec.virtualServers.0.tls.http2`), the message every
 * issue, each naming its node. Issues the newest revision has already (a node that reported its
 * nginx only after that revision was made) do not refuse the change: an unrelated edit, or a
 * certificate renewal, must not wait for them; that node's `nginx -t` shows them at apply.
 */
export async function refuseMissingNginxFeatures(db: Db | Tx, clusterId: string, spec: ClusterSpec): Promise<void> {
  const all = await nginxFeatureProblems(db, clusterId, spec);
  if (all.length === 0) return;
  const standing = await standingIssues(db, clusterId);
  const issues = all.filter((i) => !standing.has(issueKey(i)));
  const first = issues[0];
  if (!first) return;
  throw new AppError('BAD_REQUEST', {
    field: `spec.${first.path.join('.')}`,
    message: issues.map((i) => i.message).join('; '),
  });
}
