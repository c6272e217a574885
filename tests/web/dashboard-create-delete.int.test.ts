import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { axeViolations, signIn } from '../support/browser.js';
import { edgeBrowserSuite, edgeSpec, VIEWER } from '../support/edge-dashboard.js';

/**
 * Creating and deleting each config object on the cluster page in Chromium (issue #17 item 6):
 * pools, virtual servers, health checks and VRRP instances. Each create shows the spec diff (and
 * for pools and virtual servers the rendered nginx diff) before it is saved, each delete asks for
 * confirmation with the spec diff (and the nginx diff), and a delete the server refuses shows its message. One dashboard for the file.
 * Screenshots go to tests/.cache/screenshots/ (docs/screenshots are copied from there).
 */
const SHOTS = fileURLToPath(new URL('../.cache/screenshots/', import.meta.url));

const base = edgeSpec({ checks: [{ kind: 'tcp', name: 'web_tcp', address: '203.0.113.21', port: 80 }] });
// VI_1 tracks web_tcp, so deleting the check is refused.
const spec = {
  ...base,
  vrrpInstances: base.vrrpInstances!.map((i) => ({ ...i, trackChecks: [{ check: 'web_tcp' }] })),
};

describe('creating and deleting config objects on the cluster page', () => {
  const edge = edgeBrowserSuite(spec, { signedIn: true, timeoutMs: 15_000 });
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    page = await edge.admin.newPage();
    await page.goto(`${edge.base}/clusters/${edge.clusterId}`);
    await page.getByRole('heading', { name: 'Pool webs' }).waitFor();
  });

  /** Fills `fields` (label → value) of the form `form`, then opens its review. */
  async function fillAndReview(form: string, fields: Record<string, string>) {
    const f = page.getByRole('form', { name: form });
    for (const [label, value] of Object.entries(fields)) await f.getByLabel(label, { exact: true }).fill(value);
    await f.getByRole('button', { name: 'Review changes' }).click();
    return f;
  }

  /** Deletes `what` through its Delete button and the confirmation, which shows the spec diff first. */
  async function confirmDelete(what: string, diffText: string) {
    await page.getByRole('button', { name: `Delete ${what}`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${what}?` });
    expect(await dialog.getByTestId('spec-diff').textContent()).toContain(diffText);
    return dialog;
  }

  it('an admin creates a pool after seeing its spec and nginx diff, and deletes it after confirming', async () => {
    await page.getByRole('button', { name: 'New pool' }).click();
    const form = await fillAndReview('New pool', { Name: 'apis', Servers: '203.0.113.31:8080 2' });
    const review = form.getByRole('region', { name: 'Changes of the new pool' });
    expect(await review.getByTestId('spec-diff').textContent()).toContain('+ pool.servers.0.address: 203.0.113.31');
    expect(await review.getByTestId('config-diff').first().textContent()).toContain('203.0.113.31:8080 weight=2;');
    await form.screenshot({ path: join(SHOTS, 'pool-create-review.png') });
    await form.getByRole('button', { name: 'Create pool' }).click();
    await page.getByText(/Created pool apis — config revision \d+ created/).waitFor();
    await page.getByRole('heading', { name: 'Pool apis' }).waitFor();

    const dialog = await confirmDelete('pool apis', '- pool.servers.0.port: 8080');
    // No agent runs here: the nginx diff is against nothing applied, so it is the whole file without apis.
    const nginx = dialog.getByTestId('config-diff').first();
    expect(await nginx.textContent()).toContain('upstream webs');
    expect(await nginx.textContent()).not.toContain('upstream apis');
    await dialog.getByRole('button', { name: 'Delete pool' }).click();
    await page.getByText(/Deleted pool apis — config revision \d+ created/).waitFor();
    await page.getByRole('heading', { name: 'Pool apis' }).waitFor({ state: 'detached' });
  });

  it('an admin creates a virtual server after seeing its spec and nginx diff, and deletes it after confirming', async () => {
    await page.getByRole('button', { name: 'New virtual server' }).click();
    const form = await fillAndReview('New virtual server', {
      Name: 'api-site',
      Listen: '8080',
      'Server names': 'api.example.net',
      Locations: '/api webs',
      Redirects: '= / 308 /api/',
      'Access rules': 'allow 203.0.113.0/24',
      'Basic-auth users': 'alice correct-horse',
    });
    const diff = form.getByRole('region', { name: 'Changes of the new virtual server' }).getByTestId('spec-diff');
    expect(await diff.textContent()).toContain('+ virtualServer.locations.0.path: /api');
    const nginx = form.getByRole('region', { name: 'Changes of the new virtual server' }).getByTestId('config-diff');
    expect(await nginx.first().textContent()).toMatch(/listen 8080;.*server_name api\.example\.net;/s);
    // The proxy-host options (issue #17 item 3), rendered with the default state dir's htpasswd folder.
    expect(await nginx.first().textContent()).toMatch(
      /allow 203\.0\.113\.0\/24;.*deny all;.*auth_basic_user_file \/var\/lib\/keepwatch\/nginx-auth\/api-site\.htpasswd;.*return 308 "\/api\/";/s,
    );
    await form.getByRole('button', { name: 'Create virtual server' }).click();
    await page.getByText(/Created virtual server api-site — config revision \d+/).waitFor();
    await page.getByRole('rowheader', { name: 'api-site' }).waitFor();

    const dialog = await confirmDelete('virtual server api-site', '- virtualServer.serverNames.0: api.example.net');
    // The server stored a sha512-crypt hash of the password, never the password.
    const stored = await dialog.getByTestId('spec-diff').textContent();
    expect(stored).toMatch(/virtualServer\.access\.basicAuth\.users\.0\.passwordHash: \$6\$/);
    expect(stored).not.toContain('correct-horse');
    await dialog.getByRole('button', { name: 'Delete virtual server' }).click();
    await page.getByText(/Deleted virtual server api-site/).waitFor();
    await page.getByRole('rowheader', { name: 'api-site' }).waitFor({ state: 'detached' });
  });

  it('an admin creates a health check after seeing its spec diff, and deletes it after confirming', async () => {
    await page.getByRole('button', { name: 'New health check' }).click();
    const form = await fillAndReview('New health check', { Name: 'db_tcp', Address: '203.0.113.40', Port: '5432' });
    const diff = form.getByRole('region', { name: 'Changes of the new health check' }).getByTestId('spec-diff');
    expect(await diff.textContent()).toContain('+ check.port: 5432');
    await form.getByRole('button', { name: 'Create health check' }).click();
    await page.getByText(/Created health check db_tcp — config revision \d+/).waitFor();
    await page.getByRole('rowheader', { name: 'db_tcp' }).waitFor();

    const dialog = await confirmDelete('health check db_tcp', '- check.address: 203.0.113.40');
    await dialog.screenshot({ path: join(SHOTS, 'check-delete-confirm.png') });
    await dialog.getByRole('button', { name: 'Delete health check' }).click();
    await page.getByText(/Deleted health check db_tcp/).waitFor();
    await page.getByRole('rowheader', { name: 'db_tcp' }).waitFor({ state: 'detached' });
  });

  it('an admin creates a VRRP instance after seeing its spec diff, and deletes it after confirming', async () => {
    await page.getByRole('button', { name: 'New VRRP instance' }).click();
    const form = await fillAndReview('New VRRP instance', { Name: 'VI_2', VRID: '52', VIPs: '198.51.100.101' });
    const diff = form.getByRole('region', { name: 'Changes of the new VRRP instance' }).getByTestId('spec-diff');
    expect(await diff.textContent()).toContain('+ instance.vips.0.address: 198.51.100.101');
    expect(await diff.textContent()).toContain('+ instance.members.0.initialState: master');
    await form.getByRole('button', { name: 'Create VRRP instance' }).click();
    await page.getByText(/Created VRRP instance VI_2 — config revision \d+/).waitFor();
    await page.getByRole('heading', { name: 'VI_2', exact: true }).waitFor();

    const dialog = await confirmDelete('VRRP instance VI_2', '- instance.vrid: 52');
    await dialog.getByText('Its VIPs (198.51.100.101) are released').waitFor();
    await dialog.getByRole('button', { name: 'Delete VRRP instance' }).click();
    await page.getByText(/Deleted VRRP instance VI_2/).waitFor();
    await page.getByRole('heading', { name: 'VI_2', exact: true }).waitFor({ state: 'detached' });
  });

  it('a create the server refuses (a name already taken) shows its message naming the field', async () => {
    await page.getByRole('button', { name: 'New health check' }).click();
    const form = await fillAndReview('New health check', { Name: 'web_tcp', Address: '203.0.113.41' });
    await form.getByRole('button', { name: 'Create health check' }).click();
    await form
      .getByRole('alert')
      .filter({ hasText: 'check.name: a health check named "web_tcp" already exists in this cluster' })
      .waitFor();
    await form.getByRole('button', { name: 'Cancel' }).click();
  });

  it('deleting a pool a virtual server uses is refused with the message naming the field, and the pool stays', async () => {
    const dialog = await confirmDelete('pool webs', '- pool.servers.0.address: 203.0.113.21');
    await dialog.getByText(/No nginx diff: spec\.virtualServers\.0\.locations\.0\.pool: /).waitFor();
    await dialog.getByRole('button', { name: 'Delete pool' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: 'Not deleted: id: the pool is used by virtual server "server-1" location /' })
      .waitFor();
    await dialog.screenshot({ path: join(SHOTS, 'pool-delete-refused.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Pool webs' }).waitFor();
  });

  it('deleting a check an instance still tracks is refused with the message naming the field', async () => {
    const dialog = await confirmDelete('health check web_tcp', '- check.port: 80');
    await dialog.getByRole('button', { name: 'Delete health check' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: /trackChecks\.0\.check.*unknown check "web_tcp"/ })
      .waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('rowheader', { name: 'web_tcp' }).waitFor();
  });

  it('a viewer sees no New or Delete buttons', async () => {
    const ctx = await edge.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const viewer = await signIn(ctx, edge.base, VIEWER);
    await viewer.goto(`${edge.base}/clusters/${edge.clusterId}`);
    await viewer.getByRole('heading', { name: 'Pool webs' }).waitFor();
    await viewer.getByRole('rowheader', { name: 'server-1' }).waitFor();
    expect(await viewer.getByRole('button', { name: /^(New|Delete)/ }).count()).toBe(0);
    await ctx.close();
  });

  it('a create review with a refused field and a delete confirmation have no serious or critical axe violation', async () => {
    await page.getByRole('button', { name: 'New virtual server' }).click();
    const form = await fillAndReview('New virtual server', { Name: 'bad-site', Listen: '70000', Locations: '/ webs' });
    await form.getByRole('alert').filter({ hasText: 'Not created' }).waitFor();
    const inForm = await axeViolations(page);
    await form.getByRole('button', { name: 'Cancel' }).click();
    const dialog = await confirmDelete('virtual server server-1', '- virtualServer.name: server-1');
    await dialog.getByTestId('config-diff').first().waitFor();
    const inDialog = await axeViolations(page);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect({ inForm, inDialog }).toEqual({ inForm: [], inDialog: [] });
  });
});
