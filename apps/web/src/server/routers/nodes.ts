import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { NodeSchema } from '@keepwatch/shared';
import { listAllNodes } from '../services/node-list';
import { issueEnrollToken, nodes } from '../services/nodes';
import { adminProcedure, viewerProcedure } from '../trpc';
import { areaProcedures } from './area';
import { IdSchema, inTransaction } from './util';

export const nodesRouter = {
  ...areaProcedures<'node', typeof NodeSchema, { maintenance: boolean; enrolled: boolean }>('node', NodeSchema, nodes),
  /** Every node of every cluster with its agent's version, last heartbeat, address and applied revision. */
  all: viewerProcedure.query(({ ctx }) => listAllNodes(ctx.db)),
  /**
   * Adds a node and issues its one-time enrollment token in one transaction: either both happen
   * (and both are audited) or neither, so a form never leaves a node nobody can enroll.
   */
  enroll: adminProcedure.input(z.strictObject({ clusterId: IdSchema, node: NodeSchema })).mutation(({ ctx, input }) =>
    inTransaction(ctx.db, async (tx) => {
      const created = await nodes.create(tx, ctx.actor, { clusterId: input.clusterId, obj: input.node });
      const token = await issueEnrollToken(tx, ctx.actor, { id: created.id });
      return { ...created, ...token, dashboardPin: ctx.dashboardPin ?? null };
    }),
  ),
  /** A one-time enrollment token for the node's agent; shown once, stored hashed. */
  issueEnrollToken: adminProcedure.input(z.strictObject({ id: IdSchema })).mutation(async ({ ctx, input }) => ({
    ...(await inTransaction(ctx.db, (tx) => issueEnrollToken(tx, ctx.actor, input))),
    // The agent pins this key at enrollment (null: behind a TLS proxy, the system's CAs decide).
    dashboardPin: ctx.dashboardPin ?? null,
  })),
} satisfies TRPCRouterRecord;
