import type { TRPCRouterRecord } from '@trpc/server';
import { UpstreamPoolSchema } from '@keepwatch/shared';
import { pools } from '../services/areas';
import { areaProcedures } from './area';

export const poolsRouter = {
  ...areaProcedures('pool', UpstreamPoolSchema, pools),
} satisfies TRPCRouterRecord;
