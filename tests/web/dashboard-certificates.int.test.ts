import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { axeViolations, fieldError, signIn } from '../support/browser.js';
import { ADMIN } from '../support/dashboard.js';
import { selfSigned } from '../support/self-signed.js';
import { edgeBrowserSuite, edgeSpec, VIEWER } from '../support/edge-dashboard.js';

/**
 * The Certificates page in Chromium (issue #17 items 1-2): an admin uploads a certificate and key and
 * sees its names and days left (marked under 21 days), a refused upload marks the field at fault,
 * a replacement keeps the name, an ACME account whose CA cannot be reached is refused with the
 * reason, a delete asks first, and a viewer sees the list without the upload form.
 */

/** Screenshots go to tests/.cache/screenshots/ (docs/screenshots are copied from there). */
const SHOTS = fileURLToPath(new URL('../.cache/screenshots/', import.meta.url));

type Pair = { cert: string; key: string };
let dir: string;

/** A self-signed P-256 certificate for `name`, valid `days` days from now, as PEM text. */
function selfSignedPair(name: string, days: number): Pair {
  const f = selfSigned(dir, name, { cn: name, san: `DNS:${name}`, days });
  return { cert: readFileSync(f.cert, 'utf8'), key: readFileSync(f.key, 'utf8') };
}

