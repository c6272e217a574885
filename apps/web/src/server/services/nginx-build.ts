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

/**
 * Throws BAD_REQUEST when the spec needs a module or version of nginx that a node lacks: the
 * field is the first such spec path (`spec.virtualServers.0.tls.http2`), the message every issue,
 * each naming its node.
 */
export async function refuseMissingNginxFeatures(db: Db | Tx, clusterId: string, spec: ClusterSpec): Promise<void> {
  const issues = await nginxFeatureProblems(db, clusterId, spec);
  const first = issues[0];
  if (!first) return;
  throw new AppError('BAD_REQUEST', {
    field: `spec.${first.path.join('.')}`,
    message: issues.map((i) => i.message).join('; '),
  });
}
