import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REF, startProbe, summariseProbe, waitFor, type ProbeRecord, waitServed } from '@keepwatch/lab';
import { startDashboard } from '../support/dashboard.js';
import { startEnrolledLab, type EnrolledLab } from './failover-lab.js';

/**
 * "The dashboard stopped for 30 s changes nothing on the wire": the agents keep VRRP and nginx
 * running from their last revision. The dashboard process is stopped (SIGTERM) for 30 s while a
 * probe goes through the VIP and the VIP's holder is watched; the quiet period must show no VIP
 * move and no failed request. At the end of the outage a fault is injected (lb1's link down for
 * a moment: lb2 takes over, lb1 preempts back when its link returns), so transitions happen with
 * nobody listening. The dashboard is started again on the same data folder and port; the agents
 * reconnect and replay, and the transitions appear with the agents' own times.
 */
describe('the dashboard stopped for 30 s', () => {
  let env: EnrolledLab;
  const dataDir = mkdtempSync(join(tmpdir(), 'keepwatch-outage-'));

  beforeAll(async () => {
    env = await startEnrolledLab({ dataDir });
  });
  afterAll(async () => {
    await env?.teardown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('changes nothing on the wire, and the transitions made meanwhile arrive afterwards with their true times', async () => {
    const { lab } = env;
    const port = env.dashboard.port;
    const probe = await startProbe(lab, 'client', `http://${REF.vip}/`, { rateHz: 20, maxDurationMs: 120_000 });
    const holderChanges: { at: number; holders: string[] }[] = [];
    let records: ProbeRecord[] | undefined;
    let fault: { from: number; to: number } | null = null;
    try {
      await env.dashboard.stop();
      const quietFrom = Date.now();
      // The quiet 30 s: watch the holder (bounded loop) while the probe runs. Only the two LBs
      // can hold the VIP; asking just them keeps the watch light (each ask is an `ip` process).
      let last = 'lb1';
      for (let i = 0; i < 1000 && Date.now() - quietFrom < 30_000; i++) {
        const held = await Promise.all([lab.holds('lb1', REF.vip), lab.holds('lb2', REF.vip)]);
        const now = (['lb1', 'lb2'] as const).filter((_, k) => held[k]);
        if (now.join(',') !== last) holderChanges.push({ at: Date.now(), holders: now });
        last = now.join(',');
        await new Promise((r) => setTimeout(r, 100));
      }
      const quietTo = Date.now();
      records = probe.records().filter((r) => r.sentAt >= quietFrom && r.sentAt + 1000 <= quietTo);
      // The fault, still with the dashboard down.
      const from = Date.now();
      await lab.setLink('lb1', 'down');
      await lab.waitForHolders(REF.vip, ['lb2'], 5000);
      await lab.setLink('lb1', 'up');
      await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
      fault = { from, to: Date.now() };
    } finally {
      await lab.setLink('lb1', 'up').catch(() => undefined);
      await probe.stop();
    }

    const quiet = summariseProbe(records ?? []);
    if (holderChanges.length) {
      // For the diagnosis: what the agents said about VRRP around the change.
      const vrrp = (log: string) =>
        log
          .split('\n')
          .filter((l) => /vrrp transition|priority changed|advert warning|timed out/.test(l))
          .slice(-12)
          .join('\n');
      console.info(
        `load ${JSON.stringify(loadavg())}\nlb1:\n${vrrp(env.agents.lb1.log())}\nlb2:\n${vrrp(env.agents.lb2.log())}`,
      );
    }
    console.info(
      `quiet ${Math.round((records?.length ?? 0) / 20)} s: ${quiet.total} probe requests, ${quiet.failed} failed, longest gap ${quiet.longestGapMs} ms, ${holderChanges.length} holder changes`,
    );
    expect(holderChanges).toEqual([]);
    expect(quiet.total).toBeGreaterThan(400); // ~29 s at 20 req/s
    expect(quiet.failed).toBe(0);

    // Back on the same data folder and port: the agents find it again by themselves.
    const restartedAt = Date.now();
    env.dashboard = await startDashboard({ dataDir, port });
    await env.api.login();
    await waitServed(lab);
    type Transition = { node: string; from: string; to: string; at: string; receivedAt: string };
    const during = (t: Transition) => Date.parse(t.at) >= fault!.from && Date.parse(t.at) <= fault!.to;
    const transitions = await waitFor(
      async () => {
        const all = await env.api.call<Transition[]>('clusters.transitions', { clusterId: env.clusterId, limit: 50 });
        const mine = all.filter(during);
        const seen = (node: string, to: string) => mine.some((t) => t.node === node && t.to === to);
        return seen('lb1', 'fault') && seen('lb2', 'master') && seen('lb2', 'backup') && seen('lb1', 'master')
          ? mine
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: "the outage's transitions to reach the restarted dashboard" },
    );
    // Stored after the restart, yet carrying the time they happened (during the outage).
    for (const t of transitions) expect(Date.parse(t.receivedAt)).toBeGreaterThanOrEqual(restartedAt);
    // In the order they happened on the agents' clocks: lb1 faulted, lb2 took over, lb1 took it back.
    const at = (node: string, to: string) => Date.parse(transitions.find((t) => t.node === node && t.to === to)!.at);
    expect(at('lb1', 'fault')).toBeLessThanOrEqual(at('lb2', 'master'));
    expect(at('lb2', 'master')).toBeLessThanOrEqual(at('lb1', 'master'));
    expect(at('lb1', 'master')).toBeLessThanOrEqual(at('lb2', 'backup') + 1000);
    // Both agents are online again in the status the dashboard reports.
    await waitFor(async () => (await env.status()).nodes.every((n) => n.online) || undefined, {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: 'both nodes online again',
    });
  });
});
