import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTRPCClient, httpSubscriptionLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import superjson from 'superjson';
import type { Browser, Page } from 'playwright-core';
import { REF, pgUrl, startTestPostgres, waitFor, type TestPostgres } from '@keepwatch/lab';
import { holderShownAt, launchChromium } from '../support/browser.js';
import { startDashboard, type Dashboard } from '../support/dashboard.js';
import { FetchEventSource } from '../support/event-source.js';
import { Api, startEnrolledLab, type EnrolledLab } from './failover-lab.js';

/**
 * Two dashboard instances (two OS processes, production build) on one real PostgreSQL. The lab's
 * agents are connected to instance A only; a browser-like client on instance B subscribes over
 * SSE (tRPC `httpSubscriptionLink`, signed in with B's session cookie) and sees the agents'
 * transitions, which cross from A to B by LISTEN/NOTIFY; a promote issued on B reaches the agent
 * held by A (the desired state goes through the bus to A's hub), and a release on A is seen on B.
 * The cluster page on B in real Chromium follows the move live (no polling while its stream is up).
 */
type LiveEvent = { type: string; clusterId?: string | null; nodeId?: string; instance?: string; to?: string };
type LiveClient = {
  live: {
    cluster: {
      subscribe(
        input: { clusterId: string },
        opts: { onStarted?: () => void; onData?: (e: LiveEvent) => void; onError?: (e: unknown) => void },
      ): { unsubscribe(): void };
    };
  };
};

const metric = async (base: string, name: string): Promise<number> => {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
};

