import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { virtualServers } from '../services/areas';
import { VirtualServerInputSchema } from '../services/basic-auth';
import { previewChange, previewVirtualServer } from '../services/config-preview';
import { redactVirtualServerSecrets } from '../auth/redact';
import { adminProcedure, viewerProcedure } from '../trpc';
import { areaProcedures } from './area';
import { IdSchema } from './util';

/** Basic-auth users may come with a password instead of a hash: it is hashed here (services/basic-auth.ts). */
export const virtualServersRouter = {
  ...areaProcedures('virtualServer', VirtualServerInputSchema, virtualServers),
  // Basic-auth password hashes are shown to admins only (they keep them on an update).
  list: viewerProcedure.input(z.strictObject({ clusterId: IdSchema })).query(async ({ ctx, input }) => {
    const list = await virtualServers.list(ctx.db, input.clusterId);
    if (ctx.user.role === 'admin') return list;
    return list.map((v) => ({ ...v, virtualServer: redactVirtualServerSecrets(v.virtualServer) }));
  }),
  /**
   * The nginx config a draft of the virtual server (replacing `id`, or new) would roll out, per
   * node, as a diff against the revision the node runs. Stores nothing.
   */
  preview: adminProcedure
    .input(z.strictObject({ clusterId: IdSchema, id: IdSchema.optional(), virtualServer: VirtualServerInputSchema }))
    .query(({ ctx, input }) => previewVirtualServer(ctx.db, input)),
  /** The same for deleting virtual server `id`. */
  previewDelete: adminProcedure
    .input(z.strictObject({ clusterId: IdSchema, id: IdSchema }))
    .query(({ ctx, input }) => previewChange(ctx.db, { ...input, area: 'virtualServers', obj: null })),
} satisfies TRPCRouterRecord;
