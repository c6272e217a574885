import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { REF, waitFor } from '@keepwatch/lab';
import { axeViolations, launchChromiumBeside, signIn } from '../support/browser.js';
import { ADMIN } from '../support/dashboard.js';
import { startEnrolledLab, type EnrolledLab } from './failover-lab.js';

/**
 * The overview in real Chromium over the reference lab with two real agents: who holds the VIP
 * now, each node's state and revision, and the problems — a failed deploy naming its node, and a
 * master whose agent was SIGKILLed (no goodbye, its last stored report still says "master"),
 * which must be shown superseded and then stale, never as the current holder.
 */
/** Screenshots of the overview with live agents (healthy; with problems) for the documentation. */
const SHOTS = fileURLToPath(new URL('../.output/screenshots/', import.meta.url));

describe('dashboard overview with real agents', () => {
  let env: EnrolledLab | undefined;
  let browser: Browser | undefined;
  let page: Page;

  const card = (): Locator => page.getByRole('region', { name: 'reference' });
  const holderRow = (): Locator =>
    card()
      .getByRole('table', { name: /VIP holders/ })
      .getByRole('row', { name: new RegExp(REF.vip.replace(/\./g, '\\.')) });
  const nodeRow = (node: string): Locator =>
    card()
      .getByRole('table', { name: /Nodes of/ })
      .getByRole('row', { name: new RegExp(`^${node}\\b`) });
  const problems = (): Locator => card().getByRole('list', { name: /Problems in/ });

  beforeAll(async () => {
    browser = await launchChromiumBeside(async () => {
      env = await startEnrolledLab();
    });
    page = await signIn(browser, env!.dashboard.base, ADMIN, { viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await env?.teardown();
  });

  it('shows the VIP on lb1, lb1 master and lb2 backup, both on the newest revision, with no problem', async () => {
    await page.goto(`${env!.dashboard.base}/`);
    await holderRow()
      .filter({ hasText: /lb1\s*master since/ })
      .waitFor({ timeout: 10_000 });
    await nodeRow('lb1').filter({ hasText: 'master' }).waitFor({ timeout: 10_000 });
    await nodeRow('lb2').filter({ hasText: 'backup' }).waitFor({ timeout: 10_000 });
    for (const lb of ['lb1', 'lb2']) {
      const revision = nodeRow(lb).getByRole('cell').nth(1);
      await expect.poll(() => revision.innerText(), { timeout: 5000 }).toBe('1');
      await expect(nodeRow(lb).getByRole('cell').nth(2).innerText()).resolves.toMatch(/^heard (just now|\d+ s ago)$/);
    }
    await card().getByText('No problems.').waitFor({ timeout: 5000 });
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}overview-live-healthy.png`, fullPage: true });
  });

  it('has no serious or critical accessibility violation, in light and dark, and fits a phone', async () => {
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      // The theme is chosen when the page loads.
      await page.reload();
      await holderRow().filter({ hasText: 'master since' }).waitFor({ timeout: 10_000 });
      expect(await axeViolations(page), theme).toEqual([]);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await holderRow().waitFor();
      const overflow = await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow, 'horizontal page scroll at 390 px').toBe(0);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.reload();
    }
  });

  it('a revision that fails nginx -t on lb2 shows a failed-deploy problem naming lb2', async () => {
    // lb2 lacks lb1's address, so nginx -t on lb2 cannot bind this listen socket.
    await env!.api.call(
      'virtualServers.create',
      {
        clusterId: env!.clusterId,
        virtualServer: {
          name: 'only-lb1',
          listen: [{ address: REF.lb1, port: 8080 }],
          locations: [{ path: '/', pool: 'webs' }],
        },
      },
      true,
    );
    const failed = problems()
      .getByRole('listitem')
      .filter({ hasText: /Deploy of revision \d+ failed on lb2/ });
    await failed.waitFor({ timeout: 30_000 });
    expect(await failed.getAttribute('data-problem')).toBe('failed-deploy');
    await nodeRow('lb2')
      .filter({ hasText: /rev \d+ failed/ })
      .waitFor({ timeout: 5000 });
    // The master never got the broken revision: it still holds the VIP on revision 1.
    await holderRow()
      .filter({ hasText: /lb1\s*master since/ })
      .waitFor({ timeout: 5000 });
  });

  it('after lb1’s agent is SIGKILLed, lb2 is shown holding the VIP within seconds and lb1 turns stale, never current master', async () => {
    const killedAt = Date.now();
    await env!.agents.lb1.kill();
    // lb2 takes over. lb1's namespace keeps the address too: a SIGKILLed agent never removes it.
    await waitFor(async () => (await env!.lab.holders(REF.vip)).includes('lb2') || undefined, {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: 'lb2 to take the VIP',
    });
    await holderRow()
      .filter({ hasText: /lb2\s*master since/ })
      .waitFor({ timeout: 5000 });
    const shownWithin = Date.now() - killedAt;
    expect(shownWithin).toBeLessThan(5_000);
    // Until the stale window ends lb1's last report says master: it is shown superseded, not as a master.
    const lb1State = nodeRow('lb1').getByRole('cell').first();
    const early = await lb1State.innerText();
    expect(early).toMatch(/superseded|offline/i);
    await expect(holderRow().innerText()).resolves.not.toMatch(/split brain|lb1/);
    // After the stale window (3 missed 5 s heartbeats): offline and stale, with its age.
    await nodeRow('lb1')
      .filter({ hasText: /stale: heard \d+ s ago/ })
      .waitFor({ timeout: 25_000 });
    expect(await lb1State.innerText()).toMatch(/offline/i);
    await problems()
      .getByRole('listitem')
      .filter({ hasText: /lb1 is offline \(last heard \d+ s ago\)/ })
      .waitFor({ timeout: 5000 });
    await expect(holderRow().innerText()).resolves.toMatch(/lb2\s*master since/);
    await page.screenshot({ path: `${SHOTS}overview-live-problems.png`, fullPage: true });
    // The problems list (red and amber) is readable too.
    expect(await axeViolations(page)).toEqual([]);
  });
});
