import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { NameSchema } from '@keepwatch/shared';
import { exportCluster, previewImport } from '../services/transfer';
import { adminProcedure } from '../trpc';
import { IdSchema } from './util';

/** A pasted file: a name for the messages (no path, nothing is read from disk) and its text. */
const FileSchema = z.strictObject({
  file: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be a file name (letters, digits, ".", "_", "-"; at most 64)' }),
  text: z
    .string()
    .min(1, { message: 'is empty' })
    .max(256 * 1024, { message: 'is larger than 256 KiB' }),
});

export const transferRouter = {
  /** keepalived.conf of each host (+ nginx config) → the cluster spec it would create, with every unsupported keyword. */
  previewImport: adminProcedure
    .input(
      z.strictObject({
        clusterName: NameSchema,
        keepalived: z.array(FileSchema).min(1, { message: 'give at least one keepalived.conf' }).max(16),
        nginx: FileSchema.optional(),
      }),
    )
    .mutation(({ input }) => previewImport(input)),
  /** The cluster as keepalived.conf + nginx config per node (admins: it carries the VRRP password). */
  export: adminProcedure
    .input(z.strictObject({ clusterId: IdSchema }))
    .query(({ ctx, input }) => exportCluster(ctx.db, input.clusterId)),
} satisfies TRPCRouterRecord;
