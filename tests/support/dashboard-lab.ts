import {
  bridgePort,
  REF,
  referenceLab,
  startEnrolledAgents,
  waitRevisionApplied,
  waitServed,
  type Lab,
  type LabAgent,
  type PortBridge,
} from '@keepwatch/lab';
import type { ClusterSpecInput } from '@keepwatch/shared';
import { ADMIN, startDashboard, type Dashboard, type DashboardOptions } from './dashboard.js';
import { apiLogin, trpcHttp, type TrpcHttp } from './trpc-http.js';

/** The production dashboard with the reference lab beside it, and an admin API client. */
export type DashboardLab = {
  dashboard: Dashboard;
  lab: Lab;
  /** The dashboard's port in the lab's folder: agents connect to `ws+unix://<bridge.path>:/agent`. */
  bridge: PortBridge;
  api: TrpcHttp;
  /** Tears the lab down, closes the bridge and stops the dashboard; each step even when another failed. */
  stop(): Promise<void>;
};

export async function startDashboardLab(opts: DashboardOptions = {}): Promise<DashboardLab> {
  const dashboard = await startDashboard(opts);
  let lab: Lab | undefined;
  let bridge: PortBridge | undefined;
  const stop = async () => {
    await lab?.teardown().catch(() => undefined);
    await bridge?.close().catch(() => undefined);
    await dashboard.stop();
  };
  try {
    lab = await referenceLab();
    // The namespaces have no route to the host's loopback: the port is reached through a unix socket.
    bridge = await bridgePort(lab, 'hub', dashboard.port);
    const api = trpcHttp(dashboard.base, await apiLogin(dashboard.base, ADMIN));
    return { dashboard, lab, bridge, api, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Imports `spec` as a new cluster and enrolls lb1 and lb2 of `env`'s lab with it; resolves once
 * both run revision 1, lb1 holds the VIP and the VIP serves: where the tests of edits to a running
 * cluster start. The caller stops the agents.
 */
export async function enrollReferenceCluster(
  env: DashboardLab,
  spec: ClusterSpecInput,
  o: { metrics?: boolean } = {},
): Promise<{ clusterId: string; agents: Record<'lb1' | 'lb2', LabAgent> }> {
  const started = await startEnrolledAgents(env.lab, env.api, { spec, hubSocket: env.bridge.path, ...o });
  await waitRevisionApplied(env.api, started.clusterId, 1);
  await env.lab.waitForHolders(REF.vip, ['lb1'], 10_000);
  await waitServed(env.lab);
  return { clusterId: started.clusterId, agents: started.agent };
}