describe('two dashboard instances on one PostgreSQL', () => {
  let pg: TestPostgres | undefined;
  let env: EnrolledLab | undefined;
  let b: Dashboard | undefined;
  let apiB: Api;
  let sub: { unsubscribe(): void } | undefined;
  const events: LiveEvent[] = [];
  let started = 0;
  const errors: unknown[] = [];
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    pg = startTestPostgres();
    const databaseUrl = pgUrl(pg, 'postgres');
    // Instance A: the lab's agents enroll with it and stay connected to it.
    env = await startEnrolledLab({ databaseUrl });
    b = await startDashboard({ databaseUrl });
    apiB = new Api(b.base);
    await apiB.login();
    const client = createTRPCClient<AnyTRPCRouter>({
      links: [
        httpSubscriptionLink({
          url: `${b.base}/api/trpc`,
          transformer: superjson,
          EventSource: FetchEventSource,
          eventSourceOptions: { headers: { cookie: apiB.cookie } },
        }),
      ],
    }) as unknown as LiveClient;
    sub = client.live.cluster.subscribe(
      { clusterId: env.clusterId },
      { onStarted: () => void started++, onData: (e) => void events.push(e), onError: (e) => void errors.push(e) },
    );
    await waitFor(() => started > 0 || undefined, {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: `the subscription on B to start (errors: ${JSON.stringify(errors)})`,
    });
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const [name, value] = apiB.cookie.split('=') as [string, string];
    await ctx.addCookies([{ name, value, url: b.base }]);
    page = await ctx.newPage();
    await page.goto(`${b.base}/clusters/${env.clusterId}`);
    // The page's own subscription (SSE through B) is up: it says so.
    await page.locator('[data-live-state="live"]').waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    sub?.unsubscribe();
    await b?.stop().catch(() => undefined);
    await env?.teardown();
    pg?.stop();
  });

  it("the agents are connected to instance A only, and each instance's metrics say what it did", async () => {
    const a = env!.dashboard.base;
    expect(await metric(a, 'keepwatch_agents_connected')).toBe(2);
    expect(await metric(b!.base, 'keepwatch_agents_connected')).toBe(0);
    // A pushed revision 1 to both agents and timed each push to its apply result.
    expect(await metric(a, 'keepwatch_revisions_pushed_total')).toBeGreaterThanOrEqual(2);
    expect(await metric(a, 'keepwatch_apply_latency_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(await metric(a, 'keepwatch_failed_applies_total')).toBe(0);
    expect(await metric(b!.base, 'keepwatch_revisions_pushed_total')).toBe(0);
    // B serves the two live subscriptions: this test's client and the page's.
    expect(await metric(b!.base, 'keepwatch_subscriptions')).toBe(2);
  });

  it("a promote issued on B reaches the agent held by A: the VIP moves to lb2, and B's subscriber and B's cluster page in Chromium see lb2 become master", async () => {
    const { lab, nodeIds, instanceId, clusterId } = env!;
    const issued = Date.now();
    await apiB.call('failover.promote', { instanceId, nodeId: nodeIds.lb2 }, true);
    await lab.waitForHolders(REF.vip, ['lb2'], 10_000);
    const moved = Date.now() - issued;
    await waitFor(
      () => events.some((e) => e.type === 'transition' && e.nodeId === nodeIds.lb2 && e.to === 'master') || undefined,
      {
        timeoutMs: 5000,
        intervalMs: 50,
        what: `B's subscriber to see lb2 become master (events: ${JSON.stringify(events)})`,
      },
    );
    expect(events.find((e) => e.type === 'transition' && e.nodeId === nodeIds.lb2 && e.to === 'master')).toEqual({
      type: 'transition',
      clusterId,
      nodeId: nodeIds.lb2,
      instance: 'VI_1',
      to: 'master',
    });
    // The intent itself crossed as a failover event, and the agents' live state as node-live.
    expect(events.some((e) => e.type === 'failover' && e.clusterId === clusterId)).toBe(true);
    // B reads the stored result written by A's hub.
    const status = await apiB.call<{ instances: { master: string | null; promotedNode: string | null }[] }>(
      'failover.status',
      { clusterId },
    );
    expect(status.instances[0]).toMatchObject({ promotedNode: 'lb2' });
    await waitFor(
      async () =>
        (await apiB.call<{ instances: { master: string | null }[] }>('failover.status', { clusterId })).instances[0]
          ?.master === 'lb2' || undefined,
      { timeoutMs: 5000, intervalMs: 100, what: 'B to read lb2 as master' },
    );
    expect(moved).toBeLessThan(10_000);
    // The page on B shows lb2 as the holder without polling (it would poll only every 10 s while
    // its stream were down): within 2 s of lb2's stored transition.
    type T = { node: string; to: string; at: string };
    const took = (await apiB.call<T[]>('clusters.transitions', { clusterId, limit: 50 })).find(
      (t) => t.node === 'lb2' && t.to === 'master' && Date.parse(t.at) >= issued - 1000,
    );
    expect(took).toBeDefined();
    const shownAt = await holderShownAt(page, 'lb2', {
      timeoutMs: 10_000,
      what: 'the page on B to show lb2 holding VI_1',
    });
    expect(shownAt - Date.parse(took!.at)).toBeLessThanOrEqual(2000);
    expect(await page.locator('[data-live-state="live"]').count()).toBe(1);
  });

  it("a release issued on A is seen live on B: lb1 preempts back and B's subscriber sees it become master", async () => {
    const { lab, nodeIds, instanceId, api } = env!;
    const before = events.length;
    await api.call('failover.release', { instanceId }, true);
    await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
    await waitFor(
      () =>
        events.slice(before).some((e) => e.type === 'transition' && e.nodeId === nodeIds.lb1 && e.to === 'master') ||
        undefined,
      {
        timeoutMs: 5000,
        intervalMs: 50,
        what: `B's subscriber to see lb1 become master again (events: ${JSON.stringify(events.slice(before))})`,
      },
    );
    // The release was a mutation on A: B's subscriber also got its audit event.
    expect(events.slice(before).some((e) => e.type === 'audit')).toBe(true);
    expect(errors).toEqual([]);
  });
});
