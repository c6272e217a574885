import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REF, referenceSpec, startEnrolledAgents, throughVip, waitServed, type LabAgent } from '@keepwatch/lab';
import { axeViolations, holderShownAt, launchChromiumBeside, signIn } from '../support/browser.js';
import { startDashboardLab, type DashboardLab } from '../support/dashboard-lab.js';
import { ADMIN } from '../support/dashboard.js';
import type { TrpcHttp } from '../support/trpc-http.js';

/**
 * The cluster page in real Chromium against the production dashboard with real agents and nginx
 * in the lab (VRRPv3 at 0.1 s): the VIP on lb1; a backend added to the pool through the page,
 * reviewed as an nginx diff, applied on both nodes and served through the VIP; a change that
 * fails `nginx -t` shown failed with nginx's message while traffic continues; "Move VIP to lb2"
 * confirmed, followed live until lb2 is master, the VIP in lb2's namespace, and the audit page
 * listing it with the user.
 */
const SHOTS = fileURLToPath(new URL('../.cache/screenshots/', import.meta.url));

describe('cluster page with real agents', () => {
  let env: DashboardLab | undefined;
  let browser: Browser | undefined;
  let ctx: BrowserContext;
  let page: Page;
  let base = '';
  let api: TrpcHttp;
  let clusterId = '';
  const agents: LabAgent[] = [];

  const agentLogs = () => agents.map((a) => `--- ${a.host}\n${a.log().slice(-1500)}`).join('\n');

  beforeAll(async () => {
    browser = await launchChromiumBeside(async () => {
      env = await startDashboardLab();
      const { lab } = env;
      api = env.api;
      base = env.dashboard.base;
      // The pool starts with web1 only: the test adds web2 through the page.
      const spec = { ...referenceSpec(), pools: [{ name: 'webs', servers: [{ address: REF.web1, port: 80 }] }] };
      const started = await startEnrolledAgents(lab, api, { spec, hubSocket: env.bridge.path });
      clusterId = started.clusterId;
      agents.push(started.agent.lb1, started.agent.lb2);
      await lab.waitForHolders(REF.vip, ['lb1'], 15_000);
      await waitServed(lab);
    });
    ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await signIn(ctx, base, ADMIN);
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const a of agents) await a.stop().catch(() => undefined);
    await env?.stop();
  });

  it('shows lb1 holding the VIP, with the live state of both nodes', async () => {
    await page.goto(`${base}/clusters/${clusterId}`);
    await page.getByTestId('holder-VI_1').filter({ hasText: 'Last reported holder: lb1' }).waitFor({ timeout: 15_000 });
    // The live state the hub stored from the agents' heartbeats: lb1 master at its base priority.
    await page.getByTestId('live-state-lb1-VI_1').filter({ hasText: 'master' }).waitFor({ timeout: 15_000 });
    await page.getByTestId('live-state-lb2-VI_1').filter({ hasText: 'backup' }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('live-lb1').textContent()).toMatch(/online/);
    expect(await page.getByTestId('live-lb1').textContent()).toMatch(/100 → 100/);
    await page.getByTestId('timeline-VI_1').waitFor();
    await page.screenshot({ path: join(SHOTS, 'cluster-live.png'), fullPage: true });
  }, 60_000);

  it('adds a backend through the page: the nginx diff is shown first, both nodes show applied, and the VIP serves the new backend', async () => {
    const pools = page.getByRole('region', { name: 'Upstream pools' });
    await pools.getByRole('button', { name: 'Edit pool webs' }).click();
    await pools.getByRole('button', { name: 'Add server' }).click();
    await pools.getByLabel('Address of server 2').fill(REF.web2);
    await pools.getByRole('button', { name: 'Review changes' }).click();
    const diff = pools.getByTestId('config-diff');
    await diff.first().waitFor();
    expect(await diff.first().textContent()).toContain(`server ${REF.web2}:80;`);
    expect(await diff.first().textContent()).toMatch(/against revision 1/);
    await pools.screenshot({ path: join(SHOTS, 'pool-diff.png') });
    await pools.getByRole('button', { name: 'Save pool' }).click();
    const rollout = pools.getByTestId('rollout-2');
    await rollout.waitFor();
    for (const lb of ['lb1', 'lb2'])
      await pools.getByTestId(`rollout-2-${lb}`).filter({ hasText: 'applied' }).waitFor({ timeout: 30_000 });
    await rollout.filter({ hasText: 'Revision 2 is applied on every node.' }).waitFor();
    await pools.screenshot({ path: join(SHOTS, 'pool-rollout.png') });
    const bodies = await throughVip(env!.lab, 6);
    expect(bodies).toContain('web2');
    expect(bodies.every((b) => b === 'web1' || b === 'web2')).toBe(true);
  }, 60_000);

  it("a change that fails nginx -t shows failed with nginx's message, and traffic through the VIP is unaffected", async () => {
    // lb2 lacks lb1's address, so nginx -t on lb2 (the backup, which gets it first) cannot bind this listen socket.
    const r = await api.mutate<{ revision: number }>('virtualServers.create', {
      clusterId,
      virtualServer: {
        name: 'only-lb1',
        listen: [{ address: REF.lb1, port: 8080 }],
        locations: [{ path: '/', pool: 'webs' }],
      },
    });
    const nodes = page.getByRole('region', { name: 'Nodes' });
    const lb2 = nodes.getByRole('row', { name: /lb2/ });
    await lb2.filter({ hasText: 'failed' }).waitFor({ timeout: 30_000 });
    expect(await lb2.textContent()).toContain(`rev ${r.revision}`);
    expect(await nodes.getByTestId('nginx-output-lb2').textContent()).toMatch(/\[emerg\].*8080/);
    // The master never got it (the rollout halted) and keeps serving.
    expect(await nodes.getByRole('row', { name: /lb1/ }).textContent()).not.toContain('failed');
    expect(await throughVip(env!.lab, 4)).toEqual(expect.arrayContaining(['web1', 'web2']));
    expect((await throughVip(env!.lab, 4)).every((b) => b === 'web1' || b === 'web2')).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'cluster-failed-apply.png'), fullPage: true });
    // Undo, so the next revision rolls out again.
    const [vs] = (
      await api.query<{ id: string; version: number; virtualServer: { name: string } }[]>('virtualServers.list', {
        clusterId,
      })
    ).filter((v) => v.virtualServer.name === 'only-lb1');
    await api.mutate('virtualServers.delete', { id: vs!.id, version: vs!.version });
  }, 60_000);

  it('"Move VIP to lb2", confirmed: the page shows lb2 as holder within 2 s of its transition, lb2 holds the VIP, and the audit log has it with the user', async () => {
    const vi = page.getByRole('article', { name: 'VI_1' });
    await vi.getByRole('button', { name: 'Move VIP to lb2' }).click();
    const dialog = page.getByRole('dialog');
    const says = (await dialog.textContent()) ?? '';
    expect(says).toContain('make-before-break');
    expect(says).toContain('Release');
    expect(says).toMatch(/lb1, which holds it now, lets it go/);
    await page.screenshot({ path: join(SHOTS, 'move-vip-confirm.png') });
    const asked = Date.now();
    await dialog.getByRole('button', { name: 'Move VIP' }).click();
    await page.getByTestId('move-progress').waitFor();
    // When the page first shows lb2 as the holder (polled tightly; the page itself re-reads every second).
    const shownAt = await holderShownAt(page, 'lb2', {
      timeoutMs: 20_000,
      what: `the page to show lb2 holding VI_1 (agents:\n${agentLogs()})`,
    });
    type T = { node: string; to: string; at: string; receivedAt: string; reason: string };
    const took = (await api.query<T[]>('clusters.transitions', { clusterId, limit: 50 })).find(
      (t) => t.node === 'lb2' && t.to === 'master' && Date.parse(t.at) >= asked - 1000,
    );
    expect(took, "lb2's transition to master is stored").toBeDefined();
    expect(
      shownAt - Date.parse(took!.at),
      `shown ${shownAt - Date.parse(took!.at)} ms after the transition (stored ${Date.parse(took!.receivedAt) - Date.parse(took!.at)} ms after it)`,
    ).toBeLessThanOrEqual(2000);
    await page.getByTestId('move-progress').filter({ hasText: 'lb2 now holds VI_1' }).waitFor({ timeout: 10_000 });
    await env!.lab.waitForHolders(REF.vip, ['lb2'], 10_000);
    expect(await env!.lab.holds('lb2', REF.vip)).toBe(true);
    await waitServed(env!.lab);
    await vi.getByText('pinned to lb2').waitFor({ timeout: 5_000 });
    await page.screenshot({ path: join(SHOTS, 'move-vip-done.png'), fullPage: true });
    await page.goto(`${base}/audit`);
    const row = page.getByRole('row', { name: /failover\.promote/ }).first();
    await row.waitFor();
    expect(await row.textContent()).toContain(ADMIN.username);
  }, 60_000);

  it('with live data, the timeline and a failover in progress, axe finds no serious or critical violation on the cluster page, light or dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const c = await browser!.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
      await c.addCookies((await ctx.cookies()).map((k) => ({ ...k })));
      const p = await c.newPage();
      await p.goto(`${base}/clusters/${clusterId}`);
      await p.getByTestId('live-state-lb2-VI_1').waitFor({ timeout: 15_000 });
      await p.getByTestId('timeline-VI_1').waitFor();
      // A transition marker focused by keyboard tells its reason.
      await p.getByTestId('timeline-VI_1').getByRole('img').first().focus();
      await p.getByTestId('timeline-tooltip').waitFor();
      expect(await p.getByTestId('timeline-tooltip').textContent()).toMatch(/reason: \S+/);
      await p.screenshot({ path: join(SHOTS, `cluster-timeline-${scheme}.png`), fullPage: true });
      expect(await axeViolations(p)).toEqual([]);
      await p.getByRole('button', { name: 'Last 10 min' }).click();
      await p.getByRole('figure', { name: /last 10 min/ }).waitFor();
      await p
        .getByRole('region', { name: 'VIP ownership timeline' })
        .screenshot({ path: join(SHOTS, `cluster-timeline-10min-${scheme}.png`) });
      // Readable on a phone: the page reflows, wide tables and the chart scroll inside their section.
      await p.setViewportSize({ width: 390, height: 844 });
      await p.screenshot({ path: join(SHOTS, `cluster-phone-${scheme}.png`), fullPage: true });
      expect(await p.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(400);
      await c.close();
    }
  }, 60_000);

  it('"Release" ends the sticky move: lb1, preferred and preempting, takes the VIP back', async () => {
    await page.goto(`${base}/clusters/${clusterId}`);
    const vi = page.getByRole('article', { name: 'VI_1' });
    await vi.getByRole('button', { name: 'Release' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toMatch(/lb1 has the highest priority and preempts/);
    await dialog.getByRole('button', { name: 'Release' }).click();
    await env!.lab.waitForHolders(REF.vip, ['lb1'], 15_000);
    await page.getByTestId('holder-VI_1').filter({ hasText: 'Last reported holder: lb1' }).waitFor({ timeout: 10_000 });
    // The instances panel reads on its own (the page's panels each run their query): its pin goes too.
    await expect.poll(() => vi.getByText('pinned to lb2').count(), { timeout: 10_000 }).toBe(0);
    await waitServed(env!.lab);
  }, 60_000);
});
