import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { REF, waitFor, referenceSpec, type LabAgent, type LabNginx } from '@keepwatch/lab';
import { startBrowserLab, type BrowserLab } from '../support/browser-lab.js';
import type { DashboardLab } from '../support/dashboard-lab.js';

/**
 * Safe reloads and drift, end to end (issue #17 item 5): real agents and nginx in the reference lab,
 * the dashboard and Chromium. A hand edit of lb1's rendered nginx file shows as "drifted" on lb1's
 * card and in the cluster's problems; the next revision puts the file back, the audit log keeps the
 * diff, and an old worker held by a request still sending its body across that reload shows as
 * "1 worker draining" until the request ends.
 */

/** A client that sends a POST's headers and half its body, and the rest once `slow-release` exists (bounded: 60 s). */
const SLOW_CLIENT = `
const net = require('node:net'), fs = require('node:fs'), path = require('node:path');
const [host, dir] = process.argv.slice(1);
const s = net.connect(80, host, () => {
  s.write('POST / HTTP/1.1\\r\\nHost: vip\\r\\nContent-Length: 4\\r\\nConnection: close\\r\\n\\r\\nab');
  fs.writeFileSync(path.join(dir, 'slow-sent'), '');
});
let out = '';
s.on('data', (d) => (out += d));
s.on('close', () => fs.writeFileSync(path.join(dir, 'slow-done'), out));
const t0 = Date.now();
const poll = setInterval(() => {
  if (!fs.existsSync(path.join(dir, 'slow-release')) && Date.now() - t0 < 60000) return;
  clearInterval(poll);
  s.write('cd');
}, 20);
`;

/** Where the browser tests leave screenshots (docs/screenshots are copied from there). */
const SHOTS = fileURLToPath(new URL('../.cache/screenshots/', import.meta.url));

