/**
 * Test support: the set-up of the cluster-page browser tests — the production dashboard beside the
 * reference lab, lb1 and lb2 enrolled with a spec, and Chromium signed in as the admin.
 */
import { startEnrolledAgents, type EnrolledAgents, type Lab, type LabAgent } from '@keepwatch/lab';
import type { ClusterSpecInput } from '@keepwatch/shared';
import type { Browser, Page } from 'playwright-core';
import { launchChromiumBeside, signIn } from './browser.js';
import { startDashboardLab, type DashboardLab } from './dashboard-lab.js';
import { ADMIN } from './dashboard.js';

export type BrowserLab = EnrolledAgents & {
  env: DashboardLab;
  browser: Browser;
  /** The admin's page, 1280×900. */
  page: Page;
  /** Closes the browser, stops the agents, then the lab and the dashboard; each step even when another failed. */
  stop(): Promise<void>;
};

/** Starts it all with the spec `spec(lab)` gives (it may name files in the lab's folder); on a failure, stops what started. */
export async function startBrowserLab(
  spec: (lab: Lab) => ClusterSpecInput,
  o: { metrics?: boolean } = {},
): Promise<BrowserLab> {
  let env: DashboardLab | undefined;
  let browser: Browser | undefined;
  let started: EnrolledAgents | undefined;
  const agents: LabAgent[] = [];
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    for (const a of agents) await a.stop().catch(() => undefined);
    await env?.stop();
  };
  try {
    browser = await launchChromiumBeside(async () => {
      env = await startDashboardLab();
      started = await startEnrolledAgents(env.lab, env.api, { spec: spec(env.lab), hubSocket: env.bridge.path, ...o });
      agents.push(started.agent.lb1, started.agent.lb2);
    });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signIn(ctx, env!.dashboard.base, ADMIN);
    return { ...started!, env: env!, browser, page, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
