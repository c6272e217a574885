import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '@keepwatch/lab';
import { cookieHeader, fieldError, signIn, submitLogin } from '../support/browser.js';
import { loginAttempt } from '../support/trpc-http.js';
import { edgeBrowserSuite, edgeSpec, VIEWER } from '../support/edge-dashboard.js';

/**
 * The Nodes, Users and Audit pages in real Chromium (Debian's, through playwright-core) against
 * the production server on the embedded database: enrolling a node and the one-time token it
 * gives, managing users, filtering the audit log, and what a viewer may see and do.
 */

const spec = edgeSpec({ servers: [{ address: '203.0.113.21', port: 80 }] });

/** Exchanges an enrollment token at the hub the way an agent does; resolves with the hub's answer type. */
async function enrollAt(wsUrl: string, node: string, token: string): Promise<string> {
  const ws = new WebSocket(wsUrl);
  const inbox: { type: string }[] = [];
  ws.on('message', (d) => inbox.push(JSON.parse(d.toString()) as { type: string }));
  try {
    await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
    ws.send(JSON.stringify({ v: 1, type: 'enroll', node, token, agentVersion: '0.1.0' }));
    const first = await waitFor(() => inbox[0], {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'the hub to answer the enrollment',
    });
    return first.type;
  } finally {
    ws.close();
  }
}

