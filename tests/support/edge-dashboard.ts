import { afterAll, beforeAll } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { referenceHosts, referenceSpec } from '@keepwatch/lab';
import type { ClusterSpecInput } from '@keepwatch/shared';
import { launchChromiumBeside, signIn } from './browser.js';
import { ADMIN, startDashboard, type Dashboard } from './dashboard.js';
import { apiLogin, trpcHttp, type TrpcHttp } from './trpc-http.js';

type Server = NonNullable<ClusterSpecInput['pools']>[number]['servers'][number];

/** Documentation addresses no test routes to: the browser tests run the dashboard without a lab. */
const EDGE = referenceHosts({
  lb1: '192.0.2.11',
  lb2: '192.0.2.12',
  web1: '203.0.113.21',
  web2: '203.0.113.22',
  vip: '198.51.100.100',
});

/**
 * The browser tests' cluster "edge": the reference scenario (VRRPv3, VRID 51, lb1 100 / lb2 80) on
 * the addresses above, with untracked `checks` (default none) and the pool's `servers` (default
 * web1, and web2 at weight 2).
 */
export function edgeSpec(
  o: { advertIntervalMs?: number; checks?: ClusterSpecInput['checks']; servers?: Server[] } = {},
): ClusterSpecInput {
  return {
    ...referenceSpec({ name: 'edge', hosts: EDGE, advertIntervalMs: o.advertIntervalMs ?? 1000, check: null }),
    checks: o.checks ?? [],
    pools: [
      {
        name: 'webs',
        servers: o.servers ?? [
          { address: EDGE.web1, port: 80 },
          { address: EDGE.web2, port: 80, weight: 2 },
        ],
      },
    ],
  };
}

/** The viewer the browser tests create beside the first admin. */
export const VIEWER = { username: 'vera', password: 'a long viewer password' };

/**
 * The production dashboard with `spec` imported and {@link VIEWER} created, as the first admin:
 * the state the browser tests start from.
 */
export async function startEdgeDashboard(
  spec: ClusterSpecInput,
): Promise<{ dashboard: Dashboard; cookie: string; api: TrpcHttp; clusterId: string }> {
  const dashboard = await startDashboard();
  try {
    const cookie = await apiLogin(dashboard.base, ADMIN);
    const api = trpcHttp(dashboard.base, cookie);
    const clusterId = (await api.mutate<{ id: string }>('clusters.import', { spec })).id;
    await api.mutate('users.create', { ...VIEWER, role: 'viewer' });
    return { dashboard, cookie, api, clusterId };
  } catch (e) {
    await dashboard.stop();
    throw e;
  }
}

/** The edge dashboard and Chromium beside it, with a browser context for the admin. */
export type EdgeBrowser = {
  dashboard: Dashboard;
  browser: Browser;
  /** A context (1280×800 unless told), for the admin's pages. */
  admin: BrowserContext;
  base: string;
  api: TrpcHttp;
  clusterId: string;
};

/**
 * Registers the hooks of a browser test file on the edge dashboard: before the tests,
 * {@link startEdgeDashboard} with `spec` and Chromium launched beside it, and the admin's context —
 * of `viewport`'s size, signed in when `signedIn`, with `timeoutMs` as its actions' default timeout; after
 * them, the browser closed and the dashboard stopped. The returned object is filled in when the
 * hook has run.
 */
export function edgeBrowserSuite(
  spec: ClusterSpecInput,
  o: { signedIn?: boolean; timeoutMs?: number; viewport?: { width: number; height: number } } = {},
): EdgeBrowser {
  const edge = {} as EdgeBrowser;
  beforeAll(async () => {
    edge.browser = await launchChromiumBeside(async () => {
      ({ dashboard: edge.dashboard, api: edge.api, clusterId: edge.clusterId } = await startEdgeDashboard(spec));
      edge.base = edge.dashboard.base;
    });
    edge.admin = await edge.browser.newContext({ viewport: o.viewport ?? { width: 1280, height: 800 } });
    if (o.timeoutMs) edge.admin.setDefaultTimeout(o.timeoutMs);
    if (o.signedIn) await signIn(edge.admin, edge.base, ADMIN).then((p) => p.close());
  });
  afterAll(async () => {
    await edge.browser?.close();
    await edge.dashboard?.stop();
  });
  return edge;
}
