import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { cookieHeader, fieldError, signIn } from '../support/browser.js';
import { reportReferenceHolders } from '../support/hub-agent.js';
import { ADMIN } from '../support/dashboard.js';
import { edgeBrowserSuite, edgeSpec, VIEWER } from '../support/edge-dashboard.js';

/**
 * The dashboard's pages in real Chromium (Debian's, through playwright-core) against the
 * production server on the embedded database: sign-in, the cluster page, pool editing with the
 * version it was based on (conflict and field errors), role-aware controls, the audit log.
 * Screenshots go to tests/.cache/screenshots/.
 */
const SHOTS = fileURLToPath(new URL('../.cache/screenshots/', import.meta.url));

const spec = edgeSpec({
  advertIntervalMs: 100,
  checks: [{ kind: 'tcp', name: 'web_tcp', address: '203.0.113.21', port: 80 }],
});

type PoolRow = { id: string; version: number; pool: { name: string; servers: { address: string; port: number }[] } };

describe('dashboard pages in Chromium', () => {
  const edge = edgeBrowserSuite(spec);

  const pool = async () => (await edge.api.query<PoolRow[]>('pools.list', { clusterId: edge.clusterId }))[0]!;

  /** The cluster page, loaded: in `into`, or in a new page of the admin's context. */
  async function openCluster(into?: Page): Promise<Page> {
    const page = into ?? (await edge.admin.newPage());
    await page.goto(`${edge.base}/clusters/${edge.clusterId}`);
    await page.getByRole('heading', { name: 'Pool webs' }).waitFor();
    return page;
  }

  beforeAll(() => {
    mkdirSync(SHOTS, { recursive: true });
  });

  it('sends a visitor who is not signed in to the sign-in page, and a wrong password gets a message', async () => {
    const ctx = await edge.browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${edge.base}/`);
    await page.waitForURL(/\/login$/);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Next.js keeps an empty role=alert route announcer on every page: look for ours by its text.
    await page.getByRole('alert').filter({ hasText: 'wrong username or password' }).waitFor();
    await ctx.close();
  });

  it('signs an admin in and lists the clusters with the user and role shown', async () => {
    const page = await signIn(edge.admin, edge.base, ADMIN);
    expect(await page.getByTestId('whoami').textContent()).toMatch(/admin\s*admin/);
    await page.getByRole('link', { name: 'edge' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'clusters.png') });
    await page.getByRole('link', { name: 'edge' }).click();
    await page.getByRole('heading', { name: 'Pool webs' }).waitFor();
    expect(await page.getByTestId('holder-VI_1').textContent()).toContain('No node has reported holding this VIP yet');
    await page.screenshot({ path: join(SHOTS, 'cluster-admin.png'), fullPage: true });
    await page.close();
  });

  it('an admin adds a server to a pool and sees the new version and config revision', async () => {
    const page = await openCluster();
    await page.getByRole('button', { name: 'Edit pool webs' }).click();
    await page.getByRole('button', { name: 'Add server' }).click();
    await page.getByLabel('Address of server 3').fill('203.0.113.23');
    await page.getByLabel('Weight of server 3').fill('3');
    await page.getByLabel('Drain server 2').check();
    await page.getByLabel('Balancing method').selectOption('least_conn');
    await page.getByRole('button', { name: 'Review changes' }).click();
    // Before saving: the draft rendered as nginx config, diffed against what the nodes run (nothing yet here).
    const diff = page.getByTestId('config-diff').first();
    await diff.waitFor();
    expect(await diff.textContent()).toContain('nothing (no revision applied yet)');
    expect(await diff.textContent()).toMatch(/least_conn;/);
    expect(await diff.textContent()).toMatch(/server 203\.0\.113\.23:80 weight=3;/);
    await page.getByRole('button', { name: 'Save pool' }).click();
    await page.getByText('Saved pool webs as version 2 — config revision 2').waitFor();
    await page.getByRole('cell', { name: '203.0.113.23:80' }).waitFor();
    expect(await page.getByText('drained').count()).toBe(1);
    await page.getByText('least conn · version 2').waitFor();
    const p = await pool();
    expect(p.version).toBe(2);
    expect(p.pool.servers.map((s) => s.address)).toEqual(['203.0.113.21', '203.0.113.22', '203.0.113.23']);
    await page.close();
  });

  it('an edit based on a version someone else changed meanwhile is refused with a conflict message', async () => {
    const page = await openCluster();
    await page.getByRole('button', { name: 'Edit pool webs' }).click();
    const before = await pool();
    await edge.api.mutate('pools.update', {
      id: before.id,
      version: before.version,
      pool: { ...before.pool, servers: before.pool.servers.slice(0, 2) },
    });
    await page.getByLabel('Weight of server 1').fill('5');
    await page.getByRole('button', { name: 'Review changes' }).click();
    await page.getByRole('button', { name: 'Save pool' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'someone else changed pool webs' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('you edited version 2, it is now at version 3');
    expect((await pool()).version).toBe(3);
    await page.getByRole('region', { name: 'Upstream pools' }).screenshot({ path: join(SHOTS, 'pool-conflict.png') });
    await page.getByRole('button', { name: 'Discard my edit and reload' }).click();
    await page.getByText('version 3').first().waitFor();
    expect(await page.getByRole('cell', { name: '203.0.113.23:80' }).count()).toBe(0);
    await page.close();
  });

  it('a bad server address is refused with the message next to that field', async () => {
    const page = await openCluster();
    await page.getByRole('button', { name: 'Edit pool webs' }).click();
    const address = page.getByLabel('Address of server 2');
    await address.fill('10.0.0.300');
    await page.getByRole('button', { name: 'Review changes' }).click();
    await page.getByText('Not saved: fix the marked fields.').waitFor();
    expect(await fieldError(address)).toBe('must be an IPv4 or IPv6 address');
    expect(await page.getByLabel('Address of server 1').getAttribute('aria-invalid')).toBeNull();
    await page
      .getByRole('region', { name: 'Upstream pools' })
      .screenshot({ path: join(SHOTS, 'pool-field-error.png') });
    expect((await pool()).version).toBe(3);
    await page.close();
  });

  it('an admin edits the VRRP instance: a bad VRID is refused beside its field, then VRID and a priority are saved', async () => {
    const page = await openCluster();
    const vi = page.getByRole('article', { name: 'VI_1' });
    await vi.getByRole('button', { name: 'Edit VRRP instance VI_1' }).click();
    const vrid = vi.getByLabel('VRID');
    await vrid.fill('300');
    await vi.getByRole('button', { name: 'Save instance' }).click();
    await vi.getByText('Not saved: fix the marked fields.').waitFor();
    expect(await fieldError(vrid)).toMatch(/255/);
    await vi.screenshot({ path: join(SHOTS, 'instance-field-error.png') });
    await vrid.fill('52');
    await vi.getByLabel('Priority of lb2').fill('90');
    await vi.getByRole('button', { name: 'Save instance' }).click();
    await page.getByText(/Saved VRRP instance VI_1 as version 2 — config revision \d+ created/).waitFor();
    await vi.getByText(/VRID 52/).waitFor();
    const [inst] = await edge.api.query<
      { version: number; instance: { vrid: number; members: { node: string; priority: number }[] } }[]
    >('instances.list', { clusterId: edge.clusterId });
    expect([inst!.version, inst!.instance.vrid, inst!.instance.members.map((m) => m.priority)]).toEqual([
      2,
      52,
      [100, 90],
    ]);
    await page.close();
  });

  it("an admin edits a health check's rise and fall", async () => {
    const page = await openCluster();
    const checks = page.getByRole('region', { name: 'Health checks' });
    await checks.getByRole('button', { name: 'Edit check web_tcp' }).click();
    await checks.getByLabel('Rise').fill('3');
    await checks.getByLabel('Fall').fill('2');
    await checks.getByRole('button', { name: 'Save check' }).click();
    await checks.getByText(/Saved check web_tcp as version 2/).waitFor();
    await checks.getByRole('cell', { name: '3 / 2' }).waitFor();
    await page.close();
  });

  it('warns before taking the last node in service into maintenance', async () => {
    const page = await openCluster();
    const nodes = page.getByRole('region', { name: 'Nodes' });
    await nodes.getByRole('row', { name: /lb1/ }).getByRole('button', { name: 'Maintenance' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).not.toContain('last node in service');
    await dialog.getByRole('button', { name: 'Start maintenance' }).click();
    await nodes.getByRole('row', { name: /lb1/ }).getByRole('button', { name: 'End maintenance' }).waitFor();
    await nodes.getByRole('row', { name: /lb2/ }).getByRole('button', { name: 'Maintenance' }).click();
    expect(await dialog.textContent()).toContain('lb2 is the last node in service');
    await page.screenshot({ path: join(SHOTS, 'maintenance-last-node.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await nodes.getByRole('row', { name: /lb1/ }).getByRole('button', { name: 'End maintenance' }).click();
    await dialog.getByRole('button', { name: 'End maintenance' }).click();
    // exact: 'End maintenance' also contains "maintenance", and closing the page before the
    // mutation returns would lose the audit record the audit test counts.
    await nodes.getByRole('row', { name: /lb1/ }).getByRole('button', { name: 'Maintenance', exact: true }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await page.close();
  });

  it('shows which node last reported holding the VIP, with the age of that report, from the stored transitions', async () => {
    await reportReferenceHolders(edge.api, edge.base, edge.clusterId);
    const page = await openCluster();
    const holder = page.getByTestId('holder-VI_1');
    await holder.filter({ hasText: 'Last reported holder: lb1' }).waitFor();
    // An event, not a heartbeat: the page says how old the report is, never that lb1 holds it now.
    expect(await holder.textContent()).toMatch(/last seen 4\d s ago/);
    const rows = page.getByRole('region', { name: 'VIPs and who last reported holding them' }).getByRole('row');
    expect(await rows.filter({ hasText: 'lb2' }).textContent()).toMatch(/backup\s*4\d s ago/);
    await page.screenshot({ path: join(SHOTS, 'cluster-with-reports.png'), fullPage: true });
    // The overview shows who holds the VIP now, from live state (heartbeats): transitions are
    // events, so with no heartbeat yet it claims no holder, and says when each node was heard.
    await page.goto(`${edge.base}/`);
    const card = page.getByRole('region', { name: 'edge' });
    await card
      .getByRole('row', { name: /^lb1\b/ })
      .filter({ hasText: /heard/ })
      .waitFor();
    expect(await card.textContent()).toContain('no holder reporting');
    await page.screenshot({ path: join(SHOTS, 'clusters-with-reports.png') });
    await page.close();
  });

  it("a move the dashboard refuses (the target's agent reports no live state) shows the reason as given, and pins nothing", async () => {
    const page = await openCluster();
    const vi = page.getByRole('article', { name: 'VI_1' });
    await vi.getByRole('button', { name: 'Move VIP to lb2' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Move VIP' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'lb2' });
    await alert.waitFor();
    // The refusal as the server words it: these test agents connected once and never sent a heartbeat.
    expect(await alert.textContent()).toMatch(/node "lb2" (is offline|has not reported its state yet)/);
    expect(await vi.getByText(/pinned to/).count()).toBe(0);
    await page.close();
  });

  it('a viewer sees the cluster but no edit or failover controls, and the API refuses the edit', async () => {
    const ctx = await edge.browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    const page = await signIn(ctx, edge.base, VIEWER);
    await openCluster(page);
    await page.getByRole('heading', { name: 'VI_1' }).waitFor();
    for (const name of [/^Edit/, /Move/, /maintenance/i, /Release/, 'Add server', 'Save pool'])
      expect(await page.getByRole('button', { name }).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'cluster-viewer-dark.png'), fullPage: true });
    const viewerCookie = await cookieHeader(ctx);
    const p = await pool();
    const r = await edge.api.call(
      'pools.update',
      { id: p.id, version: p.version, pool: p.pool },
      { mutation: true, cookie: viewerCookie },
    );
    expect(r.error?.data?.code).toBe('FORBIDDEN');
    await page.goto(`${edge.base}/audit`);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    expect(await page.getByRole('button', { name: 'Verify chain' }).count()).toBe(0);
    await ctx.close();
  });

  it('the audit page lists the edits, and verify reports the chain intact', async () => {
    const page = await edge.admin.newPage();
    await page.goto(`${edge.base}/audit`);
    await page.getByRole('cell', { name: 'pool.update' }).first().waitFor();
    // The list may still be filling in (a live refresh) when the first row shows: poll the counts.
    await expect.poll(() => page.getByRole('cell', { name: 'pool.update' }).count(), { timeout: 10_000 }).toBe(2);
    await expect
      .poll(() => page.getByRole('cell', { name: 'failover.maintenance' }).count(), { timeout: 10_000 })
      .toBe(2);
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByText(/Chain intact: \d+ records verified/).waitFor();
    await page.screenshot({ path: join(SHOTS, 'audit.png'), fullPage: true });
    await page.close();
  });
});
