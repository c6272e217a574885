import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { ClusterSpecSchema, NameSchema } from '@keepwatch/shared';
import { createCluster, deleteCluster, getCluster, importCluster, listClusters, renameCluster } from '../services/clusters';
import { getRevision, listDeployments, listRevisions, listTransitions } from '../services/revisions';
import { adminProcedure, viewerProcedure } from '../trpc';
import { IdSchema, LimitSchema, VersionSchema, inTransaction } from './util';

export const clustersRouter = {
  list: viewerProcedure.query(({ ctx }) => listClusters(ctx.db)),
  get: viewerProcedure.input(z.strictObject({ id: IdSchema })).query(({ ctx, input }) => getCluster(ctx.db, input.id)),
  create: adminProcedure
    .input(z.strictObject({ name: NameSchema }))
    .mutation(({ ctx, input }) => inTransaction(ctx.db, (tx) => createCluster(tx, ctx.actor, input))),
  /** A whole cluster from one spec (for example imported from keepalived.conf): revision 1. */
  import: adminProcedure
    .input(z.strictObject({ spec: ClusterSpecSchema }))
    .mutation(({ ctx, input }) => inTransaction(ctx.db, (tx) => importCluster(tx, ctx.actor, input))),
  rename: adminProcedure
    .input(z.strictObject({ id: IdSchema, version: VersionSchema, name: NameSchema }))
    .mutation(({ ctx, input }) => inTransaction(ctx.db, (tx) => renameCluster(tx, ctx.actor, input))),
  delete: adminProcedure
    .input(z.strictObject({ id: IdSchema, version: VersionSchema }))
    .mutation(({ ctx, input }) => inTransaction(ctx.db, (tx) => deleteCluster(tx, ctx.actor, input))),
  revisions: viewerProcedure
    .input(z.strictObject({ clusterId: IdSchema, limit: LimitSchema }))
    .query(({ ctx, input }) => listRevisions(ctx.db, input.clusterId, input.limit)),
  revision: viewerProcedure
    .input(z.strictObject({ clusterId: IdSchema, number: z.number().int().min(1) }))
    .query(({ ctx, input }) => getRevision(ctx.db, input.clusterId, input.number)),
  deployments: viewerProcedure
    .input(z.strictObject({ clusterId: IdSchema, limit: LimitSchema }))
    .query(({ ctx, input }) => listDeployments(ctx.db, input.clusterId, input.limit)),
  transitions: viewerProcedure
    .input(z.strictObject({ clusterId: IdSchema, limit: LimitSchema }))
    .query(({ ctx, input }) => listTransitions(ctx.db, input.clusterId, input.limit)),
} satisfies TRPCRouterRecord;
