import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { failoverStatus, promote, release, setMaintenance } from '../services/failover';
import { operatorProcedure, viewerProcedure } from '../trpc';
import { IdSchema, inTransaction } from './util';

export const failoverRouter = {
  status: viewerProcedure.input(z.strictObject({ clusterId: IdSchema })).query(({ ctx, input }) => failoverStatus(ctx.db, input.clusterId)),
  /** Moves the instance's VIPs to the node and keeps them there until `release` (sticky). */
  promote: operatorProcedure
    .input(z.strictObject({ instanceId: IdSchema, nodeId: IdSchema }))
    .mutation(({ ctx, input }) => inTransaction(ctx.db, (tx) => promote(tx, ctx.actor, input))),
  release: operatorProcedure
    .input(z.strictObject({ instanceId: IdSchema }))
    .mutation(({ ctx, input }) => inTransaction(ctx.db, (tx) => release(tx, ctx.actor, input))),
  maintenance: operatorProcedure
    .input(z.strictObject({ nodeId: IdSchema, enabled: z.boolean() }))
    .mutation(({ ctx, input }) => inTransaction(ctx.db, (tx) => setMaintenance(tx, ctx.actor, input))),
} satisfies TRPCRouterRecord;