describe('dashboard nodes, users and audit pages in Chromium', () => {
  // playwright-core waits forever by default: a missing element should fail the test, and say which.
  const edge = edgeBrowserSuite(spec, { signedIn: true, timeoutMs: 20_000 });

  const signInApi = (who: { username: string; password: string }) => loginAttempt(edge.base, who);

  it('lists every node of every cluster with its cluster, state and revision', async () => {
    const page = await edge.admin.newPage();
    await page.goto(`${edge.base}/nodes`);
    const table = page.getByRole('region', { name: 'Nodes' });
    await table.getByRole('row', { name: /lb1/ }).waitFor();
    const lb1 = await table.getByRole('row', { name: /lb1/ }).textContent();
    expect(lb1).toContain('edge');
    // Never connected: no heartbeat, so never shown online.
    expect(lb1).toMatch(/not enrolled/);
    expect(lb1).toContain('never');
    expect(lb1).not.toMatch(/online/);
    await page.close();
  });

  it('shows a connected agent online with its version and address, and offline with a stale heartbeat once it goes quiet', async () => {
    const lb2 = (
      await edge.api.query<{ id: string; node: { name: string } }[]>('nodes.list', { clusterId: edge.clusterId })
    ).find((n) => n.node.name === 'lb2')!;
    const { token } = await edge.api.mutate<{ token: string }>('nodes.issueEnrollToken', { id: lb2.id });
    const page = await edge.admin.newPage();
    const ws = new WebSocket(`${edge.base.replace(/^http/, 'ws')}/agent`);
    const inbox: { type: string; credential?: string }[] = [];
    ws.on('message', (d) => inbox.push(JSON.parse(d.toString()) as { type: string }));
    const opened = new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
    try {
      await opened;
      ws.send(JSON.stringify({ v: 1, type: 'enroll', node: 'lb2', token, agentVersion: '0.1.0' }));
      const { credential } = await waitFor(() => inbox.find((m) => m.type === 'enrolled'), {
        timeoutMs: 10_000,
        intervalMs: 20,
        what: 'enrolled',
      });
      ws.send(
        JSON.stringify({
          v: 1,
          type: 'hello',
          node: 'lb2',
          credential,
          agentVersion: '0.1.0',
          capabilities: [],
          appliedRevision: null,
          lastSeq: null,
        }),
      );
      await waitFor(() => inbox.find((m) => m.type === 'welcome'), {
        timeoutMs: 10_000,
        intervalMs: 20,
        what: 'welcome',
      });
      await page.goto(`${edge.base}/nodes`);
      const row = page.getByRole('region', { name: 'Nodes' }).getByRole('row', { name: /lb2/ });
      await row.filter({ hasText: 'online' }).waitFor({ timeout: 10_000 });
      expect(await row.textContent()).toMatch(/0\.1\.0/);
      expect(await row.textContent()).toContain('127.0.0.1');
      ws.close();
      // Three missed heartbeats (15 s) later the hub gives the node up, and so does the page.
      const quietAt = Date.now();
      await row.filter({ hasText: 'offline' }).waitFor({ timeout: 25_000 });
      expect(Date.now() - quietAt).toBeGreaterThan(10_000);
      expect(await row.textContent()).toMatch(/\d+ s ago · stale/);
      expect(await row.textContent()).not.toMatch(/online/);
    } finally {
      ws.close();
      await page.close();
    }
  });

  it('an admin enrolls a node and is shown the exact command line with a one-time token that the hub accepts once', async () => {
    const page = await edge.admin.newPage();
    await page.goto(`${edge.base}/nodes`);
    await page.getByRole('button', { name: 'Enroll a node' }).click();
    const form = page.getByRole('form', { name: 'Enroll a node' });
    await form.getByLabel('Cluster').selectOption({ label: 'edge' });
    await form.getByLabel('Node name').fill('lb3');
    // A bad address is refused with the message beside the field, and nothing is added.
    await form.getByLabel('Addresses').fill('192.0.2.300');
    await form.getByRole('button', { name: 'Add node and issue token' }).click();
    await form.getByText('Not added: fix the marked fields.').waitFor();
    const addresses = form.getByLabel('Addresses');
    expect(await fieldError(addresses)).toMatch(/entry 1: must be an IPv4 or IPv6 address/);
    expect((await edge.api.query<unknown[]>('nodes.list', { clusterId: edge.clusterId })).length).toBe(2);

    await addresses.fill('192.0.2.13');
    await form.getByRole('button', { name: 'Add node and issue token' }).click();
    const command = page.getByTestId('enroll-command');
    await command.waitFor();
    const line = (await command.textContent()) ?? '';
    const wsUrl = `${edge.base.replace(/^http/, 'ws')}/agent`;
    expect(line).toMatch(
      new RegExp(
        `^keepwatch-agent run --config /etc/keepwatch/agent\\.json --server ${wsUrl.replace(/[.]/g, '\\.')} --token kwe_[A-Za-z0-9_-]{32}$`,
      ),
    );
    expect(await page.getByTestId('enroll-config').textContent()).toContain(
      `echo '{"node":"lb3"}' > /etc/keepwatch/agent.json`,
    );
    await page.getByTestId('toast').filter({ hasText: 'Node lb3 added' }).waitFor();
    const row = page.getByRole('region', { name: 'Nodes' }).getByRole('row', { name: /lb3/ });
    await row.filter({ hasText: 'waiting for agent' }).waitFor();

    const token = line.split('--token ')[1] ?? '';
    expect(await enrollAt(wsUrl, 'lb3', token)).toBe('enrolled');
    // One time only.
    expect(await enrollAt(wsUrl, 'lb3', token)).toBe('error');
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await command.count()).toBe(0);
    await page.reload();
    expect(
      await page.getByRole('region', { name: 'Nodes' }).getByRole('row', { name: /lb3/ }).textContent(),
    ).not.toContain('not enrolled');
    await page.close();
  });

  it('an admin re-issues a token, which replaces the earlier one, and removes a node after confirming', async () => {
    const page = await edge.admin.newPage();
    await page.goto(`${edge.base}/nodes`);
    const nodes = page.getByRole('region', { name: 'Nodes' });
    await nodes.getByRole('button', { name: 'New token for lb3' }).click();
    const first = (await page.getByTestId('enroll-command').textContent()) ?? '';
    await nodes.getByRole('button', { name: 'New token for lb3' }).click();
    await waitFor(async () => ((await page.getByTestId('enroll-command').textContent()) ?? '') !== first, {
      timeoutMs: 5_000,
      what: 'a second token',
    });
    const wsUrl = `${edge.base.replace(/^http/, 'ws')}/agent`;
    expect(await enrollAt(wsUrl, 'lb3', first.split('--token ')[1] ?? '')).toBe('error');

    await nodes.getByRole('button', { name: 'Remove lb3' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('lb3 leaves cluster edge');
    await dialog.getByRole('button', { name: 'Remove node' }).click();
    await page.getByTestId('toast').filter({ hasText: 'Node lb3 removed from edge' }).waitFor();
    await waitFor(async () => (await nodes.getByRole('row', { name: /lb3/ }).count()) === 0, {
      timeoutMs: 5_000,
      what: 'lb3 to leave the list',
    });
    // A member of a VRRP instance cannot go: the refusal says why.
    await nodes.getByRole('button', { name: 'Remove lb1' }).click();
    await dialog.getByRole('button', { name: 'Remove node' }).click();
    await page
      .getByTestId('toast')
      .filter({ hasText: /lb1 not removed: .*member of VRRP instance "VI_1"/ })
      .waitFor();
    expect(
      (await edge.api.query<{ node: { name: string } }[]>('nodes.list', { clusterId: edge.clusterId })).map(
        (n) => n.node.name,
      ),
    ).toEqual(['lb1', 'lb2']);
    await page.close();
  });

  it('an admin creates a user, changes the role, sets a new password and disables it, and the disabled user cannot sign in', async () => {
    const page = await edge.admin.newPage();
    await page.goto(`${edge.base}/users`);
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Username').fill('otto');
    await form.getByLabel('Password').fill('too short');
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Create user' }).click();
    await form.getByText('Not created: fix the marked fields.').waitFor();
    const password = form.getByLabel('Password');
    expect(await fieldError(password)).toMatch(/12/);

    await password.fill('otto has a long password');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByTestId('toast').filter({ hasText: 'User otto created' }).waitFor();
    const row = page.getByRole('row', { name: /otto/ });
    await row.waitFor();
    expect((await signInApi({ username: 'otto', password: 'otto has a long password' })).status).toBe(200);

    await row.getByLabel('Role of otto').selectOption('operator');
    await page.getByTestId('toast').filter({ hasText: 'otto is now operator' }).waitFor();
    type U = { username: string; role: string; disabled: boolean };
    await waitFor(
      async () =>
        (await edge.api.query<U[]>('users.list', undefined)).find((u) => u.username === 'otto')?.role === 'operator',
      { timeoutMs: 5_000, what: 'otto to be an operator' },
    );

    // A new password: refused beside its field when too short, then set, and only it works.
    await row.getByRole('button', { name: 'Set password for otto' }).click();
    const dialog = page.getByRole('dialog', { name: 'New password for otto' });
    await dialog.getByLabel('New password').fill('short');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    const np = dialog.getByLabel('New password');
    expect(
      await waitFor(async () => (await fieldError(np)) ?? undefined, {
        timeoutMs: 5_000,
        what: 'the password to be marked',
      }),
    ).toMatch(/12/);
    await np.fill('otto has another long password');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await page.getByTestId('toast').filter({ hasText: 'otto has a new password' }).waitFor();
    expect((await signInApi({ username: 'otto', password: 'otto has a long password' })).status).not.toBe(200);
    expect((await signInApi({ username: 'otto', password: 'otto has another long password' })).status).toBe(200);

    await row.getByRole('button', { name: 'Disable otto' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable user' }).click();
    await row.filter({ hasText: 'disabled' }).waitFor();
    expect((await edge.api.query<U[]>('users.list', undefined)).find((u) => u.username === 'otto')).toMatchObject({
      role: 'operator',
      disabled: true,
    });

    const r = await signInApi({ username: 'otto', password: 'otto has another long password' });
    expect(r.status).not.toBe(200);
    const ctx = await edge.browser.newContext();
    const login = await ctx.newPage();
    await submitLogin(login, edge.base, { username: 'otto', password: 'otto has another long password' });
    await login.getByRole('alert').filter({ hasText: 'wrong username or password' }).waitFor();
    await ctx.close();

    // The last enabled admin cannot be demoted: the refusal sits beside that row's role.
    await page.getByLabel('Role of admin').selectOption('viewer');
    await page.getByRole('row', { name: /admin/ }).getByText('this is the last enabled admin').waitFor();
    expect(await page.getByLabel('Role of admin').inputValue()).toBe('admin');
    await page.close();
  });

  it('audit filters by actor, action, cluster and time narrow the list on the server', async () => {
    const page = await edge.admin.newPage();
    await page.goto(`${edge.base}/audit`);
    const rows = page.getByTestId('audit-row');
    await rows.first().waitFor();
    await page.getByText(/Chain intact: \d+ records verified/).waitFor();
    const all = await rows.count();
    const form = page.getByRole('form', { name: 'Filter the audit log' });
    const apply = () => form.getByRole('button', { name: 'Apply filters' }).click();
    const actions = async () =>
      (await page.getByTestId('audit-row').locator('td:nth-child(4)').allTextContents()).map((s) => s.trim());

    // Each filter is asked of the server; wait for its answer (not for the list being replaced).
    const settle = (what: string, ok: (a: string[]) => boolean) =>
      waitFor(
        async () => {
          const a = await actions();
          return a.length > 0 && ok(a);
        },
        { timeoutMs: 5_000, what },
      );
    await form.getByLabel('Action').fill('user.');
    await apply();
    await settle('the action filter', (a) => a.every((x) => x.startsWith('user.')));
    expect(new Set(await actions())).toEqual(
      new Set(['user.create', 'user.update', 'user.set-password', 'user.create-first-admin']),
    );

    await form.getByRole('button', { name: 'Clear' }).click();
    await form.getByLabel('Actor').selectOption('otto');
    await apply();
    // otto signed in twice before being disabled; the failed sign-ins are the system's (auth).
    await waitFor(async () => JSON.stringify(await actions()) === JSON.stringify(['auth.login', 'auth.login']), {
      timeoutMs: 5_000,
      what: 'the actor filter',
    });

    await form.getByRole('button', { name: 'Clear' }).click();
    await form.getByLabel('Cluster').selectOption({ label: 'edge' });
    await apply();
    await settle(
      'the cluster filter',
      (a) => a.includes('cluster.import') && !a.some((x) => x.startsWith('user.') || x.startsWith('auth.')),
    );
    // lb3 was created and deleted: its records still belong to the cluster.
    expect(await actions()).toEqual(
      expect.arrayContaining(['node.create', 'node.enroll-token', 'node.delete', 'cluster.import']),
    );

    await form.getByRole('button', { name: 'Clear' }).click();
    await form.getByLabel('From', { exact: true }).fill('2099-01-01T00:00');
    await apply();
    await page.getByText('No records match these filters.').waitFor();
    await form.getByLabel('From', { exact: true }).fill('2000-01-01T00:00');
    await form.getByLabel('To', { exact: true }).fill('2099-01-01T00:00');
    await apply();
    await waitFor(async () => (await rows.count()) >= all, { timeoutMs: 5_000, what: 'the whole range' });

    // Each record's before/after is shown as the fields that changed.
    await form.getByRole('button', { name: 'Clear' }).click();
    await form.getByLabel('Action').fill('user.update');
    await apply();
    await settle('user.update records', (a) => a.every((x) => x === 'user.update'));
    const disable = rows.filter({ hasText: 'otto' }).first();
    await disable.locator('summary').first().click();
    const diff = disable.getByRole('table', { name: 'Changed fields' });
    expect(await diff.getByRole('row', { name: /^disabled/ }).textContent()).toMatch(
      /disabled\s*(was )?false\s*(now )?true/,
    );
    await page.close();
  });

  it('a viewer sees no admin controls, and the API refuses them with FORBIDDEN for the viewer session', async () => {
    const ctx = await edge.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signIn(ctx, edge.base, VIEWER);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).count()).toBe(0);
    await page.goto(`${edge.base}/nodes`);
    await page.getByRole('region', { name: 'Nodes' }).getByRole('row', { name: /lb1/ }).waitFor();
    for (const name of ['Enroll a node', /New token/, /Remove/])
      expect(await page.getByRole('button', { name }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Add node over SSH' }).count()).toBe(0);
    await page.goto(`${edge.base}/users`);
    await page.getByText('Only admins manage users.').waitFor();
    expect(await page.getByRole('button', { name: 'Create user' }).count()).toBe(0);
    await page.goto(`${edge.base}/audit`);
    await page.getByTestId('audit-row').first().waitFor();
    expect(await page.getByRole('button', { name: 'Verify chain' }).count()).toBe(0);

    const cookie = await cookieHeader(ctx);
    const lb1 = (
      await edge.api.query<{ id: string; version: number; node: { name: string } }[]>('nodes.list', {
        clusterId: edge.clusterId,
      })
    ).find((n) => n.node.name === 'lb1')!;
    const vera = (
      await edge.api.query<{ id: string; version: number; username: string }[]>('users.list', undefined)
    ).find((u) => u.username === 'vera')!;
    const refused = [
      await edge.api.call(
        'nodes.enroll',
        { clusterId: edge.clusterId, node: { name: 'lb9', interfaces: ['eth0'] } },
        { mutation: true, cookie },
      ),
      await edge.api.call('nodes.issueEnrollToken', { id: lb1.id }, { mutation: true, cookie }),
      await edge.api.call('nodes.delete', { id: lb1.id, version: lb1.version }, { mutation: true, cookie }),
      await edge.api.call(
        'users.create',
        { username: 'mallory', password: 'a long enough password', role: 'admin' },
        { mutation: true, cookie },
      ),
      await edge.api.call(
        'users.update',
        { id: vera.id, version: vera.version, role: 'admin' },
        { mutation: true, cookie },
      ),
      await edge.api.call('users.list', undefined, { cookie }),
      await edge.api.call('audit.verify', undefined, { cookie }),
    ];
    expect(refused.map((r) => r.error?.data?.code)).toEqual(Array(refused.length).fill('FORBIDDEN'));
    // What a viewer may read still answers.
    expect((await edge.api.call<unknown[]>('nodes.all', undefined, { cookie })).data?.length).toBe(2);
    await ctx.close();
  });
});
