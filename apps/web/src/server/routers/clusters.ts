import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { ClusterSpecSchema, NameSchema } from '@keepwatch/shared';
import {
  clusterLive,
  createCluster,
  deleteCluster,
  getCluster,
  importCluster,
  listClusters,
  renameCluster,
} from '../services/clusters';
import { getOverview } from '../services/overview';
import { getRevision, listDeployments, listRevisions, listTimeline, listTransitions } from '../services/revisions';
import { AppError } from '../errors';
import { specForRole } from '../auth/redact';
import { viewerProcedure } from '../trpc';

const TIMELINE_MAX_RANGE_MS = 7 * 24 * 3600_000;
import { IdSchema, LimitSchema, VersionSchema, adminMutation } from './util';

export const clustersRouter = {
  list: viewerProcedure.query(({ ctx }) => listClusters(ctx.db)),
  /**
   * Every cluster at a glance (or the one of `clusterId`: the cluster page's problems): instances
   * and VIPs, each node's live status, newest revision, deployments and problems.
   */
  overview: viewerProcedure
    .input(z.strictObject({ clusterId: IdSchema }).optional())
    .query(({ ctx, input }) => getOverview(ctx.db, input ? { clusterId: input.clusterId } : {})),
  get: viewerProcedure.input(z.strictObject({ id: IdSchema })).query(({ ctx, input }) => getCluster(ctx.db, input.id)),
  create: adminMutation(z.strictObject({ name: NameSchema }), createCluster),
  /** A whole cluster from one spec (for example imported from keepalived.conf): revision 1. */
  import: adminMutation(z.strictObject({ spec: ClusterSpecSchema }), importCluster),
  rename: adminMutation(z.strictObject({ id: IdSchema, version: VersionSchema, name: NameSchema }), renameCluster),
  delete: adminMutation(z.strictObject({ id: IdSchema, version: VersionSchema }), deleteCluster),
  revisions: viewerProcedure
    .input(z.strictObject({ clusterId: IdSchema, limit: LimitSchema }))
    .query(({ ctx, input }) => listRevisions(ctx.db, input.clusterId, input.limit)),
  revision: viewerProcedure
    .input(z.strictObject({ clusterId: IdSchema, number: z.number().int().min(1) }))
    .query(async ({ ctx, input }) => {
      const r = await getRevision(ctx.db, input.clusterId, input.number);
      // Viewers and operators see that a VRRP password is set, not the password (issue #15).
      return { ...r, spec: specForRole(r.spec, ctx.user.role) };
    }),
  deployments: viewerProcedure
    .input(z.strictObject({ clusterId: IdSchema, limit: LimitSchema }))
    .query(({ ctx, input }) => listDeployments(ctx.db, input.clusterId, input.limit)),
  transitions: viewerProcedure
    .input(z.strictObject({ clusterId: IdSchema, limit: LimitSchema }))
    .query(({ ctx, input }) => listTransitions(ctx.db, input.clusterId, input.limit)),
  /** The VIP ownership timeline's data: transitions since `since` (at most 7 days back) and each node's state at `since`. */
  timeline: viewerProcedure
    .input(z.strictObject({ clusterId: IdSchema, since: z.date({ message: 'must be a date' }) }))
    .query(({ ctx, input }) => {
      const oldest = Date.now() - TIMELINE_MAX_RANGE_MS;
      if (input.since.getTime() < oldest)
        throw new AppError('BAD_REQUEST', { field: 'since', message: 'must be within the last 7 days' });
      return listTimeline(ctx.db, input.clusterId, input.since);
    }),
  /** Each node's last live report (heartbeat, health checks, nginx) with its age; offline and stale when reports stopped. */
  live: viewerProcedure
    .input(z.strictObject({ clusterId: IdSchema }))
    .query(({ ctx, input }) => clusterLive(ctx.db, input.clusterId)),
} satisfies TRPCRouterRecord;
