import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { NodeSchema } from '@keepwatch/shared';
import { issueEnrollToken, nodes } from '../services/nodes';
import { adminProcedure } from '../trpc';
import { areaProcedures } from './area';
import { IdSchema, inTransaction } from './util';

export const nodesRouter = {
  ...areaProcedures<'node', typeof NodeSchema, { maintenance: boolean; enrolled: boolean }>('node', NodeSchema, nodes),
  /** A one-time enrollment token for the node's agent; shown once, stored hashed. */
  issueEnrollToken: adminProcedure
    .input(z.strictObject({ id: IdSchema }))
    .mutation(({ ctx, input }) => inTransaction(ctx.db, (tx) => issueEnrollToken(tx, ctx.actor, input))),
} satisfies TRPCRouterRecord;
