import { createRequire } from 'node:module';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { waitFor } from '@keepwatch/lab';
import type { Who } from './trpc-http.js';

/**
 * Debian's Chromium (/usr/bin/chromium) through playwright-core, for the tests that drive the
 * dashboard's pages: one launch with one set of flags, sign-in through the login page as a user
 * does, and axe-core run inside a page.
 */

/** Headless, no sandbox (the tests run as root), and nothing that reaches out on its own (updates, sync, QUIC). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * Launches Chromium while `start` brings up what the test needs (both take seconds); resolves
 * with the browser once both are done, and closes it when `start` fails.
 */
export async function launchChromiumBeside(start: () => Promise<void>): Promise<Browser> {
  const launched = launchChromium();
  try {
    await start();
  } catch (e) {
    await (await launched).close();
    throw e;
  }
  return launched;
}

/** Opens the login page and submits `who`'s username and password; what follows (signed in, or refused) is the caller's to wait for. */
export async function submitLogin(page: Page, base: string, who: Who): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Signs `who` in through the login page in a new page of `on` (a context; or a browser, then in
 * a new context made with `options`), and resolves once a signed-in page shows who is signed in.
 * The page stays open on the dashboard; its context keeps the session.
 */
export async function signIn(
  on: Browser | BrowserContext,
  base: string,
  who: Who,
  options?: BrowserContextOptions,
): Promise<Page> {
  const ctx = 'newContext' in on ? await on.newContext(options) : on;
  const page = await ctx.newPage();
  await submitLogin(page, base, who);
  // Shown only by the signed-in layout, so also past the redirect away from /login.
  await page.getByTestId('whoami').waitFor();
  return page;
}

/** The context's cookies as a `cookie` header (the browser's session, for API calls as that user). */
export async function cookieHeader(ctx: BrowserContext): Promise<string> {
  return (await ctx.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
}

export type Violation = { id: string; impact: string | null; help: string; targets: string[] };

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Runs axe-core in the page; only what a user would be blocked by counts (serious, critical). */
export async function axeViolations(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ path: AXE });
  // A string, not a function: this package is compiled without the DOM's types.
  const all = (await page.evaluate(`(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.map(String).join(' ')) }));
  })()`)) as Violation[];
  return all.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Polls the cluster page tightly (it re-reads on its own) until it shows `node` as the last
 * reported holder of VI_1; the time it first did.
 */
export async function holderShownAt(
  page: Page,
  node: string,
  opts: { timeoutMs: number; what: string },
): Promise<number> {
  let shownAt = 0;
  await waitFor(
    async () =>
      (await page.getByTestId('holder-VI_1').textContent())?.includes(`Last reported holder: ${node}`)
        ? (shownAt = Date.now())
        : undefined,
    { timeoutMs: opts.timeoutMs, intervalMs: 50, what: opts.what },
  );
  return shownAt;
}

/**
 * The message a field marked invalid points at (the first id in its aria-describedby: what a
 * screen reader reads beside it), or null when the field is not marked invalid.
 */
export async function fieldError(field: Locator): Promise<string | null> {
  if ((await field.getAttribute('aria-invalid')) !== 'true') return null;
  const id = ((await field.getAttribute('aria-describedby')) ?? '').split(' ')[0] ?? '';
  return id ? await field.page().locator(`[id="${id}"]`).textContent() : '';
}
