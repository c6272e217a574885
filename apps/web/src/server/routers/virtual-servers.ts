import type { TRPCRouterRecord } from '@trpc/server';
import { VirtualServerSchema } from '@keepwatch/shared';
import { virtualServers } from '../services/areas';
import { areaProcedures } from './area';

export const virtualServersRouter = {
  ...areaProcedures('virtualServer', VirtualServerSchema, virtualServers),
} satisfies TRPCRouterRecord;
