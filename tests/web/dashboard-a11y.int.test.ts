import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { waitFor } from '@keepwatch/lab';
import { axeViolations, launchChromiumBeside, signIn, type Violation } from '../support/browser.js';
import { reportReferenceHolders } from '../support/hub-agent.js';
import { ADMIN, type Dashboard } from '../support/dashboard.js';
import type { TrpcHttp } from '../support/trpc-http.js';
import { edgeSpec, startEdgeDashboard } from '../support/edge-dashboard.js';

/**
 * Every dashboard page in real Chromium, light and dark: axe-core (injected into the page) finds
 * no serious or critical violation; a screenshot of each at 1280×800 goes to
 * tests/.output/screenshots/<page>-<theme>.png for the documentation; at a phone's width
 * (390×844) no page scrolls sideways and the navigation collapses into a menu.
 */
const SHOTS = fileURLToPath(new URL('../.output/screenshots/', import.meta.url));

const spec = edgeSpec();

type Theme = 'light' | 'dark';
interface PageCase {
  name: string;
  path: () => string;
  /** Signed in as admin (else: signed out). */
  signedIn: boolean;
  /** Resolves once the page shows its data, not its loading state. */
  ready: (page: Page) => Promise<void>;
}

describe('dashboard accessibility, themes and screenshots in Chromium', () => {
  let dashboard: Dashboard | undefined;
  let browser: Browser | undefined;
  let base = '';
  let cookie = '';
  let api: TrpcHttp;
  let clusterId = '';
  const contexts = new Map<string, BrowserContext>();

  /** A signed-in (admin) or signed-out browser context for a theme and viewport. */
  async function context(
    theme: Theme,
    signedIn: boolean,
    viewport = { width: 1280, height: 800 },
  ): Promise<BrowserContext> {
    const key = `${theme}-${signedIn}-${viewport.width}`;
    const have = contexts.get(key);
    if (have) return have;
    const ctx = await browser!.newContext({ viewport, colorScheme: theme });
    if (signedIn) await (await signIn(ctx, base, ADMIN)).close();
    contexts.set(key, ctx);
    return ctx;
  }

  const PAGES: PageCase[] = [
    {
      name: 'login',
      path: () => '/login',
      signedIn: false,
      ready: (p) => p.getByRole('button', { name: 'Sign in' }).waitFor(),
    },
    {
      name: 'overview',
      path: () => '/',
      signedIn: true,
      ready: (p) =>
        p
          .getByRole('region', { name: 'edge' })
          .getByRole('row', { name: /^lb1\b/ })
          .filter({ hasText: /heard|never/ })
          .waitFor(),
    },
    {
      name: 'cluster',
      path: () => `/clusters/${clusterId}`,
      signedIn: true,
      ready: (p) => p.getByRole('heading', { name: 'Pool webs' }).waitFor(),
    },
    // A table on a wide screen, a list of cards on a phone.
    {
      name: 'nodes',
      path: () => '/nodes',
      signedIn: true,
      ready: (p) =>
        p
          .getByRole('region', { name: 'Nodes' })
          .getByText('lb2', { exact: true })
          .filter({ visible: true })
          .first()
          .waitFor(),
    },
    {
      name: 'audit',
      path: () => '/audit',
      signedIn: true,
      ready: async (p) => (
        await p.getByTestId('audit-row').first().waitFor(),
        await p.getByText(/Chain intact/).waitFor()
      ),
    },
    {
      name: 'users',
      path: () => '/users',
      signedIn: true,
      ready: (p) => p.getByRole('row', { name: /vera/ }).waitFor(),
    },
  ];

  async function open(ctx: BrowserContext, c: PageCase): Promise<Page> {
    const page = await ctx.newPage();
    await page.goto(`${base}${c.path()}`);
    await c.ready(page);
    // Nothing still loading anywhere on the page (a section loading on its own).
    await waitFor(async () => (await page.getByText(/^Loading .*…$/).count()) === 0, {
      timeoutMs: 10_000,
      what: `${c.name} to finish loading`,
    });
    return page;
  }

  beforeAll(async () => {
    browser = await launchChromiumBeside(async () => {
      ({ dashboard, cookie, api, clusterId } = await startEdgeDashboard(spec));
      base = dashboard.base;
      await reportReferenceHolders(api, base, clusterId);
      // Pages other parts of the product add (nodes over SSH, import, export): checked when present.
      for (const [name, path] of [
        ['nodes-ssh', '/nodes/ssh'],
        ['import', '/import'],
        ['export', '/export'],
      ] as const) {
        if ((await fetch(`${base}${path}`, { headers: { cookie } })).status !== 200) continue;
        PAGES.push({
          name,
          path: () => path,
          signedIn: true,
          ready: (p) => p.getByRole('main').getByRole('heading').first().waitFor(),
        });
      }
    });
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    for (const c of contexts.values()) await c.close().catch(() => undefined);
    await browser?.close();
    await dashboard?.stop();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`every page has no serious or critical axe violation in the ${theme} theme, and is screenshotted at 1280×800`, async () => {
      const found: Record<string, Violation[]> = {};
      for (const c of PAGES) {
        const page = await open(await context(theme, c.signedIn), c);
        // The theme follows the browser's prefers-color-scheme when the user picked none.
        expect(await page.evaluate('document.documentElement.classList.contains("dark")'), `${c.name} theme`).toBe(
          theme === 'dark',
        );
        await page.screenshot({ path: join(SHOTS, `${c.name}-${theme}.png`), fullPage: true });
        const v = await axeViolations(page);
        if (v.length > 0) found[c.name] = v;
        await page.close();
      }
      expect(found).toEqual({});
      expect(PAGES.length).toBeGreaterThanOrEqual(6);
    });
  }

  for (const theme of ['light', 'dark'] as const) {
    it(`forms, dialogs, menus and the one-time token panel have no serious or critical axe violation in the ${theme} theme`, async () => {
      const page = await (await context(theme, true)).newPage();
      const found: Record<string, Violation[]> = {};
      const check = async (name: string) => {
        const v = await axeViolations(page);
        if (v.length > 0) found[name] = v;
      };
      await page.goto(`${base}/nodes`);
      await page.getByRole('button', { name: 'Enroll a node' }).click();
      const form = page.getByRole('form', { name: 'Enroll a node' });
      await form.getByLabel('Node name').fill(`lb-${theme}`);
      // A refused field first: the form with its error beside the field.
      await form.getByLabel('Addresses').fill('not-an-address');
      await form.getByRole('button', { name: 'Add node and issue token' }).click();
      await form.getByText('Not added: fix the marked fields.').waitFor();
      await check('enroll form');
      await form.getByLabel('Addresses').fill('');
      await form.getByRole('button', { name: 'Add node and issue token' }).click();
      await page.getByTestId('enroll-command').waitFor();
      await check('token panel');
      await page.screenshot({ path: join(SHOTS, `nodes-token-${theme}.png`), fullPage: true });
      await page.getByRole('button', { name: `Remove lb-${theme}` }).click();
      await page.getByRole('dialog').waitFor();
      await check('remove dialog');
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: /^Account:/ }).click();
      await page.getByText('Signed in as').waitFor();
      await check('user menu');
      await page.keyboard.press('Escape');
      await page.goto(`${base}/users`);
      await page.getByRole('button', { name: 'Set password for vera' }).click();
      await page.getByRole('dialog').waitFor();
      await check('password dialog');
      await page.screenshot({ path: join(SHOTS, `users-password-${theme}.png`) });
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      await page.goto(`${base}/audit`);
      await page.getByTestId('audit-row').first().locator('summary').first().click();
      await check('audit diff');
      await page.close();
      expect(found).toEqual({});
    });
  }

  it('the theme toggle overrides the system preference and is remembered across reloads', async () => {
    const ctx = await browser!.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    try {
      const page = await ctx.newPage();
      await page.goto(`${base}/login`);
      const dark = () => page.evaluate('document.documentElement.classList.contains("dark")');
      expect(await dark()).toBe(false);
      await page.getByLabel('Theme').selectOption('dark');
      expect(await dark()).toBe(true);
      await page.reload();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await dark()).toBe(true);
      expect(await page.getByLabel('Theme').inputValue()).toBe('dark');
      await page.getByLabel('Theme').selectOption('system');
      expect(await dark()).toBe(false);
      await page.reload();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await dark()).toBe(false);
    } finally {
      await ctx.close();
    }
  });

  it('at a phone width (390×844) no page scrolls sideways and the navigation collapses into a menu', async () => {
    const overflow: Record<string, number> = {};
    for (const c of PAGES) {
      const page = await open(await context('light', c.signedIn, { width: 390, height: 844 }), c);
      const extra = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      if (extra > 0) overflow[c.name] = extra;
      await page.screenshot({ path: join(SHOTS, `${c.name}-phone.png`), fullPage: true });
      await page.close();
    }
    expect(overflow).toEqual({});

    const page = await (await context('light', true, { width: 390, height: 844 })).newPage();
    await page.goto(`${base}/`);
    await page.getByTestId('whoami').waitFor();
    expect(await page.getByRole('navigation', { name: 'Main', exact: true }).isVisible()).toBe(false);
    const menu = page.getByRole('button', { name: 'Menu' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.click();
    const nav = page.getByRole('navigation', { name: 'Main (menu)' });
    await nav.getByRole('link', { name: 'Users' }).waitFor();
    await nav.getByRole('link', { name: 'Nodes' }).click();
    await page.waitForURL(/\/nodes$/);
    await page.getByRole('region', { name: 'Nodes' }).waitFor();
    // Having gone somewhere, the menu closes again.
    expect(await nav.count()).toBe(0);
    await page.close();
  });

  it('every control of the user menu is reachable by keyboard, and Escape closes it', async () => {
    const page = await (await context('light', true)).newPage();
    await page.goto(`${base}/nodes`);
    const account = page.getByRole('button', { name: /^Account: admin, admin/ });
    await account.focus();
    await page.keyboard.press('Enter');
    await page.getByText('Signed in as').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Sign out');
    await page.keyboard.press('Escape');
    await waitFor(async () => (await page.getByText('Signed in as').count()) === 0, {
      timeoutMs: 2_000,
      what: 'the menu to close',
    });
    expect(
      await page.evaluate<string | null>('document.activeElement && document.activeElement.getAttribute("aria-label")'),
    ).toMatch(/^Account: admin/);
    await page.close();
  });
});
