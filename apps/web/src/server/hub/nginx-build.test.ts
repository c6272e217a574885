import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helloMessage, NGINX_BUILD_CAPABILITY, NGINX_STATUS_CAPABILITY, type NginxBuildInfo } from '@keepwatch/shared';
import { trpcError, type Api } from '../testing/api';
import { enrollAgent, hubSuite, ProtocolAgent } from '../testing/protocol-agent';
import { heartbeat } from '../../../test/fixtures';
import type { AgentHub } from './hub';

/** RHEL 8's nginx: HTTP/2 and TLS built in, but older than the `random` balancing method (1.15.1). */
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
  const randomPool = async () => {
    const [webs] = await api.viewer.pools.list({ clusterId });
    return { webs: webs!, pool: { ...webs!.pool, method: { type: 'random' as const } } };
  };

  it('lists nginx-build in welcome to an agent that announced it', async () => {
    const a = await hello('LVS_2', [NGINX_STATUS_CAPABILITY, NGINX_BUILD_CAPABILITY]);
    expect((await a.next('welcome')).capabilities).toEqual([NGINX_STATUS_CAPABILITY, NGINX_BUILD_CAPABILITY]);
    a.close();
  });

  it('refuses nothing while no node has reported its nginx (nginx -t on the node decides)', async () => {
    const { webs, pool } = await randomPool();
    const { diffs } = await api.admin.pools.preview({ clusterId, id: webs.id, pool });
    expect(diffs.length).toBeGreaterThan(0);
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

  it('refuses a preview needing a newer nginx, naming the node and the spec field', async () => {
    const { webs, pool } = await randomPool();
    const e = await trpcError(api.admin.pools.preview({ clusterId, id: webs.id, pool }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toBe(
      'spec.pools.0.method: node "LVS_1" runs nginx 1.14.1, which is older than 1.15.1 (balance method random needs it): use another balance method for pool "webs" or upgrade nginx on LVS_1',
    );
  });

  it('refuses committing it, storing no revision', async () => {
    const { webs, pool } = await randomPool();
    const before = (await api.viewer.clusters.get({ id: clusterId })).revision;
    const e = await trpcError(api.admin.pools.update({ id: webs.id, version: webs.version, pool }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toMatch(/^spec\.pools\.0\.method: node "LVS_1" runs nginx 1\.14\.1/);
    expect((await api.viewer.clusters.get({ id: clusterId })).revision).toBe(before);
  });

  it('takes a change the reported nginx can run', async () => {
    const { webs } = await randomPool();
    const pool = { ...webs.pool, method: { type: 'least_conn' as const } };
    await api.admin.pools.update({ id: webs.id, version: webs.version, pool });
    const [after] = await api.viewer.pools.list({ clusterId });
    expect(after!.pool.method).toEqual({ type: 'least_conn' });
  });
});
