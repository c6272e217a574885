import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { UpstreamPoolSchema } from '@keepwatch/shared';
import { pools } from '../services/areas';
import { previewChange, previewPool } from '../services/config-preview';
import { adminProcedure } from '../trpc';
import { areaProcedures } from './area';
import { IdSchema } from './util';

export const poolsRouter = {
  ...areaProcedures('pool', UpstreamPoolSchema, pools),
  /**
   * The nginx config a draft of the pool (replacing pool `id`, or new) would roll out, per node,
   * as a diff against the revision the node runs. Stores nothing.
   */
  preview: adminProcedure
    .input(z.strictObject({ clusterId: IdSchema, id: IdSchema.optional(), pool: UpstreamPoolSchema }))
    .query(({ ctx, input }) => previewPool(ctx.db, input)),
  /** The same for deleting pool `id`. */
  previewDelete: adminProcedure
    .input(z.strictObject({ clusterId: IdSchema, id: IdSchema }))
    .query(({ ctx, input }) => previewChange(ctx.db, { ...input, area: 'pools', obj: null })),
} satisfies TRPCRouterRecord;