describe('nginx drift and draining workers on the cluster page', () => {
  let lab: BrowserLab | undefined;
  let env: DashboardLab | undefined;
  let page: Page;
  let clusterId = '';
  let nginx: Record<'lb1' | 'lb2', LabNginx>;
  let agent: Record<'lb1' | 'lb2', LabAgent>;

  beforeAll(async () => {
    lab = await startBrowserLab(() => referenceSpec());
    ({ env, page, clusterId, nginx, agent } = lab);
  }, 120_000);

  afterAll(async () => {
    if (lab) writeFileSync(join(lab.env.lab.dir, 'slow-release'), '');
    await lab?.stop();
  });

  type HandEditRecord = { action: string; before: { node: string }; after: { diff: string; handEditDiff: string } };
  const handEditRecords = () =>
    env!.api.query<{ records: HandEditRecord[] }>('audit.list', { action: 'node.nginx.hand-edit-replaced' });

  /** Waits (bounded) until the page's element `testId` has text matching `want` (or is gone, for null). */
  const shows = (testId: string, want: RegExp | null, timeoutMs = 20_000) =>
    waitFor(
      async () => {
        const text = await page
          .getByTestId(testId)
          .textContent({ timeout: 500 })
          .catch(() => null);
        return (want === null ? text === null : text !== null && want.test(text)) || undefined;
      },
      { timeoutMs, intervalMs: 100, what: `${testId} ${want ?? 'gone'}` },
    );

  it("shows a hand edit of lb1's rendered nginx file as drifted on its card and among the problems", async () => {
    await page.goto(`${env!.dashboard.base}/clusters/${clusterId}`);
    await shows('live-lb1', /nginx:\s*running/i, 30_000);
    // The version its agent reported (issue #17 item 4): nginx -V of the nginx here.
    await shows('live-nginx-version-lb1', /^nginx \d+\.\d+\.\d+, OpenSSL \d/);
    expect(await page.getByTestId('live-drift-lb1').count()).toBe(0);
    appendFileSync(nginx.lb1.sitePath, '# tuned by hand on lb1\n');
    await shows('live-drift-lb1', /drifted/i);
    await waitFor(
      async () => (await page.locator('[data-problem="drifted"]').textContent())?.includes('lb1') || undefined,
      {
        timeoutMs: 10_000,
        what: 'drift among the problems',
      },
    );
    expect(await page.getByTestId('live-drift-lb2').count()).toBe(0);
    mkdirSync(SHOTS, { recursive: true });
    await page.getByTestId('live-lb1').screenshot({ path: join(SHOTS, 'cluster-nginx-drifted.png') });
  }, 60_000);

  it("puts the file back with the next revision, and shows lb1's old worker draining a request that spans the reload", async () => {
    const { lab, api } = env!;
    // A request to lb1's nginx (the VIP's holder) that is still sending its body when lb1 reloads.
    lab.spawn('client', process.execPath, ['-e', SLOW_CLIENT, REF.vip, lab.dir], {
      logFile: join(lab.dir, 'slow-client.log'),
      what: 'slow client',
    });
    await waitFor(() => existsSync(join(lab.dir, 'slow-sent')) || undefined, {
      timeoutMs: 10_000,
      what: 'slow request sent',
    });
    const [webs] = await api.query<{ id: string; version: number }[]>('pools.list', { clusterId });
    await api.mutate('pools.update', {
      id: webs!.id,
      version: webs!.version,
      pool: {
        name: 'webs',
        servers: [
          { address: REF.web1, port: 80, weight: 2 },
          { address: REF.web2, port: 80 },
        ],
      },
    });
    await shows('live-draining-lb1', /1 worker draining/i, 30_000);
    await shows('live-drift-lb1', null);
    expect(readFileSync(nginx.lb1.sitePath, 'utf8')).not.toContain('tuned by hand');
    await page.getByTestId('live-lb1').screenshot({ path: join(SHOTS, 'cluster-nginx-draining.png') });
  }, 60_000);

  it('keeps the replaced hand edit as a diff in the audit log', async () => {
    const audit = await handEditRecords();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]!.before).toMatchObject({ node: 'lb1', truncated: false });
    // The hand edit itself, against revision 1 as the agent had written it…
    expect(audit.records[0]!.after.handEditDiff).toContain('\n+# tuned by hand on lb1\n');
    expect(audit.records[0]!.after.handEditDiff).not.toContain('weight=2');
    // …and what applying revision 2 did to the file.
    expect(audit.records[0]!.after.diff).toContain('\n-# tuned by hand on lb1\n');
    expect(audit.records[0]!.after.diff).toContain('weight=2');
    // The audit page shows the diff as its lines.
    await page.goto(`${env!.dashboard.base}/audit`);
    await page.getByText('node.nginx.hand-edit-replaced').first().waitFor({ timeout: 10_000 });
    const row = page.getByRole('row').filter({ hasText: 'node.nginx.hand-edit-replaced' });
    await row.locator('summary').first().click();
    const shown = await row.getByTestId('audit-text-diff').allTextContents();
    expect(shown).toHaveLength(2);
    expect(shown.some((t) => t.includes('+# tuned by hand on lb1'))).toBe(true);
    expect(shown.some((t) => t.includes('-# tuned by hand on lb1'))).toBe(true);
    await row.screenshot({ path: join(SHOTS, 'audit-nginx-hand-edit.png') });
    await page.goto(`${env!.dashboard.base}/clusters/${clusterId}`);
  }, 30_000);

  it('stops showing the worker draining once its request ends', async () => {
    const dir = env!.lab.dir;
    writeFileSync(join(dir, 'slow-release'), '');
    await waitFor(() => existsSync(join(dir, 'slow-done')) || undefined, {
      timeoutMs: 10_000,
      what: 'slow request done',
    });
    expect(readFileSync(join(dir, 'slow-done'), 'utf8')).toMatch(/^HTTP\/1\.1 200/);
    await shows('live-draining-lb1', null);
  }, 60_000);

  it("audits a hand edit made while lb2's agent was down, which the agent's start puts back", async () => {
    await agent.lb2.stop();
    appendFileSync(nginx.lb2.sitePath, '# edited while the agent was down\n');
    await agent.lb2.start();
    const record = await waitFor(async () => (await handEditRecords()).records.find((r) => r.before.node === 'lb2'), {
      timeoutMs: 20_000,
      intervalMs: 200,
      what: "lb2's hand edit in the audit log",
    });
    // Against revision 2, which lb2 ran before it stopped: the hand edit and nothing else.
    expect(record.after.handEditDiff).toMatch(/^--- revision 2\n/m);
    expect(record.after.handEditDiff).toContain('\n+# edited while the agent was down\n');
    expect(readFileSync(nginx.lb2.sitePath, 'utf8')).not.toContain('edited while the agent was down');
  }, 60_000);
});
