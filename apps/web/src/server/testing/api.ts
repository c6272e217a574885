/**
 * API test harness: a migrated test database, the context dependencies, one user per role and a
 * tRPC caller for each (and for anonymous). Calls go through the real router, middlewares and
 * input parsers; only HTTP is skipped (test/server.test.ts covers it).
 */
import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, expect } from 'vitest';
import { makeContext, type ContextDeps } from '../context';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { LoginRateLimiter } from '../auth/rate-limit';
import { hashPassword } from '../auth/password';
import { createCaller } from '../root';
import type { Role } from '../services/types';
import { createTestDatabase, type TestDatabase } from './db';
import { referenceSpec } from '../../../test/fixtures';

export type Caller = ReturnType<typeof createCaller>;
export const PASSWORD = 'correct horse battery staple';

export interface Api {
  db: TestDatabase;
  deps: ContextDeps;
  anonymous: Caller;
  viewer: Caller;
  operator: Caller;
  admin: Caller;
  users: Record<Role, { id: string; username: string }>;
  /** A caller as `role` from a given source address, with the Set-Cookie values it received. */
  as(role: Role | null, opts?: { sourceAddress?: string }): { caller: Caller; cookies: string[] };
  close(): Promise<void>;
}

export async function createApi(): Promise<Api> {
  const db = await createTestDatabase();
  const deps: ContextDeps = {
    db: db.prisma,
    log: createLogger('silent'),
    metrics: createMetrics(),
    limiter: new LoginRateLimiter(),
    secureCookies: false,
  };
  const passwordHash = await hashPassword(PASSWORD);
  const users = {} as Api['users'];
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const u = await db.prisma.user.create({ data: { username: `${role}1`, role, passwordHash } });
    users[role] = { id: u.id, username: u.username };
  }
  const as: Api['as'] = (role, opts = {}) => {
    const cookies: string[] = [];
    const user =
      role === null ? null : { id: users[role].id, username: users[role].username, role, sessionId: randomUUID() };
    return {
      caller: createCaller(
        makeContext(deps, {
          user,
          sourceAddress: opts.sourceAddress ?? '198.51.100.9',
          setCookie: (c) => cookies.push(c),
        }),
      ),
      cookies,
    };
  };
  return {
    db,
    deps,
    users,
    as,
    anonymous: as(null).caller,
    viewer: as('viewer').caller,
    operator: as('operator').caller,
    admin: as('admin').caller,
    close: () => db.drop(),
  };
}

/** An Api with one cluster imported (the reference one unless `spec` says otherwise) and its nodes' ids by name. */
export async function createApiWithCluster(
  spec = referenceSpec(),
): Promise<{ api: Api; clusterId: string; nodeIds: Record<string, string> }> {
  const api = await createApi();
  const clusterId = (await api.admin.clusters.import({ spec })).id;
  const nodeIds: Record<string, string> = {};
  for (const n of await api.viewer.nodes.list({ clusterId })) nodeIds[n.node.name] = n.id;
  return { api, clusterId, nodeIds };
}

/**
 * Gives the surrounding describe its own Api: `use` receives it before the first test (and may set
 * more up); its database is dropped after the last test.
 */
export function apiForSuite(use: (api: Api) => void | Promise<void>): void {
  let api: Api | undefined;
  beforeAll(async () => {
    api = await createApi();
    await use(api);
  });
  afterAll(async () => {
    await api?.close();
  });
}

/** What `apiWithClusterForSuite` sets up: the Api, the imported cluster and its nodes' ids by name. */
export type ClusterSuite = Awaited<ReturnType<typeof createApiWithCluster>>;

/**
 * `apiForSuite` with one cluster imported (see `createApiWithCluster`). Returns the set-up too,
 * filled in before the first test: read its fields inside tests and hooks, not while collecting.
 */
export function apiWithClusterForSuite(
  use: (s: ClusterSuite) => void | Promise<void> = () => undefined,
  spec = referenceSpec(),
): ClusterSuite {
  const suite = {} as ClusterSuite;
  beforeAll(async () => {
    Object.assign(suite, await createApiWithCluster(spec));
    await use(suite);
  });
  afterAll(async () => {
    await (suite as Partial<ClusterSuite>).api?.close();
  });
  return suite;
}

/** Awaits a call that must fail and returns its tRPC error. */
export async function trpcError(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCError);
    return e as TRPCError;
  }
  throw new Error('expected the call to fail, it succeeded');
}
