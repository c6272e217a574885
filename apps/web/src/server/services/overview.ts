/**
 * The overview: every cluster with its instances and VIPs, each node's live status, the newest
 * revision and each node's newest deployment — read in a fixed number of queries whatever the
 * number of clusters (clusters with instances and VIPs; each cluster's newest revision; every
 * node's status; each node's newest deployment). The problem rules are pure and client-safe
 * (src/lib/problems.ts), so the pages re-age them themselves.
 */
import { Prisma } from '../db/client';
import { allNodeStatuses, clusterNodeStatuses, type StatusReadOptions } from './node-status';
import { overviewProblems, type OverviewCluster, type OverviewDeployment, type Problem } from '../../lib/problems';
import type { Db } from './types';

export interface ClusterOverview extends OverviewCluster {
  problems: Problem[];
}

export interface Overview {
  /** When the dashboard read this (its clock, epoch ms): the page ages everything from here. */
  readAt: number;
  clusters: ClusterOverview[];
}

type DeploymentRow = {
  nodeId: string;
  status: OverviewDeployment['status'];
  stage: string | null;
  message: string | null;
  updatedAt: Date;
  number: number;
  clusterId: string;
};

export interface OverviewReadOptions extends StatusReadOptions {
  /** Only this cluster (the cluster page); every cluster when absent. */
  clusterId?: string;
}

export async function getOverview(db: Db, opts: OverviewReadOptions = {}): Promise<Overview> {
  const now = opts.now ?? Date.now();
  const { clusterId, ...statusOpts } = opts;
  const onlyRevisions = clusterId ? Prisma.sql`WHERE "clusterId" = ${clusterId}::uuid` : Prisma.empty;
  const onlyDeployments = clusterId ? Prisma.sql`WHERE r."clusterId" = ${clusterId}::uuid` : Prisma.empty;
  const [clusters, revisions, statuses, deployments] = await Promise.all([
    db.cluster.findMany({
      where: clusterId ? { id: clusterId } : {},
      orderBy: { name: 'asc' },
      select: {
        id: true,
        name: true,
        revision: true,
        certificates: {
          where: { lastError: { not: null } },
          orderBy: { name: 'asc' },
          select: { name: true, lastError: true },
        },
        vrrpInstances: {
          orderBy: { vrid: 'asc' },
          select: {
            name: true,
            vrid: true,
            vips: { orderBy: { position: 'asc' }, select: { address: true, prefix: true } },
          },
        },
      },
    }),
    // The newest revision of each cluster (a nested `take: 1` would be cut in memory, after reading every revision).
    db.$queryRaw<
      { clusterId: string; number: number; createdAt: Date }[]
    >`SELECT DISTINCT ON ("clusterId") "clusterId"::text AS "clusterId", number, "createdAt"
      FROM "ConfigRevision" ${onlyRevisions} ORDER BY "clusterId", number DESC`,
    clusterId
      ? clusterNodeStatuses(db, clusterId, { ...statusOpts, now })
      : allNodeStatuses(db, { ...statusOpts, now }),
    // Each node's newest deployment by revision number: DISTINCT ON keeps it one row per node.
    db.$queryRaw<
      DeploymentRow[]
    >`SELECT DISTINCT ON (d."nodeId") d."nodeId"::text AS "nodeId", d.status::text AS status, d.stage, d.message, d."updatedAt", r.number, r."clusterId"::text AS "clusterId"
      FROM "Deployment" d JOIN "ConfigRevision" r ON r.id = d."revisionId" ${onlyDeployments}
      ORDER BY d."nodeId", r.number DESC`,
  ]);
  const nodeNames = new Map(statuses.map((s) => [s.nodeId, s.node]));
  const newestRevision = new Map(revisions.map((r) => [r.clusterId, r]));
  return {
    readAt: now,
    clusters: clusters.map((c) => {
      const newest = newestRevision.get(c.id);
      const cluster: OverviewCluster = {
        id: c.id,
        name: c.name,
        revision: newest?.number ?? 0,
        revisionAt: newest ? newest.createdAt.getTime() : null,
        certificateErrors: c.certificates.map((x) => ({ name: x.name, error: x.lastError ?? '' })),
        instances: c.vrrpInstances.map((i) => ({
          name: i.name,
          vrid: i.vrid,
          vips: i.vips.map((v) => (v.prefix === null ? v.address : `${v.address}/${v.prefix}`)),
        })),
        nodes: statuses
          .filter((s) => s.clusterId === c.id)
          .map((s) => ({
            nodeId: s.nodeId,
            name: s.node,
            enrolled: s.enrolled,
            maintenance: s.maintenance,
            lastSeenAt: s.lastSeenAt,
            staleAfterMs: s.staleAfterMs,
            appliedRevision: s.appliedRevision,
            instances: (s.heartbeat?.instances ?? []).map((i) => ({
              instance: i.instance,
              vrid: i.vrid,
              state: i.state,
              effectivePriority: i.effectivePriority,
              since: i.since,
            })),
            nginxDrifted: s.heartbeat?.nginx.drifted === true,
          })),
        deployments: deployments
          .filter((d) => d.clusterId === c.id && nodeNames.has(d.nodeId))
          .map((d) => ({
            nodeId: d.nodeId,
            node: nodeNames.get(d.nodeId) ?? '?',
            revision: d.number,
            status: d.status,
            stage: d.stage,
            message: d.message,
            at: d.updatedAt.getTime(),
          })),
      };
      return { ...cluster, problems: overviewProblems(cluster, now) };
    }),
  };
}
