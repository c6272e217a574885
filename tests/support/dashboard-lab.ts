import {
  bridgePort,
  Lab,
  REF,
  referenceLab,
  startEnrolledAgents,
  waitRevisionApplied,
  waitServed,
  type LabAgent,
  type PortBridge,
} from '@keepwatch/lab';
import type { ClusterSpecInput } from '@keepwatch/shared';
import { ADMIN, startDashboard, type Dashboard, type DashboardOptions } from './dashboard.js';
import { apiLogin, trpcHttp, type TrpcHttp } from './trpc-http.js';

/** The production dashboard with a lab beside it (the reference one unless told), and an admin API client. */
export type DashboardLab = {
  dashboard: Dashboard;
  lab: Lab;
  /** The dashboard's port in the lab's folder: agents connect to `ws+unix://<bridge.path>:/agent`. */
  bridge: PortBridge;
  api: TrpcHttp;
  /** Tears the lab down, closes the bridge and stops the dashboard; each step even when another failed. */
  stop(): Promise<void>;
};

export async function startDashboardLab(
  opts: DashboardOptions = {},
  makeLab: () => Promise<Lab> = referenceLab,
): Promise<DashboardLab> {
  const dashboard = await startDashboard(opts);
  let lab: Lab | undefined;
  let bridge: PortBridge | undefined;
  const stop = async () => {
    await lab?.teardown().catch(() => undefined);
    await bridge?.close().catch(() => undefined);
    await dashboard.stop();
  };
  try {
    lab = await makeLab();
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

/** lb1 and the client on the reference segment, nothing else: for the tests that install the agent on lb1 themselves. */
export function lb1AndClientLab(): Promise<Lab> {
  return Lab.create({
    hosts: [
      { name: 'lb1', ipv4: [`${REF.lb1}/24`] },
      { name: 'client', ipv4: [`${REF.client}/24`] },
    ],
  });
}

/** Imports `spec` as a new cluster; resolves with its id and the id of each of its nodes, by name. */
export async function importCluster(
  api: TrpcHttp,
  spec: ClusterSpecInput,
): Promise<{ clusterId: string; nodeIds: Record<string, string> }> {
  const { id: clusterId } = await api.mutate<{ id: string }>('clusters.import', { spec });
  const nodes = await api.query<{ id: string; node: { name: string } }[]>('nodes.list', { clusterId });
  return { clusterId, nodeIds: Object.fromEntries(nodes.map((n) => [n.node.name, n.id])) };
}
