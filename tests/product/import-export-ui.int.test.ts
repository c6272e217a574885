import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { mapTutorialAddresses, seedFixture } from '@keepwatch/lab';
import { launchChromiumBeside, signIn } from '../support/browser.js';
import { ADMIN, startDashboard, type Dashboard } from '../support/dashboard.js';

/**
 * Import and export in the UI (Chromium against the production server): the reference
 * scenario's two keepalived.conf files and lb.conf are pasted, the preview names the keyword
 * Keepwatch does not honour with its file and line, the cluster is created, and its export shows
 * each node's keepalived.conf and nginx config.
 */
describe('import from and export to keepalived in the dashboard', () => {
  let dashboard: Dashboard | undefined;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromiumBeside(async () => {
      dashboard = await startDashboard();
    });
    page = await signIn(browser, dashboard!.base, ADMIN, { viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
  });

  it("imports the reference scenario's files: the preview names lvs_sync_daemon_interface with its line, and the cluster is created", async () => {
    const master = mapTutorialAddresses(seedFixture('keepalived-master.conf'));
    const backup = mapTutorialAddresses(seedFixture('keepalived-backup.conf'));
    const lb = mapTutorialAddresses(seedFixture('lb.conf'));
    await page.goto(`${dashboard!.base}/import`);
    await page.getByLabel('Cluster name').fill('tutorial');
    await page.getByLabel('keepalived.conf of load balancer 1').fill(master);
    await page.getByLabel('keepalived.conf of load balancer 2').fill(backup);
    await page.getByLabel('nginx config with the upstreams (optional)').fill(lb);
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByTestId('import-preview');
    await preview.waitFor();
    const line = master.split('\n').findIndex((l) => l.includes('lvs_sync_daemon_interface')) + 1;
    await expect.poll(() => page.getByTestId('unsupported').innerText()).toContain(`lb1.conf:${line}`);
    expect(await page.getByTestId('unsupported').innerText()).toContain('lvs_sync_daemon_interface');
    expect(await preview.innerText()).toMatch(/VI_1\s+51/);
    await page.getByRole('button', { name: 'Create cluster tutorial' }).click();
    await page.waitForURL(/\/clusters\/[0-9a-f-]{36}$/, { timeout: 15_000 });
  });

  it("exports the cluster: each node's keepalived.conf with its priority, and the nginx upstream", async () => {
    const id = /\/clusters\/([0-9a-f-]{36})$/.exec(page.url())?.[1];
    await page.goto(`${dashboard!.base}/export?cluster=${id}`);
    const files = page.locator('pre');
    await expect.poll(() => files.count(), { timeout: 15_000 }).toBe(4);
    const text = (await files.allInnerTexts()).join('\n');
    expect(text).toMatch(/virtual_router_id 51/);
    expect(text).toMatch(/priority 100/);
    expect(text).toMatch(/priority 80/);
    expect(text).toMatch(/upstream /);
  });

  it("shows a broken file's error with its file and line, and creates nothing", async () => {
    await page.goto(`${dashboard!.base}/import`);
    await page
      .getByLabel('keepalived.conf of load balancer 1')
      .fill('global_defs {\n  router_id lb9\n}\nvrrp_instance VI_9 {\n  virtual_router_id 999\n}\n');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect
      .poll(() => page.getByTestId('import-preview').innerText())
      .toMatch(/cannot be imported[\s\S]*lb1\.conf:5/);
    expect(await page.getByRole('button', { name: /Create cluster/ }).count()).toBe(0);
  });
});
