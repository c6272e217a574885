/**
 * The reference lab under a real dashboard, for the failover and outage tests: the dashboard
 * (production build, apps/web/server.ts) reachable from the namespaces through a unix socket,
 * signed in as the first admin over tRPC/HTTP, the reference cluster imported (VRRPv3 at 0.1 s),
 * web1/web2, lab nginx on lb1/lb2 and an enrolled keepwatch-agent on each; resolves once both
 * applied revision 1, lb1 holds the VIP and requests through it are served.
 */
import {
  bridgePort,
  REF,
  referenceLab,
  referenceSpec,
  startEnrolledAgents,
  waitFor,
  waitRevisionApplied,
  waitServed,
  type Lab,
  type LabAgent,
  type LabNginx,
  type PortBridge,
} from '@keepwatch/lab';
import { ADMIN, startDashboard, type Dashboard, type DashboardOptions } from '../support/dashboard.js';
import { apiLogin, trpcHttp, type TrpcError } from '../support/trpc-http.js';

export type { TrpcError };

/** tRPC over HTTP with the first admin's session cookie (what the browser does); {@link login} again after a dashboard restart. */
export class Api {
  cookie = '';
  constructor(public base: string) {}

  private get http() {
    return trpcHttp(this.base, this.cookie);
  }

  async login(): Promise<void> {
    this.cookie = await apiLogin(this.base, ADMIN);
  }

  /** The result, or the tRPC error. */
  raw<T>(
    path: string,
    input: unknown,
    mutation = false,
  ): Promise<{ ok: true; data: T } | { ok: false; error: TrpcError }> {
    return this.http.call<T>(path, input, { mutation });
  }

  call<T>(path: string, input: unknown, mutation = false): Promise<T> {
    return mutation ? this.http.mutate<T>(path, input) : this.http.query<T>(path, input);
  }

  query<T>(path: string, input: unknown): Promise<T> {
    return this.http.query<T>(path, input);
  }

  mutate<T>(path: string, input: unknown): Promise<T> {
    return this.http.mutate<T>(path, input);
  }
}

export type Member = {
  nodeId: string;
  node: string;
  online: boolean;
  ageMs: number | null;
  state: string | null;
  override: string | null;
};
export type Command = {
  id: string;
  node: string;
  kind: string;
  instance: string | null;
  status: string;
  reason: string | null;
  actor: string;
};
export type FailoverStatus = {
  instances: {
    id: string;
    name: string;
    promotedNode: string | null;
    master: string | null;
    promoteInEffect: boolean;
    members: Member[];
    commands: Command[];
  }[];
  nodes: { id: string; name: string; maintenance: boolean; online: boolean }[];
  commands: Command[];
};

export type EnrolledLab = {
  lab: Lab;
  dashboard: Dashboard;
  bridge: PortBridge;
  api: Api;
  clusterId: string;
  instanceId: string;
  nodeIds: Record<'lb1' | 'lb2', string>;
  agents: Record<'lb1' | 'lb2', LabAgent>;
  nginx: Record<'lb1' | 'lb2', LabNginx>;
  status(): Promise<FailoverStatus>;
  /** Stops agents, lab, bridge and dashboard; each step even when another failed. */
  teardown(): Promise<void>;
};

export async function startEnrolledLab(dashboardOptions: DashboardOptions = {}): Promise<EnrolledLab> {
  const cleanup: (() => Promise<unknown>)[] = [];
  const teardown = async () => {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
  };
  try {
    const dashboard = await startDashboard(dashboardOptions);
    const state = { dashboard };
    cleanup.push(() => state.dashboard.stop());
    const lab = await referenceLab();
    cleanup.push(() => lab.teardown());
    const bridge = await bridgePort(lab, 'hub', dashboard.port);
    cleanup.push(() => bridge.close());
    const api = new Api(dashboard.base);
    await api.login();
    const {
      clusterId,
      nodeIds,
      nginx,
      agent: agents,
    } = await startEnrolledAgents(lab, api, {
      spec: referenceSpec(),
      hubSocket: bridge.path,
    });
    cleanup.push(
      () => agents.lb1.stop(),
      () => agents.lb2.stop(),
    );
    await waitRevisionApplied(api, clusterId, 1);
    await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
    await waitServed(lab);
    const status = () => api.call<FailoverStatus>('failover.status', { clusterId });
    // Both nodes' live state (heartbeat, nginx, role) is stored: what a promote is checked against.
    await waitFor(
      async () => (await status()).instances[0]!.members.every((m) => m.online && m.state !== null) || undefined,
      { timeoutMs: 15_000, intervalMs: 200, what: 'both nodes reporting live state' },
    );
    const instanceId = (await status()).instances[0]!.id;
    return {
      lab,
      get dashboard() {
        return state.dashboard;
      },
      set dashboard(d: Dashboard) {
        state.dashboard = d;
      },
      bridge,
      api,
      clusterId,
      instanceId,
      nodeIds,
      agents,
      nginx,
      status,
      teardown,
    };
  } catch (e) {
    await teardown();
    throw e;
  }
}
