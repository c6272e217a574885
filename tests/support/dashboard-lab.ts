import { bridgePort, referenceLab, type Lab, type PortBridge } from '@keepwatch/lab';
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
