import type { TRPCRouterRecord } from '@trpc/server';
import { HealthCheckSchema } from '@keepwatch/shared';
import { checks } from '../services/areas';
import { areaProcedures } from './area';

export const checksRouter = {
  ...areaProcedures('check', HealthCheckSchema, checks),
} satisfies TRPCRouterRecord;
