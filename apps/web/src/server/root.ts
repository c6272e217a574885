/** The dashboard's API: one router per area (STYLE §E25). */
import { createCallerFactory, createTRPCRouter } from './trpc';
import { auditRouter } from './routers/audit';
import { bootstrapRouter } from './routers/bootstrap';
import { certificatesRouter } from './routers/certificates';
import { transferRouter } from './routers/transfer';
import { checksRouter } from './routers/checks';
import { clustersRouter } from './routers/clusters';
import { failoverRouter } from './routers/failover';
import { instancesRouter } from './routers/instances';
import { liveRouter } from './routers/live';
import { nodesRouter } from './routers/nodes';
import { poolsRouter } from './routers/pools';
import { rolloutRouter } from './routers/rollout';
import { sessionRouter } from './routers/session';
import { usersRouter } from './routers/users';
import { virtualServersRouter } from './routers/virtual-servers';

export const appRouter = createTRPCRouter({
  session: sessionRouter,
  users: usersRouter,
  clusters: clustersRouter,
  nodes: nodesRouter,
  instances: instancesRouter,
  pools: poolsRouter,
  virtualServers: virtualServersRouter,
  checks: checksRouter,
  failover: failoverRouter,
  audit: auditRouter,
  transfer: transferRouter,
  live: liveRouter,
  bootstrap: bootstrapRouter,
  rollout: rolloutRouter,
  certificates: certificatesRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
