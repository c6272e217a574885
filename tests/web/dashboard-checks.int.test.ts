import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { REF, waitFor, referenceSpec } from '@keepwatch/lab';
import { startBrowserLab, type BrowserLab } from '../support/browser-lab.js';
import { axeViolations } from '../support/browser.js';
import type { DashboardLab } from '../support/dashboard-lab.js';

/**
 * The health checks on the cluster page follow the agents' rise/fall counting live: real agents in
 * the lab run a script check (`check_flag`, rise 3, fall 2, every 3 s) that fails on lb1 only
 * while a flag file exists. Creating the flag shows lb1's check failing "1 of 2 toward fall", then
 * failed; removing it shows it recovering "1 of 3", "2 of 3 toward rise", then healthy again.
 */
const INTERVAL_MS = 3000;
const SHOTS = fileURLToPath(new URL('../.cache/screenshots/', import.meta.url));

describe('health check counters on the cluster page', () => {
  let lab: BrowserLab | undefined;
  let env: DashboardLab | undefined;
  let page: Page;
  let flag = '';
  let clusterId = '';

  beforeAll(async () => {
    lab = await startBrowserLab(
      (l) => {
        flag = join(l.dir, 'check-flag-lb1');
        const ref = referenceSpec();
        return {
          ...ref,
          checks: [
            ...(ref.checks ?? []),
            // Fails where lb1's address is configured (the filesystem is shared, the network namespace is not) while the flag exists.
            {
              kind: 'script' as const,
              name: 'check_flag',
              intervalMs: INTERVAL_MS,
              rise: 3,
              fall: 2,
              command: { shell: `test ! -e ${flag} || ! ip -4 -o addr show | grep -qwF ${REF.lb1}` },
            },
          ],
          vrrpInstances: (ref.vrrpInstances ?? []).map((i) => ({
            ...i,
            trackChecks: [...(i.trackChecks ?? []), { check: 'check_flag' }],
          })),
        };
      },
      { metrics: false },
    );
    ({ env, page, clusterId } = lab);
  }, 120_000);

  afterAll(async () => {
    if (flag) rmSync(flag, { force: true });
    await lab?.stop();
  });

  /** Waits until the page shows the check on the node in `phase` with `progress`, both at once. */
  async function shows(node: string, check: string, phase: string, progress: string, timeoutMs = 4 * INTERVAL_MS) {
    const read = async () =>
      [
        await page
          .getByTestId(`live-check-status-${node}-${check}`)
          .textContent({ timeout: 1000 })
          .catch(() => null),
        await page
          .getByTestId(`live-check-progress-${node}-${check}`)
          .textContent({ timeout: 1000 })
          .catch(() => null),
      ] as const;
    await waitFor(
      async () => {
        const [status, prog] = await read();
        return (status?.trim() === phase && prog?.startsWith(progress)) || undefined;
      },
      { timeoutMs, intervalMs: 50, what: `${node} ${check} ${phase} "${progress}"` },
    ).catch(async (e: unknown) => {
      const row = await page
        .getByTestId(`live-check-${node}-${check}`)
        .textContent()
        .catch(() => null);
      throw new Error(
        `${node} ${check}: wanted ${phase} "${progress}", the page shows: ${row}\n${[lab!.agent.lb1, lab!.agent.lb2].map((a) => `--- ${a.host}\n${a.log().slice(-1200)}`).join('\n')}`,
        { cause: e },
      );
    });
  }

  it('shows a check failing toward fall, failed, recovering toward rise and healthy, as the agent counts', async () => {
    await page.goto(`${env!.dashboard.base}/clusters/${clusterId}`);
    await shows('lb1', 'check_flag', 'healthy', '0 of 2 toward fall', 30_000);
    await shows('lb2', 'check_flag', 'healthy', '0 of 2 toward fall');
    expect(await page.getByTestId('live-check-progress-lb1-check_flag').textContent()).toContain('rise 3 · fall 2');

    writeFileSync(flag, '');
    await shows('lb1', 'check_flag', 'failing', '1 of 2 toward fall');
    // The last run's result and its age, in words.
    expect(await page.getByTestId('live-check-lb1-check_flag').textContent()).toMatch(
      /failed \(exit 1\) · (just now|\d+ s ago)/,
    );
    await shows('lb1', 'check_flag', 'failed', '0 of 3 toward rise');
    mkdirSync(SHOTS, { recursive: true });
    await page.getByTestId('live-lb1').screenshot({ path: join(SHOTS, 'cluster-checks-failed.png') });
    // The phases are words, not colours only; nothing a screen-reader user would be blocked by.
    expect(await axeViolations(page)).toEqual([]);
    // Only lb1 fails: lb2's run of the same check stays healthy.
    expect(await page.getByTestId('live-check-status-lb2-check_flag').textContent()).toBe('healthy');

    rmSync(flag);
    await shows('lb1', 'check_flag', 'recovering', '1 of 3 toward rise');
    await shows('lb1', 'check_flag', 'recovering', '2 of 3 toward rise');
    await shows('lb1', 'check_flag', 'healthy', '0 of 2 toward fall');
    expect(await page.getByTestId('live-check-lb1-check_flag').textContent()).toMatch(/ok · (just now|\d+ s ago)/);
  }, 120_000);
});
