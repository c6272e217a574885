import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { VrrpInstanceSchema } from '@keepwatch/shared';
import { redactInstanceSecrets } from '../auth/redact';
import { instances } from '../services/areas';
import { viewerProcedure } from '../trpc';
import { areaProcedures } from './area';
import { IdSchema } from './util';

export const instancesRouter = {
  ...areaProcedures('instance', VrrpInstanceSchema, instances),
  // The VRRPv2 password is shown to admins only (they edit it); viewers and operators see that
  // there is one.
  list: viewerProcedure.input(z.strictObject({ clusterId: IdSchema })).query(async ({ ctx, input }) => {
    const list = await instances.list(ctx.db, input.clusterId);
    if (ctx.user.role === 'admin') return list;
    return list.map((i) => ({ ...i, instance: redactInstanceSecrets(i.instance) }));
  }),
} satisfies TRPCRouterRecord;
