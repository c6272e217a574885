import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REF, referenceSpec, startEnrolledAgents, waitFor, waitRevisionApplied, type LabAgent } from '@keepwatch/lab';
import type { ClusterSpecInput } from '@keepwatch/shared';

type HealthCheckInput = NonNullable<ClusterSpecInput['checks']>[number];
import { startDashboardLab, type DashboardLab } from '../support/dashboard-lab.js';

/**
 * Issue #15 finding 1: the host bounds what a dashboard admin can make its agent run. Both agents
 * have a script policy in their config (scripts only from /bin or /usr/bin, no shell lines, no
 * root; scripts as `nobody`). A revision whose check runs a shell line is refused at apply — the
 * deployment names the check and the policy field, the rollout stops there — nothing of it runs,
 * and the nodes keep running the previous revision with the VIP where it was.
 */
describe('script policy on enrolled agents', () => {
  let env: DashboardLab | undefined;
  let clusterId = '';
  const agents: Record<string, LabAgent> = {};
  const alive: HealthCheckInput = {
    kind: 'script',
    name: 'check_alive',
    intervalMs: 500,
    command: { argv: ['/bin/true'] },
  };

  beforeAll(async () => {
    env = await startDashboardLab();
    const started = await startEnrolledAgents(env.lab, env.api, {
      spec: referenceSpec({ check: [alive] }),
      hubSocket: env.bridge.path,
      metrics: false,
      extraConfig: { scripts: { allowedDirs: ['/bin', '/usr/bin'] }, scriptUser: 'nobody' },
    });
    clusterId = started.clusterId;
    Object.assign(agents, started.agent);
    await waitRevisionApplied(env.api, clusterId, 1);
    await env.lab.waitForHolders(REF.vip, ['lb1'], 10_000);
  });

  afterAll(async () => {
    for (const a of Object.values(agents)) await a.stop().catch(() => undefined);
    await env?.stop();
  });

  it('runs a script the policy allows (root-owned, in an allowed directory, as nobody)', async () => {
    const r = await env!.api.query<{ deployments: { status: string }[] }>('clusters.revision', {
      clusterId,
      number: 1,
    });
    expect(r.deployments.map((d) => d.status)).toEqual(['applied', 'applied']);
  });

  it('refuses a revision whose check runs a shell line, naming the check and the policy field; nothing runs, nothing moves', async () => {
    const { api, lab } = env!;
    const marker = join(lab.host('lb1').dir, 'shell-line-ran');
    type Row = { id: string; version: number; check: HealthCheckInput };
    const [row] = await api.query<Row[]>('checks.list', { clusterId });
    await api.mutate('checks.update', {
      id: row!.id,
      version: row!.version,
      check: { ...alive, command: { shell: `touch ${marker}` } },
    });
    type Deployment = { node: string; status: string; stage: string | null; message: string | null };
    let last: Deployment[] = [];
    const deployments = await waitFor(
      async () => {
        const r = await api.query<{ deployments: Deployment[] }>('clusters.revision', { clusterId, number: 2 });
        last = r.deployments;
        return r.deployments.some((d) => d.status === 'failed') ? r.deployments : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: 'revision 2 refused' },
    ).catch((e: Error) => {
      throw new Error(`${e.message}; last seen: ${JSON.stringify(last)}`);
    });
    // The backup gets a revision first; its refusal stops the rollout, so the master never gets it.
    const lb2 = deployments.find((d) => d.node === 'lb2')!;
    expect(lb2).toMatchObject({ status: 'failed', stage: 'validate' });
    expect(lb2.message).toContain('check "check_alive": runs a shell line');
    expect(lb2.message).toContain('scripts.allowShell false');
    await new Promise((r) => setTimeout(r, 1500)); // three check intervals
    const after = await api.query<{ deployments: Deployment[] }>('clusters.revision', { clusterId, number: 2 });
    expect(after.deployments.find((d) => d.node === 'lb1')?.status).not.toBe('applied');
    expect(existsSync(marker)).toBe(false);
    expect(await lab.holders(REF.vip)).toEqual(['lb1']);
  });
});
