import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helloMessage, NGINX_BUILD_CAPABILITY, NGINX_STATUS_CAPABILITY, type NginxBuildInfo } from '@keepwatch/shared';
import { trpcError, type Api } from '../testing/api';
import { enrollAgent, hubSuite, ProtocolAgent } from '../testing/protocol-agent';
import { heartbeat } from '../../../test/fixtures';
import type { AgentHub } from './hub';

/** RHEL 8's nginx version (older than the `random` balancing method, 1.15.1), built here without upstream keepalive. */
const RHEL_8: NginxBuildInfo = {
  version: '1.14.1',
  modules: ['http_proxy_module', 'http_ssl_module', 'http_upstream_least_conn_module', 'http_v2_module'],
  openssl: '1.1.1k',
};

/**
 * Issue #17 item 4 on the dashboard's side: the hub keeps the nginx build an agent reports in its
 * session's first heartbeat, the cluster API shows it, and a change needing what a node's nginx
 * lacks is refused at preview and at commit, naming the node and the spec field.
 */
describe('hub and dashboard: the nginx build each node reported', () => {
  let api: Api;
  let hub: AgentHub;
  let url: string;
  let clusterId: string;
  let nodeIds: Record<string, string>;
  const credentials: Record<string, string> = {};
  const agents: ProtocolAgent[] = [];
  const suite = hubSuite();

  beforeAll(async () => {
    ({ api, hub, url, clusterId, nodeIds } = suite);
    for (const node of ['LVS_1', 'LVS_2'])
      credentials[node] = await enrollAgent(api, url, { nodeId: nodeIds[node]!, node, agentVersion: '0.2.0' });
  });
  afterAll(() => {
    for (const a of agents) a.close();
  });

  const hello = async (node: string, capabilities: string[]) => {
    const a = await ProtocolAgent.connect(url);
    agents.push(a);
    const credential = credentials[node]!;
    a.send(helloMessage({ node, credential, agentVersion: '0.2.0', capabilities, appliedRevision: 1, lastSeq: null }));
    return a;
  };
  const webs = async () => (await api.viewer.pools.list({ clusterId }))[0]!;
  const update = async (change: Partial<Awaited<ReturnType<typeof webs>>['pool']>) => {
    const p = await webs();
    return api.admin.pools.update({ id: p.id, version: p.version, pool: { ...p.pool, ...change } });
  };
  const KEEPALIVE_REFUSED =
    'spec.pools.0.keepalive: node "LVS_1" runs nginx 1.14.1, which has no http_upstream_keepalive_module: remove keepalive from pool "webs" or upgrade nginx on LVS_1';

  it('lists nginx-build in welcome to an agent that announced it', async () => {
    const a = await hello('LVS_2', [NGINX_STATUS_CAPABILITY, NGINX_BUILD_CAPABILITY]);
    expect((await a.next('welcome')).capabilities).toEqual([NGINX_STATUS_CAPABILITY, NGINX_BUILD_CAPABILITY]);
    a.close();
  });

  it('refuses nothing while no node has reported its nginx (nginx -t on the node decides)', async () => {
    await update({ method: { type: 'random' } });
    expect((await webs()).pool.method).toEqual({ type: 'random' });
  });

  it("keeps the build of a session's first heartbeat while later heartbeats leave it out", async () => {
    const a = await hello('LVS_1', [NGINX_STATUS_CAPABILITY, NGINX_BUILD_CAPABILITY]);
    await a.next('welcome');
    a.send({ ...heartbeat(), nginx: { running: true, pid: 4242, build: RHEL_8 } });
    a.send({ ...heartbeat({ state: 'master' }), nginx: { running: true, pid: 4242 } });
    const live = () => hub.liveStates().find((l) => l.node === 'LVS_1')?.heartbeat;
    await expect.poll(() => live()?.instances[0]?.state).toBe('master');
    expect(live()?.nginx.build).toEqual(RHEL_8);
    await hub.live.flush();
    const stored = await api.viewer.clusters.live({ clusterId });
    expect(stored.nodes.find((n) => n.name === 'LVS_1')?.heartbeat?.nginx.build).toEqual(RHEL_8);
  });

  it('refuses a preview needing what the node lacks, naming the node and the spec field', async () => {
    const p = await webs();
    const e = await trpcError(api.admin.pools.preview({ clusterId, id: p.id, pool: { ...p.pool, keepalive: 8 } }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toBe(KEEPALIVE_REFUSED);
  });

  it('refuses committing it, storing no revision', async () => {
    const before = (await api.viewer.clusters.get({ id: clusterId })).revision;
    const e = await trpcError(update({ keepalive: 8 }));
    expect([e.code, e.message]).toEqual(['BAD_REQUEST', KEEPALIVE_REFUSED]);
    expect((await api.viewer.clusters.get({ id: clusterId })).revision).toBe(before);
  });

  it('takes an unrelated change while the running revision already needs a newer nginx (random, reported after it)', async () => {
    const servers = (await webs()).pool.servers.map((s, i) => (i === 0 ? { ...s, weight: 3 } : s));
    await update({ servers });
    expect((await webs()).pool.servers[0]?.weight).toBe(3);
  });

  it('takes a change the reported nginx can run', async () => {
    await update({ method: { type: 'least_conn' } });
    expect((await webs()).pool.method).toEqual({ type: 'least_conn' });
  });
});
