import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  REF,
  referenceSpec,
  startEnrolledAgents,
  throughVip,
  waitFor,
  waitServed,
  type Lab,
  type LabAgent,
  type PortBridge,
} from '@keepwatch/lab';
import { startDashboardLab, type DashboardLab } from '../support/dashboard-lab.js';
import type { TrpcHttp } from '../support/trpc-http.js';

/**
 * The dashboard (apps/web/server.ts, production build, embedded database) and real agents in the
 * lab: the agents reach the dashboard's port through a unix socket (the filesystem is shared by
 * every namespace; `ws+unix://`), enroll with one-time tokens, receive revision 1, apply nginx,
 * and the deployments show applied — then requests through the VIP are served by the pool.
 */
type Deployment = { node: string; status: string; nginxOutput: string | null; finishedAt: string | null };

describe('agents under the dashboard', () => {
  let env: DashboardLab | undefined;
  let bridge: PortBridge | undefined;
  let lab: Lab;
  let api: TrpcHttp;
  const agents: LabAgent[] = [];
  let clusterId = '';
  const deploymentsOf = async (number: number) =>
    (await api.query<{ deployments: Deployment[] }>('clusters.revision', { clusterId, number })).deployments;
  const deploymentOf = async (number: number, node: string) =>
    (await deploymentsOf(number)).find((d) => d.node === node);

  beforeAll(async () => {
    env = await startDashboardLab();
    ({ lab, bridge, api } = env);
  });

  afterAll(async () => {
    for (const a of agents) await a.stop().catch(() => undefined);
    await env?.stop();
  });

  it('agents enroll over ws+unix, apply the pushed revision to nginx, and the deployments show applied', async () => {
    const started = await startEnrolledAgents(lab, api, { spec: referenceSpec(), hubSocket: bridge!.path });
    const cluster = { id: started.clusterId };
    clusterId = cluster.id;
    agents.push(started.agent.lb1, started.agent.lb2);
    const deployments = async () =>
      (await api.query<{ deployments: Deployment[] }>('clusters.revision', { clusterId: cluster.id, number: 1 }))
        .deployments;
    await waitFor(async () => ((await deployments()).every((d) => d.status === 'applied') ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: `both deployments applied (agent log: ${agents[0]?.log().slice(-800)})`,
    });
    expect((await deployments()).map((d) => [d.node, d.status]).sort()).toEqual([
      ['lb1', 'applied'],
      ['lb2', 'applied'],
    ]);
    // The credential is kept private in the state directory; the revision is on disk for restarts.
    const stateDir = join(lab.host('lb1').dir, 'agent-state');
    expect(statSync(join(stateDir, 'credential.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(stateDir, 'revision.json')).isFile()).toBe(true);
    // Each agent reported its nginx (issue #17 item 4): the version `nginx -v` prints here.
    const here = /nginx\/(\d+\.\d+\.\d+)/.exec(spawnSync('/usr/sbin/nginx', ['-v'], { encoding: 'utf8' }).stderr)?.[1];
    type LiveNginx = { nodes: { name: string; heartbeat: { nginx: { build?: { version: string } } } | null }[] };
    const versions = async () =>
      (await api.query<LiveNginx>('clusters.live', { clusterId: cluster.id })).nodes
        .map((n) => [n.name, n.heartbeat?.nginx.build?.version])
        .sort();
    await waitFor(async () => ((await versions()).every(([, v]) => v !== undefined) ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 200,
      what: 'both nodes report their nginx version',
    });
    expect(await versions()).toEqual([
      ['lb1', here],
      ['lb2', here],
    ]);
    await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
    await waitServed(lab);
    const bodies = await throughVip(lab, 4);
    expect(bodies.every((b) => b === 'web1' || b === 'web2')).toBe(true);
    // The master's transition reached the dashboard with the agent's own time.
    await waitFor(
      async () =>
        (
          await api.query<{ node: string; to: string }[]>('clusters.transitions', { clusterId: cluster.id, limit: 20 })
        ).some((t) => t.node === 'lb1' && t.to === 'master')
          ? true
          : undefined,
      { timeoutMs: 10_000, intervalMs: 200, what: 'lb1 master transition stored' },
    );
  });

  it('rolls a pool edit out to the backup first and to the master only after the backup applied it', async () => {
    const [webs] = await api.query<{ id: string; version: number; pool: { name: string; servers: unknown[] } }[]>(
      'pools.list',
      { clusterId },
    );
    await api.mutate('pools.update', {
      id: webs!.id,
      version: webs!.version,
      pool: { name: 'webs', servers: [{ address: REF.web2, port: 80 }] },
    });
    await waitFor(async () => ((await deploymentsOf(2)).every((d) => d.status === 'applied') ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'revision 2 applied on both nodes',
    });
    const lb1 = await deploymentOf(2, 'lb1');
    const lb2 = await deploymentOf(2, 'lb2');
    expect(Date.parse(lb2!.finishedAt!)).toBeLessThan(Date.parse(lb1!.finishedAt!));
    expect(await throughVip(lab, 4)).toEqual(['web2', 'web2', 'web2', 'web2']);
    expect(await lab.holders(REF.vip)).toEqual(['lb1']);
  });

  it("a revision that fails nginx -t on the backup is reported with nginx's output and never reaches the master", async () => {
    // lb2 lacks lb1's address, so nginx -t on lb2 cannot bind this listen socket.
    await api.mutate('virtualServers.create', {
      clusterId,
      virtualServer: {
        name: 'only-lb1',
        listen: [{ address: REF.lb1, port: 8080 }],
        locations: [{ path: '/', pool: 'webs' }],
      },
    });
    await waitFor(async () => ((await deploymentOf(3, 'lb2'))?.status === 'failed' ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'revision 3 failed on lb2',
    });
    expect((await deploymentOf(3, 'lb2'))?.nginxOutput).toMatch(/\[emerg\]/);
    // A negative can only be watched for a while: several rollout rounds and heartbeats of the
    // master pass (the hub polls every second), and it stays on revision 2.
    const until = Date.now() + 4000;
    while (Date.now() < until) {
      expect((await deploymentOf(3, 'lb1'))?.status).toBe('pending');
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await throughVip(lab, 2)).toEqual(['web2', 'web2']);
  });

  it('with the dashboard unreachable an agent restarts from its last revision, and its transitions arrive later with their true times', async () => {
    // Cut the agents off: no new connections through the socket, and the open ones dropped.
    await bridge!.cut();
    const [lb1, lb2] = agents as [LabAgent, LabAgent];
    await lb2.stop();
    await lb2.start();
    expect(lb2.log()).toContain('"running the last applied revision"');
    // The master goes away: lb2 takes over while nobody listens.
    const before = Date.now();
    await lb1.stop();
    await lab.waitForHolders(REF.vip, ['lb2'], 10_000);
    await waitServed(lab);
    const after = Date.now();
    await bridge!.restore();
    type T = { node: string; to: string; at: string };
    let took: T | undefined;
    await waitFor(
      async () =>
        (took = (await api.query<T[]>('clusters.transitions', { clusterId, limit: 50 })).find(
          (t) => t.node === 'lb2' && t.to === 'master',
        )),
      { timeoutMs: 30_000, intervalMs: 200, what: "lb2's takeover to reach the dashboard" },
    );
    const at = Date.parse(took!.at);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
  });
});
