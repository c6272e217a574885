/**
 * Every node of every cluster with what its agent last told the hub, for the Nodes page. The live
 * columns (lastSeenAt, agentVersion, agentAddress, liveState) are written by the agent hub; this
 * read only interprets them.
 */
import { DEF_LIVENESS, isOnline, staleAfterMs } from './node-status';
import type { Db } from './types';
import { DASHBOARD_VERSION, versionSkew, type VersionSkew } from './version-skew';

/**
 * A node is online while its last frame is younger than the hub's own offline limit
 * (node-status.ts, three missed heartbeats): the page never calls a node current when the hub
 * already gave it up.
 */
export const ONLINE_WITHIN_MS = staleAfterMs(DEF_LIVENESS);

/** `appliedRevision` of a heartbeat stored in `Node.liveState`, when there is one. */
function heartbeatRevision(liveState: unknown): number | null {
  if (typeof liveState !== 'object' || liveState === null) return null;
  const r = (liveState as { appliedRevision?: unknown }).appliedRevision;
  return typeof r === 'number' ? r : null;
}

/** A node's deployments narrowed to its newest applied one: `deployments[0]?.revision.number` is the revision it runs. */
export const newestApplied = {
  where: { status: 'applied' },
  orderBy: { revision: { number: 'desc' } },
  take: 1,
  select: { revision: { select: { number: true } } },
} as const;

export interface NodeOverview {
  id: string;
  version: number;
  clusterId: string;
  cluster: string;
  name: string;
  addresses: string[];
  interfaces: string[];
  maintenance: boolean;
  /** The agent has exchanged its enrollment token for a credential. */
  enrolled: boolean;
  /** An unused enrollment token is outstanding until then. */
  enrollTokenExpires: Date | null;
  agentVersion: string | null;
  /** The agent's release beside this dashboard's (`dashboardVersion`): an outdated agent is shown as such. */
  agentSkew: VersionSkew;
  dashboardVersion: string;
  agentAddress: string | null;
  lastSeenAt: Date | null;
  online: boolean;
  /** When the node turns stale if nothing more is heard (lastSeenAt + the online window), so a page can tell between polls. */
  staleAt: Date | null;
  /** What the agent reported running (heartbeat), else the newest revision it confirmed applied. */
  appliedRevision: number | null;
  /** The cluster's newest revision, to show a node that lags behind. */
  clusterRevision: number;
}

export async function listAllNodes(db: Db, now = Date.now()): Promise<NodeOverview[]> {
  const rows = await db.node.findMany({
    orderBy: [{ cluster: { name: 'asc' } }, { name: 'asc' }],
    select: {
      id: true,
      version: true,
      clusterId: true,
      cluster: { select: { name: true, revision: true } },
      name: true,
      addresses: true,
      interfaces: true,
      maintenance: true,
      credentialHash: true,
      enrollTokenHash: true,
      enrollTokenExpires: true,
      agentVersion: true,
      agentAddress: true,
      lastSeenAt: true,
      liveState: true,
      deployments: newestApplied,
    },
  });
  return rows.map((r) => ({
    id: r.id,
    version: r.version,
    clusterId: r.clusterId,
    cluster: r.cluster.name,
    name: r.name,
    addresses: r.addresses,
    interfaces: r.interfaces,
    maintenance: r.maintenance,
    enrolled: r.credentialHash !== null,
    enrollTokenExpires:
      r.enrollTokenHash !== null && r.enrollTokenExpires !== null && r.enrollTokenExpires.getTime() > now
        ? r.enrollTokenExpires
        : null,
    agentVersion: r.agentVersion,
    agentSkew: versionSkew(r.agentVersion),
    dashboardVersion: DASHBOARD_VERSION,
    agentAddress: r.agentAddress,
    lastSeenAt: r.lastSeenAt,
    online: isOnline(r.lastSeenAt?.getTime() ?? null, now),
    staleAt: r.lastSeenAt ? new Date(r.lastSeenAt.getTime() + ONLINE_WITHIN_MS) : null,
    appliedRevision: heartbeatRevision(r.liveState) ?? r.deployments[0]?.revision.number ?? null,
    clusterRevision: r.cluster.revision,
  }));
}
