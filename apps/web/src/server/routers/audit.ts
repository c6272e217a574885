import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { auditFacets, listAudit, verifyAuditChain } from '../services/audit';
import { adminProcedure, viewerProcedure } from '../trpc';
import { IdSchema } from './util';

/** Read-only: no procedure edits or deletes audit records. */
export const auditRouter = {
  list: viewerProcedure
    .input(
      z
        .strictObject({
          before: z.number().int().min(1).optional(),
          limit: z.number().int().min(1).max(500).default(100),
          targetType: z
            .string()
            .regex(/^[A-Za-z]{1,32}$/)
            .optional(),
          targetId: z.string().max(64).optional(),
          actor: z.string().min(1).max(64).optional(),
          action: z
            .string()
            .regex(/^[a-z][a-z0-9.-]{0,63}$/, { message: 'must be an action such as pool.update, or the start of one' })
            .optional(),
          clusterId: IdSchema.optional(),
          from: z.date().optional(),
          to: z.date().optional(),
        })
        .refine((i) => i.from === undefined || i.to === undefined || i.from < i.to, {
          path: ['to'],
          message: 'must be after the start of the range',
        }),
    )
    .query(({ ctx, input }) => listAudit(ctx.db, input, { admin: ctx.user.role === 'admin' })),
  /** The actors and actions present in the log, for filter pickers (failed sign-ins: admins only). */
  facets: viewerProcedure.query(({ ctx }) => auditFacets(ctx.db, { admin: ctx.user.role === 'admin' })),
  /** Recomputes the whole hash chain; reports the first broken link. */
  verify: adminProcedure.query(({ ctx }) => verifyAuditChain(ctx.db)),
} satisfies TRPCRouterRecord;
