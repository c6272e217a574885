/**
 * The reference deployment enrolled in a real dashboard, the way a host is enrolled: for the
 * integration tests, the control-plane benchmark and the demo.
 */
import type { ClusterSpecInput } from '@keepwatch/shared';
import { startReferenceAgents, type LabAgent } from './agent.js';
import type { Lab } from './lab.js';
import type { LabNginx } from './nginx.js';
import { waitFor } from './poll.js';

type Lb = 'lb1' | 'lb2';

/** The dashboard's tRPC API, signed in as an admin (the tests, the bench and the demo each bring a client). */
export type DashboardClient = {
  query<T>(path: string, input: unknown): Promise<T>;
  mutate<T>(path: string, input: unknown): Promise<T>;
};

export type EnrolledAgents = {
  clusterId: string;
  nodeIds: Record<Lb, string>;
  nginx: Record<Lb, LabNginx>;
  agent: Record<Lb, LabAgent>;
};

/**
 * Imports `spec` as a cluster, then starts the reference deployment ({@link startReferenceAgents})
 * with each agent enrolled: a one-time token per node, exchanged by the agent for its credential
 * at `ws+unix://<hubSocket>:/agent` (a bridgePort to the dashboard). Resolves once both agents
 * have started; `onEnroll` hears each node's URL and token (the demo prints them).
 */
export async function startEnrolledAgents(
  lab: Lab,
  dashboard: DashboardClient,
  opts: {
    spec: ClusterSpecInput;
    hubSocket: string;
    metrics?: boolean;
    onEnroll?: (lb: Lb, url: string, token: string) => void;
    /** Another agent program for a host (the previous release's, in version-skew tests). */
    bins?: Partial<Record<Lb, string>>;
    /** More agent config fields for every host (a script policy, a script user). */
    extraConfig?: Record<string, unknown>;
  },
): Promise<EnrolledAgents> {
  const clusterId = (await dashboard.mutate<{ id: string }>('clusters.import', { spec: opts.spec })).id;
  const nodes = await dashboard.query<{ id: string; node: { name: string } }[]>('nodes.list', { clusterId });
  const nodeId = (lb: Lb) => {
    const node = nodes.find((n) => n.node.name === lb);
    if (!node) throw new Error(`node ${lb} missing from cluster ${opts.spec.name}`);
    return node.id;
  };
  const nodeIds = { lb1: nodeId('lb1'), lb2: nodeId('lb2') };
  const url = `ws+unix://${opts.hubSocket}:/agent`;
  const started = await startReferenceAgents(lab, opts.spec, {
    ...(opts.metrics === undefined ? {} : { metrics: opts.metrics }),
    ...(opts.bins ? { bins: opts.bins } : {}),
    configure: async (lb, { spec: _standalone, ...cfg }) => {
      const { token } = await dashboard.mutate<{ token: string }>('nodes.issueEnrollToken', { id: nodeIds[lb] });
      opts.onEnroll?.(lb, url, token);
      return { ...cfg, ...opts.extraConfig, controlPlane: { url, enrollToken: token } };
    },
  });
  return { clusterId, nodeIds, ...started };
}

/** Waits (bounded) until every node of the cluster reports revision `number` applied. */
export async function waitRevisionApplied(
  dashboard: DashboardClient,
  clusterId: string,
  number: number,
  timeoutMs = 30_000,
): Promise<void> {
  type Deployment = { node: string; status: string };
  await waitFor(
    async () =>
      (
        await dashboard.query<{ deployments: Deployment[] }>('clusters.revision', { clusterId, number })
      ).deployments.every((d) => d.status === 'applied') || undefined,
    { timeoutMs, intervalMs: 200, what: `revision ${number} applied on every node` },
  );
}
