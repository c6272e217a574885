/**
 * One agent connection as the hub holds it, and the set of them. A session is authenticated once
 * `node` is set (after `hello`); what it heard last (heartbeat, checks, applied revision) is the
 * live state the rollout and the failover commands plan from.
 */
import { WebSocket, type RawData } from 'ws';
import { encodeFrame, type CheckResultMessage, type HeartbeatMessage, type HubMessage } from '@keepwatch/shared';
import type { AgentNode } from '../services/agent-events';

export type SessionNode = AgentNode & { name: string };

export interface Session {
  ws: WebSocket;
  node: SessionNode | null;
  /** An enroll or hello arrived (the handshake timeout then no longer applies). */
  greeted: boolean;
  /** The node name its enroll/hello claimed (its failures are counted under it and the source). */
  claimedNode?: string;
  queue: Promise<void>;
  lastSeenAt: number;
  appliedRevision: number | null;
  appliedAt: number;
  heartbeat: HeartbeatMessage | null;
  /** heartbeatKey(heartbeat): one serialisation per heartbeat, shared by the hub and the live-state writer. */
  heartbeatKey: string | null;
  checks: Map<string, CheckResultMessage>;
  pushedRevision: number | null;
  ackedSeq: number | null;
  /** The optional features the agent's hello announced (e.g. `tls`: it takes certificates in a push). */
  capabilities: readonly string[];
}

/** What the hub knows live about a node; `ageMs` is how old the last word from the agent is. */
export interface NodeLiveState {
  nodeId: string;
  clusterId: string;
  node: string;
  online: boolean;
  lastSeenAt: number;
  ageMs: number;
  appliedRevision: number | null;
  heartbeat: HeartbeatMessage | null;
  checks: Record<string, CheckResultMessage>;
}

export function newSession(ws: WebSocket, now: number): Session {
  return {
    ws,
    node: null,
    greeted: false,
    queue: Promise.resolve(),
    lastSeenAt: now,
    appliedRevision: null,
    appliedAt: 0,
    heartbeat: null,
    heartbeatKey: null,
    checks: new Map(),
    pushedRevision: null,
    ackedSeq: null,
    capabilities: [],
  };
}

/** The session's live state (`ageMs` 0: the caller ages it). */
export function liveStateOf(s: Session, node: SessionNode, online: boolean): NodeLiveState {
  return {
    nodeId: node.id,
    clusterId: node.clusterId,
    node: node.name,
    online,
    lastSeenAt: s.lastSeenAt,
    ageMs: 0,
    appliedRevision: s.appliedRevision,
    heartbeat: s.heartbeat,
    checks: Object.fromEntries(s.checks),
  };
}

export function send(s: Session, m: HubMessage): void {
  if (s.ws.readyState === WebSocket.OPEN) s.ws.send(encodeFrame(m));
}

export function toBytes(data: RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/** The hub's open connections. */
export class Sessions implements Iterable<Session> {
  private readonly all = new Set<Session>();

  [Symbol.iterator](): Iterator<Session> {
    return this.all[Symbol.iterator]();
  }

  add(s: Session): void {
    this.all.add(s);
  }

  delete(s: Session): void {
    this.all.delete(s);
  }

  /** The authenticated sessions of a cluster. */
  ofCluster(clusterId: string): (Session & { node: SessionNode })[] {
    return [...this.all].filter((s): s is Session & { node: SessionNode } => s.node?.clusterId === clusterId);
  }

  /** The clusters with an agent connected. */
  clusters(): string[] {
    return [...new Set([...this.all].flatMap((s) => (s.node ? [s.node.clusterId] : [])))];
  }

  authenticated(): number {
    return [...this.all].filter((s) => s.node).length;
  }

  /** A node has one session: a new hello replaces an older connection (the agent reconnected). */
  replaceOlder(s: Session, nodeId: string): void {
    for (const other of this.all) {
      if (other !== s && other.node?.id === nodeId) other.ws.close(4000, 'replaced by a newer connection');
    }
  }

  /** Sessions silent for more than `limitMs` at `now` (liveness: their agent missed heartbeats). */
  silent(now: number, limitMs: number): Session[] {
    return [...this.all].filter((s) => now - s.lastSeenAt > limitMs);
  }
}
