/**
 * Prometheus metrics of the dashboard (prom-client, a registry of its own so tests and several
 * instances in one process do not collide). The hub's series (agents, pushes, applies,
 * subscriptions) are declared here so the endpoint's shape is stable before the hub lands.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A stored certificate's expiry (services/certificates/store.ts certificateExpiries). */
export type CertificateExpiry = { name: string; notAfter: Date; cluster: { name: string } };

export function createMetrics(
  opts: { defaultMetrics?: boolean; certificateExpiries?: () => Promise<CertificateExpiry[]> } = {},
) {
  const registry = new Registry();
  const expiries = opts.certificateExpiries;
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'keepwatch_web_' });
  const m = {
    registry,
    logins: new Counter({ name: 'keepwatch_logins_total', help: 'Successful sign-ins.', registers: [registry] }),
    loginFailures: new Counter({
      name: 'keepwatch_login_failures_total',
      help: 'Refused sign-ins, by reason.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    revisionsCreated: new Counter({
      name: 'keepwatch_config_revisions_created_total',
      help: 'Config revisions created.',
      registers: [registry],
    }),
    procedureErrors: new Counter({
      name: 'keepwatch_trpc_errors_total',
      help: 'tRPC procedure errors, by code.',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    agentsConnected: new Gauge({
      name: 'keepwatch_agents_connected',
      help: 'Agents connected to this instance.',
      registers: [registry],
    }),
    revisionsPushed: new Counter({
      name: 'keepwatch_revisions_pushed_total',
      help: 'Config revisions pushed to agents.',
      registers: [registry],
    }),
    applyLatency: new Histogram({
      name: 'keepwatch_apply_latency_seconds',
      help: "From a config push to the agent's apply result.",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    failedApplies: new Counter({
      name: 'keepwatch_failed_applies_total',
      help: 'Apply results reporting failure.',
      registers: [registry],
    }),
    subscriptions: new Gauge({
      name: 'keepwatch_subscriptions',
      help: 'Open live-update subscriptions.',
      registers: [registry],
    }),
    agentAuthFailures: new Counter({
      name: 'keepwatch_agent_auth_failures_total',
      help: 'Refused agent connections (enroll, hello, handshake timeout, rate limit), by reason.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    certificateExpiry: new Gauge({
      name: 'keepwatch_certificate_expiry_seconds',
      help: "A stored TLS certificate's notAfter, as Unix time in seconds.",
      labelNames: ['cluster', 'certificate'] as const,
      registers: [registry],
      // Read from the database at each scrape, so every dashboard instance reports the same set.
      async collect() {
        this.reset();
        if (!expiries) return;
        // A database that cannot answer leaves the series out rather than failing the whole scrape.
        const rows = await expiries().catch(() => []);
        for (const r of rows)
          this.set({ cluster: r.cluster.name, certificate: r.name }, Math.floor(r.notAfter.getTime() / 1000));
      },
    }),
  };
  return m;
}
export type Metrics = ReturnType<typeof createMetrics>;
