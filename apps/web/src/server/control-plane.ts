/**
 * The control plane's composition root (STYLE §G35 for the web side): opens the database (applying
 * migrations), creates the first admin when the environment asks for one, and builds the HTTP
 * handler for `/api/trpc/*` and `/metrics`. server.ts puts it in front of Next.js on one port.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { Env } from '../env';
import { openDatabase, type Database } from './db/client';
import { httpContextFactory, type ContextDeps } from './context';
import { createLogger, type Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { LoginRateLimiter } from './auth/rate-limit';
import { csrfProblem } from './auth/csrf';
import { NewPasswordSchema } from './auth/password';
import { createFirstAdmin } from './services/auth';
import { sealStoredSecrets, specSecretKey } from './services/spec-secrets';
import { certificateExpiries } from './services/certificates/store';
import { trustAcmeCa } from './services/certificates/acme/client';
import { AcmeRenewer } from './services/certificates/acme/renewer';
import { appRouter } from './root';
import { AgentHub } from './hub/hub';
import { createEventBus, type EventBus } from './bus';
import { dashboardPin } from './listener';
import { metricsRefusal } from './metrics-access';

export const TRPC_PATH = '/api/trpc/';
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface ControlPlane {
  db: Database;
  log: Logger;
  metrics: Metrics;
  /** The agents' WebSocket hub; server.ts hands it the `/agent` upgrades (`AgentHub.owns`). */
  hub: AgentHub;
  /** Events across dashboard instances (PostgreSQL's LISTEN/NOTIFY, the embedded server's too). */
  bus: EventBus;
  /** Serves the request if it is the control plane's; false when Next should have it. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  close(): Promise<void>;
}

/** Creates the first admin from KEEPWATCH_ADMIN_USERNAME / KEEPWATCH_ADMIN_PASSWORD, if both are set. */
async function bootstrapAdmin(db: Database, env: Env, log: Logger): Promise<void> {
  const { KEEPWATCH_ADMIN_USERNAME: username, KEEPWATCH_ADMIN_PASSWORD: password } = env;
  if (username && password) {
    const ok = NewPasswordSchema.safeParse(password);
    if (!ok.success) throw new Error(`KEEPWATCH_ADMIN_PASSWORD ${ok.error.issues[0]?.message ?? 'is not acceptable'}`);
    const r = await createFirstAdmin(db.prisma, { username, password }, 'env');
    log.info(
      { username, created: r.created, reason: r.reason },
      r.created ? 'first admin created' : 'first admin not created',
    );
  } else if ((await db.prisma.user.count({ where: { role: 'admin' } })) === 0) {
    // No default password, on purpose: nobody can sign in until an admin is created.
    log.warn(
      'no admin yet: set KEEPWATCH_ADMIN_USERNAME and KEEPWATCH_ADMIN_PASSWORD, or run `keepwatch-dashboard create-admin --username NAME` (from a checkout: `npm run admin:create -w @keepwatch/web -- --username NAME`)',
    );
  }
}

export async function createControlPlane(
  env: Env,
  opts: {
    log?: Logger;
    defaultMetrics?: boolean;
    /** The embedded database's server exited on its own (serve.ts exits, for the service manager to restart both). */
    onDatabaseExit?: (code: number | null) => void;
  } = {},
): Promise<ControlPlane> {
  const log = opts.log ?? createLogger(env.LOG_LEVEL);
  const db = await openDatabase({
    url: env.DATABASE_URL,
    dataDir: env.KEEPWATCH_DATA_DIR,
    postgresBin: env.KEEPWATCH_POSTGRES_BIN,
    onEmbeddedServerExit: opts.onDatabaseExit,
    log: (msg, fields) => log.info(fields ?? {}, msg),
  });
  log.info({ database: db.kind, applied: db.migrations.applied }, 'database ready');
  await bootstrapAdmin(db, env, log);
  // VRRP passwords and auth_hmac keys that an older version stored in clear are sealed now.
  const sealed = await sealStoredSecrets(db.prisma, specSecretKey());
  if (sealed.instances + sealed.revisions > 0) log.info(sealed, 'sealed the VRRP secrets stored in clear');
  const metrics = createMetrics({
    defaultMetrics: opts.defaultMetrics ?? true,
    certificateExpiries: () => certificateExpiries(db.prisma),
  });
  const bus = await createEventBus({
    url: db.url,
    log: log.child({ component: 'bus' }),
    // NOTIFY through the pool: publishing does not wait for the listening connection.
    notify: async (channel, payload) => void (await db.prisma.$executeRaw`SELECT pg_notify(${channel}, ${payload})`),
  });
  const deps: ContextDeps = {
    db: db.prisma,
    log,
    metrics,
    limiter: new LoginRateLimiter(),
    secureCookies: env.KEEPWATCH_SECURE_COOKIES,
    dashboardPin: dashboardPin(env),
    trustedProxies: env.KEEPWATCH_TRUSTED_PROXIES,
    bus,
  };
  // Failover mutations announce the changed desired state on the bus; every instance's hub (this
  // one included, subscribed below) reconciles the agents connected to it.
  deps.commands = { reconcile: (clusterId) => bus.publish({ type: 'failover', clusterId }) };
  const trpc = createHTTPHandler({
    router: appRouter,
    createContext: httpContextFactory(deps),
    basePath: TRPC_PATH,
    // A whole cluster spec is the largest input (the protocol caps a config push at 4 MiB).
    maxBodySize: MAX_BODY_BYTES,
  });

  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith(TRPC_PATH)) {
      const problem = csrfProblem(req, env.KEEPWATCH_ALLOWED_ORIGINS);
      if (problem) {
        log.warn({ path, problem, origin: req.headers.origin }, 'request refused (CSRF)');
        res
          .writeHead(403, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: problem, code: 'FORBIDDEN' } }));
        return true;
      }
      trpc(req, res);
      return true;
    }
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      const refusal = metricsRefusal(req, env.KEEPWATCH_METRICS_TOKEN);
      if (refusal) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end(`${refusal}\n`);
        return true;
      }
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: unknown) => {
          log.error({ err }, 'metrics failed');
          res.writeHead(500).end();
        },
      );
      return true;
    }
    return false;
  }

  const hub = new AgentHub({
    db: db.prisma,
    log: log.child({ component: 'hub' }),
    bus,
    metrics,
    trustedProxies: env.KEEPWATCH_TRUSTED_PROXIES,
    agentPins: env.KEEPWATCH_AGENT_PINS,
  });
  hub.start();
  if (env.KEEPWATCH_ACME_CA_FILE) trustAcmeCa(readFileSync(env.KEEPWATCH_ACME_CA_FILE, 'utf8'));
  // ACME certificates are ordered when due and renewed well before expiry (issue #17 item 2).
  const renewer = new AcmeRenewer({ db: db.prisma, log: log.child({ component: 'acme' }), secretKey: specSecretKey() });
  renewer.start();
  bus.subscribe((e) => {
    if (e.type === 'failover') void hub.reconcileCluster(e.clusterId);
    // A committed mutation may have made a revision: push it without waiting for the poll.
    else if (e.type === 'audit') void hub.rolloutNow();
    // Events were missed while the bus was away: a promote may be among them.
    else if (e.type === 'resync') for (const id of hub.connectedClusters()) void hub.reconcileCluster(id);
  });

  return {
    db,
    log,
    metrics,
    hub,
    bus,
    handle,
    close: async () => {
      await renewer.stop();
      await hub.close();
      await bus.close();
      await db.close();
    },
  };
}
