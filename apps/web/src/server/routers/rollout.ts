import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { abortRollout, previewRevert, revertCluster, rolloutStatus } from '../services/rollout-control';
import { adminProcedure, viewerProcedure } from '../trpc';
import { IdSchema, adminMutation } from './util';

const RevisionNumberSchema = z.number({ message: 'must be a revision number' }).int().min(1);

/** Rollout control (issue 14 item 6): revert to an earlier revision, abort a rollout, who runs what. */
export const rolloutRouter = {
  /** The newest revision's rollout (aborted?) and the revision each node runs. */
  status: viewerProcedure
    .input(z.strictObject({ clusterId: IdSchema }))
    .query(({ ctx, input }) => rolloutStatus(ctx.db, input.clusterId)),
  /** The diff from the cluster now to revision `number`'s content, shown before a revert. Stores nothing. */
  revertPreview: adminProcedure
    .input(z.strictObject({ clusterId: IdSchema, number: RevisionNumberSchema }))
    .query(({ ctx, input }) => previewRevert(ctx.db, input)),
  /** A new revision with revision `number`'s content; `basedOn` is the revision the diff was shown against. */
  revert: adminMutation(
    z.strictObject({ clusterId: IdSchema, number: RevisionNumberSchema, basedOn: RevisionNumberSchema }),
    revertCluster,
  ),
  /** Stops the rollout of the newest revision `number`: nodes not yet reached keep what they run. */
  abort: adminMutation(z.strictObject({ clusterId: IdSchema, number: RevisionNumberSchema }), abortRollout),
} satisfies TRPCRouterRecord;
