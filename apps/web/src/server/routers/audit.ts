import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { listAudit, verifyAuditChain } from '../services/audit';
import { adminProcedure, viewerProcedure } from '../trpc';

/** Read-only: no procedure edits or deletes audit records. */
export const auditRouter = {
  list: viewerProcedure
    .input(
      z.strictObject({
        before: z.number().int().min(1).optional(),
        limit: z.number().int().min(1).max(500).default(100),
        targetType: z.string().regex(/^[A-Za-z]{1,32}$/).optional(),
        targetId: z.string().max(64).optional(),
      }),
    )
    .query(({ ctx, input }) => listAudit(ctx.db, input)),
  /** Recomputes the whole hash chain; reports the first broken link. */
  verify: adminProcedure.query(({ ctx }) => verifyAuditChain(ctx.db)),
} satisfies TRPCRouterRecord;