describe('the Certificates page', () => {
  const edge = edgeBrowserSuite(edgeSpec(), { signedIn: true, timeoutMs: 15_000 });
  let page: Page;
  let www: Pair;
  let soon: Pair;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-certs-'));
    www = selfSignedPair('www.example.test', 200);
    soon = selfSignedPair('soon.example.test', 10);
    page = await edge.admin.newPage();
    await page.goto(`${edge.base}/certificates`);
    await page.getByRole('heading', { name: 'Certificates', exact: true }).waitFor();
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function upload(name: string, pair: Pair) {
    const form = page.getByRole('form', { name: 'Upload a certificate' });
    await form.getByLabel('Name', { exact: true }).fill(name);
    await form.getByLabel('Certificate (PEM)').fill(pair.cert);
    await form.getByLabel('Private key (PEM)').fill(pair.key);
    await form.getByRole('button', { name: 'Upload certificate' }).click();
    return form;
  }

  it('an admin uploads certificates and sees their names and days left, under 21 days marked', async () => {
    await upload('www', www);
    await page.getByText('Certificate www uploaded').waitFor();
    await upload('soon', soon);
    const table = page.getByRole('table', { name: 'Certificates' });
    const soonRow = table.getByRole('row', { name: /soon\.example\.test/ });
    await soonRow.waitFor();
    const wwwRow = table.getByRole('row', { name: /www\.example\.test/ });
    expect(await wwwRow.textContent()).toMatch(/(199|200) days left/);
    const soonBadge = soonRow.getByText(/days left/);
    expect(await soonBadge.textContent()).toMatch(/^(9|10) days left$/);
    expect(await soonBadge.getAttribute('class')).toContain('amber');
    expect(await wwwRow.getByText(/days left/).getAttribute('class')).not.toContain('amber');
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'certificates.png'), fullPage: true });
    // The list answers carry no key (the API test checks the answers themselves); nor does the page.
    expect(await page.content()).not.toContain('PRIVATE KEY');
  });

  it('a key of another pair is refused beside the key field, and nothing is added', async () => {
    const form = await upload('mixed', { cert: www.cert, key: soon.key });
    const keyField = form.getByLabel('Private key (PEM)');
    await form.getByText('Not uploaded: fix the marked fields.').waitFor();
    expect(await fieldError(keyField)).toMatch(/does not match the certificate/);
    expect(await page.getByRole('table', { name: 'Certificates' }).getByRole('row').count()).toBe(3);
  });

  it('an admin replaces an uploaded certificate under its name, and sees why an unreachable ACME CA was refused', async () => {
    await page.getByRole('button', { name: 'Replace certificate www' }).click();
    const form = page.getByRole('form', { name: 'Replace certificate www' });
    const renewed = selfSignedPair('www.example.test', 300);
    await form.getByLabel('Certificate (PEM)').fill(renewed.cert);
    await form.getByLabel('Private key (PEM)').fill(renewed.key);
    await form.getByRole('button', { name: 'Replace certificate' }).click();
    await page.getByText(/^Certificate www replaced/).waitFor();
    const wwwRow = page.getByRole('table', { name: 'Certificates' }).getByRole('row', { name: /www\.example\.test/ });
    await wwwRow.getByText(/^(299|300) days left$/).waitFor();
    // Nothing answers on port 9: the account is not created, and the refusal names the CA's URL field.
    const acme = page.getByRole('form', { name: 'Create the ACME account' });
    await acme.getByLabel('CA directory URL').fill('https://127.0.0.1:9/directory');
    await acme.getByLabel('Contact e-mail').fill('ops@example.test');
    await acme.getByRole('button', { name: 'Create ACME account' }).click();
    await acme.getByText('Not created: fix the marked fields.').waitFor();
    expect(await fieldError(acme.getByLabel('CA directory URL'))).toMatch(
      /the CA refused or could not be reached: .*ECONNREFUSED/,
    );
    await page.screenshot({ path: join(SHOTS, 'certificates-acme.png'), fullPage: true });
  });

  it('has no serious or critical axe violation with a refused field marked, nor in the delete dialog', async () => {
    const inForm = await axeViolations(page);
    await page.getByRole('button', { name: 'Delete certificate www' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete certificate www?' });
    await dialog.waitFor();
    const inDialog = await axeViolations(page);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect({ inForm, inDialog }).toEqual({ inForm: [], inDialog: [] });
  });

  it('does not scroll sideways at a phone width (390×844)', async () => {
    const p = await signIn(edge.browser, edge.base, ADMIN, { viewport: { width: 390, height: 844 } });
    try {
      await p.goto(`${edge.base}/certificates`);
      await p.getByRole('row', { name: /www\.example\.test/ }).waitFor();
      expect(
        await p.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
      ).toBe(0);
    } finally {
      await p.context().close();
    }
  });

  it('a delete asks for confirmation, then removes the certificate', async () => {
    await page.getByRole('button', { name: 'Delete certificate soon' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete certificate soon?' });
    await dialog.getByRole('button', { name: 'Delete certificate' }).click();
    await page.getByText('Certificate soon deleted').waitFor();
    await page.getByRole('row', { name: /soon\.example\.test/ }).waitFor({ state: 'detached' });
  });

  it('an admin creates a virtual server serving certificate www over HTTPS, reviewing its TLS lines first; www in use cannot be deleted', async () => {
    await page.goto(`${edge.base}/clusters/${edge.clusterId}`);
    await page.getByRole('button', { name: 'New virtual server' }).click();
    const form = page.getByRole('form', { name: 'New virtual server' });
    await form.getByLabel('Name', { exact: true }).fill('secure');
    await form.getByLabel('Listen', { exact: true }).fill('80\n443 ssl');
    await form.getByLabel('Server names', { exact: true }).fill('www.example.test');
    await form.getByLabel('Locations', { exact: true }).fill('/ webs');
    await form.getByLabel('TLS certificate').selectOption('www');
    await form.getByLabel('Redirect HTTP to HTTPS').check();
    await form.getByLabel('HSTS max-age (s)').fill('31536000');
    await form.getByRole('button', { name: 'Review changes' }).click();
    const review = form.getByRole('region', { name: 'Changes of the new virtual server' });
    expect(await review.getByTestId('spec-diff').textContent()).toContain('+ virtualServer.tls.certificate: www');
    // The nginx of Debian 12 (1.22) takes http2 on the listen; the agent writes the files it names.
    expect(await review.getByTestId('config-diff').first().textContent()).toMatch(
      /return 308 https:\/\/\$host\$request_uri;.*listen 443 ssl http2;.*ssl_certificate \/var\/lib\/keepwatch\/tls\/www\.pem;.*ssl_certificate_key \/var\/lib\/keepwatch\/tls\/www\.key;.*Strict-Transport-Security "max-age=31536000"/s,
    );
    await form.screenshot({ path: join(SHOTS, 'virtual-server-tls-review.png') });
    await form.getByRole('button', { name: 'Create virtual server' }).click();
    await page.getByText(/Created virtual server secure — config revision \d+/).waitFor();

    await page.goto(`${edge.base}/certificates`);
    await page.getByRole('button', { name: 'Delete certificate www' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete certificate www?' });
    await dialog.getByRole('button', { name: 'Delete certificate' }).click();
    await page.getByText(/www not deleted: .*virtual server.*secure/).waitFor();
    expect(await page.getByRole('row', { name: /www\.example\.test/ }).count()).toBe(1);
  });

  it('a viewer sees the certificates but no upload form or delete button', async () => {
    const ctx = await edge.browser.newContext();
    try {
      const p = await signIn(ctx, edge.base, VIEWER);
      await p.goto(`${edge.base}/certificates`);
      await p.getByRole('row', { name: /www\.example\.test/ }).waitFor();
      expect(await p.getByRole('form', { name: 'Upload a certificate' }).count()).toBe(0);
      expect(await p.getByRole('button', { name: /^Delete certificate/ }).count()).toBe(0);
    } finally {
      await ctx.close();
    }
  });
});
