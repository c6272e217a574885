import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import type { Context } from '../context';
import { failoverStatus, promote, release, setMaintenance } from '../services/failover';
import { operatorProcedure, viewerProcedure } from '../trpc';
import { IdSchema, inTransaction } from './util';

/** After the commit: the hub sends the commands (fire-and-forget; progress shows in `status`). */
function deliver<T extends { clusterId: string }>(ctx: Context, result: T): T {
  if (ctx.commands)
    void ctx.commands
      .reconcile(result.clusterId)
      .catch((err: unknown) => ctx.log.error({ err, clusterId: result.clusterId }, 'failover delivery failed'));
  return result;
}

export const failoverRouter = {
  /** Per instance: the standing promote, each member's live role with its age, recent commands with progress. */
  status: viewerProcedure
    .input(z.strictObject({ clusterId: IdSchema }))
    .query(({ ctx, input }) => failoverStatus(ctx.db, input.clusterId, ctx.liveness ? { liveness: ctx.liveness } : {})),
  /** Moves the instance's VIPs to the node and keeps them there until `release` (sticky). */
  promote: operatorProcedure
    .input(z.strictObject({ instanceId: IdSchema, nodeId: IdSchema }))
    .mutation(async ({ ctx, input }) =>
      deliver(
        ctx,
        await inTransaction(ctx.db, (tx) =>
          promote(tx, ctx.actor, input, ctx.liveness ? { liveness: ctx.liveness } : {}),
        ),
      ),
    ),
  /** Ends the standing promote: normal priorities (and preemption) decide again. */
  release: operatorProcedure
    .input(z.strictObject({ instanceId: IdSchema }))
    .mutation(async ({ ctx, input }) =>
      deliver(ctx, await inTransaction(ctx.db, (tx) => release(tx, ctx.actor, input))),
    ),
  maintenance: operatorProcedure
    .input(z.strictObject({ nodeId: IdSchema, enabled: z.boolean() }))
    .mutation(async ({ ctx, input }) =>
      deliver(ctx, await inTransaction(ctx.db, (tx) => setMaintenance(tx, ctx.actor, input))),
    ),
} satisfies TRPCRouterRecord;
