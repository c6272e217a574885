/**
 * The per-request context: the database, the signed-in user (from the session cookie), the source
 * address, a child logger and a way to set the session cookie on the response.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import type { LoginRateLimiter } from './auth/rate-limit';
import { readSessionToken } from './auth/cookies';
import { lookupSession, type SessionUser } from './services/auth';
import type { Db } from './services/types';
import type { EventBus } from './bus/events';
import type { LivenessRule } from './services/node-status';
import { clientAddress } from './auth/client-address';

/** What every request shares: built once by the server (or a test). */
export interface ContextDeps {
  db: Db;
  log: Logger;
  metrics: Metrics;
  limiter: LoginRateLimiter;
  secureCookies: boolean;
  /** Proxies whose X-Forwarded-For is believed (KEEPWATCH_TRUSTED_PROXIES). */
  trustedProxies?: readonly string[];
  /** The pin of the dashboard's own TLS key (agents enroll with it), or null behind a proxy / on plain HTTP. */
  dashboardPin?: string | null;
  /** Live updates across instances (routers/live.ts subscribes; mutations publish). Absent in some tests. */
  bus?: EventBus;
  /** The hub's offline rule, for reads of node live state (default: 3 × 5 s). */
  liveness?: LivenessRule;
  /** Failover delivery: after a failover mutation commits, the cluster's agents are brought to the desired state. Absent in some tests. */
  commands?: FailoverCommands;
}

/** How failover mutations reach the agents (hub/commands.ts); fire-and-forget after the commit, never throws. */
export interface FailoverCommands {
  reconcile(clusterId: string): Promise<void>;
}

export interface Context extends ContextDeps {
  requestId: string;
  user: SessionUser | null;
  sourceAddress: string | null;
  /** Adds a Set-Cookie header to the response. */
  setCookie(value: string): void;
}

export function makeContext(
  deps: ContextDeps,
  req: { user: SessionUser | null; sourceAddress: string | null; setCookie?: (v: string) => void },
): Context {
  const requestId = randomUUID();
  return {
    ...deps,
    requestId,
    user: req.user,
    sourceAddress: req.sourceAddress,
    log: deps.log.child({ requestId, userId: req.user?.id ?? null }),
    setCookie: req.setCookie ?? (() => {}),
  };
}

/** The tRPC HTTP adapter's createContext. The source address is the peer's, or the forwarded one from a trusted proxy. */
export function httpContextFactory(deps: ContextDeps) {
  return async ({ req, res }: { req: IncomingMessage; res: ServerResponse }): Promise<Context> => {
    const user = await lookupSession(deps.db, readSessionToken(req.headers.cookie));
    return makeContext(deps, {
      user,
      sourceAddress: clientAddress(req, deps.trustedProxies ?? []),
      setCookie: (v) => {
        const prev = res.getHeader('set-cookie');
        res.setHeader('set-cookie', [...(Array.isArray(prev) ? prev : prev ? [String(prev)] : []), v]);
      },
    });
  };
}
