import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { axeViolations, signIn } from '../support/browser.js';
import { ADMIN } from '../support/dashboard.js';
import { edgeBrowserSuite, edgeSpec } from '../support/edge-dashboard.js';

/**
 * Rollout control (issue 14 item 6) in real Chromium against the production server: an admin
 * reverts the cluster to an earlier revision after seeing the diff, then aborts that revision's
 * rollout (no agent is connected here, so every node is still to be reached) and the page says
 * which node runs what.
 */
/** Screenshots of the panel, for a person to look at. */
const SHOTS = fileURLToPath(new URL('../.cache/screenshots/', import.meta.url));

type PoolRow = { id: string; version: number; pool: { name: string; servers: { address: string; weight?: number }[] } };
type Revision = { number: number; specHash: string; summary: string };

describe('rollout control in Chromium', () => {
  const edge = edgeBrowserSuite(edgeSpec(), { viewport: { width: 1280, height: 900 } });
  let page: Page;

  beforeAll(async () => {
    const { api, clusterId } = edge;
    // Revision 2: web2's weight from 2 to 5.
    const [row] = await api.query<PoolRow[]>('pools.list', { clusterId });
    const servers = row!.pool.servers.map((s) => (s.weight === 2 ? { ...s, weight: 5 } : s));
    await api.mutate('pools.update', { id: row!.id, version: row!.version, pool: { ...row!.pool, servers } });
    page = await signIn(edge.admin, edge.base, ADMIN);
  });

  it('an admin sees the diff to an earlier revision, then reverts: a new revision with its content', async () => {
    await page.goto(`${edge.base}/clusters/${edge.clusterId}`);
    const panel = page.getByRole('region', { name: 'Revisions and rollout' });
    await panel.getByRole('button', { name: 'Revert to revision 1…' }).click();
    const diff = panel.getByTestId('revert-diff');
    await diff.waitFor();
    const text = (await diff.textContent()) ?? '';
    expect(text).toMatch(/removed: -\s+"weight": 5/);
    expect(text).toMatch(/added: \+\s+"weight": 2/);
    await panel.getByText(/creates revision 3 with the content of revision 1/).waitFor();
    // The diff and its confirm are usable by everyone (a screen reader hears "added"/"removed").
    expect(await axeViolations(page)).toEqual([]);
    mkdirSync(SHOTS, { recursive: true });
    await panel.screenshot({ path: join(SHOTS, 'revert-diff.png') });
    await panel.getByRole('button', { name: 'Revert to revision 1', exact: true }).click();
    await panel.getByText('Revision 3 created with the content of revision 1; it rolls out like any edit.').waitFor();
    const [one, three] = await Promise.all(
      [1, 3].map((number) => edge.api.query<Revision>('clusters.revision', { clusterId: edge.clusterId, number })),
    );
    expect(three!.specHash).toBe(one!.specHash);
    expect(three!.summary).toBe('reverted to revision 1');
  });

  it('an admin aborts the rollout in flight and the page says it was aborted and which node runs what', async () => {
    const state = page.getByTestId('rollout-state');
    await state.getByText('Revision 3 is rolling out: 2 nodes not yet applied.').waitFor();
    await state.getByRole('button', { name: 'Abort rollout…' }).click();
    await state.getByRole('button', { name: 'Abort rollout of revision 3' }).click();
    await state.getByText(/The rollout of revision 3 was aborted by admin/).waitFor();
    for (const node of ['lb1', 'lb2'])
      expect(await state.getByTestId(`runs-${node}`).textContent()).toMatch(/runs no revision yet\s*3: aborted/);
    const status = await edge.api.query<{ aborted: { by: string } | null }>('rollout.status', {
      clusterId: edge.clusterId,
    });
    expect(status.aborted?.by).toBe('admin');
    await page
      .getByRole('region', { name: 'Revisions and rollout' })
      .screenshot({ path: join(SHOTS, 'rollout-aborted.png') });
  });
});
