/**
 * A node's live status as every dashboard instance sees it: read from the database (the hub of
 * whichever instance the agent is connected to writes it), never from one process's memory, so
 * offline detection survives a restart of the dashboard and works across instances.
 *
 * Liveness is one rule (`isOnline`): a node is online while its last frame is younger than
 * `heartbeatIntervalMs × missedHeartbeats`. Every status carries `ageMs` against `now`, so a
 * "master" from a node that stopped reporting is shown stale, never as current.
 *
 * The writing side is the hub's `LiveStateWriter` (hub/live-state-writer.ts).
 */
import { z } from 'zod';
import {
  CheckResultMessageSchema,
  HeartbeatMessageSchema,
  type CheckResultMessage,
  type HeartbeatMessage,
} from '@keepwatch/shared';
import type { Db, Tx } from './types';

/** How often agents send a heartbeat (told in `welcome`). */
export const DEF_HEARTBEAT_INTERVAL_MS = 5000;
/** A node is offline after this many heartbeat intervals without a frame. */
export const DEF_MISSED_HEARTBEATS = 3;
export interface LivenessRule {
  heartbeatIntervalMs: number;
  missedHeartbeats: number;
}

export const DEF_LIVENESS: LivenessRule = {
  heartbeatIntervalMs: DEF_HEARTBEAT_INTERVAL_MS,
  missedHeartbeats: DEF_MISSED_HEARTBEATS,
};

/** After how long without a frame a node counts as offline. */
export function staleAfterMs(rule: LivenessRule): number {
  return rule.heartbeatIntervalMs * rule.missedHeartbeats;
}

/**
 * The liveness rule: online while the last frame (`lastSeenAt`, epoch ms, the dashboard's clock)
 * is at most `staleAfterMs(rule)` old at `now`. Never seen means offline.
 */
export function isOnline(lastSeenAt: number | null, now: number, rule: LivenessRule = DEF_LIVENESS): boolean {
  return lastSeenAt !== null && now - lastSeenAt <= staleAfterMs(rule);
}

export interface NodeStatus {
  nodeId: string;
  clusterId: string;
  node: string;
  maintenance: boolean;
  enrolled: boolean;
  online: boolean;
  /** When the hub last heard from the agent (epoch ms, dashboard clock); null when never. */
  lastSeenAt: number | null;
  /** How old that is at the time of the read; null when never seen. */
  ageMs: number | null;
  /** After this age (ms) the node is offline: lets a client age a status it already holds. */
  staleAfterMs: number;
  agentVersion: string | null;
  agentAddress: string | null;
  /** The revision the agent runs (from its last heartbeat). */
  appliedRevision: number | null;
  /** The last heartbeat stored (VRRP instances with state and priorities, nginx, maintenance). */
  heartbeat: HeartbeatMessage | null;
  /** Last result per health check. */
  checks: Record<string, CheckResultMessage>;
}

const StoredChecksSchema = z.record(z.string(), CheckResultMessageSchema);

const statusSelect = {
  id: true,
  clusterId: true,
  name: true,
  maintenance: true,
  credentialHash: true,
  lastSeenAt: true,
  agentVersion: true,
  agentAddress: true,
  liveState: true,
  checkResults: true,
} as const;

type StatusRow = {
  id: string;
  clusterId: string;
  name: string;
  maintenance: boolean;
  credentialHash: string | null;
  lastSeenAt: Date | null;
  agentVersion: string | null;
  agentAddress: string | null;
  liveState: unknown;
  checkResults: unknown;
};

/** Pure: a stored row → the status at `now`. A stored JSON that no longer parses reads as absent. */
export function toNodeStatus(row: StatusRow, now: number, rule: LivenessRule = DEF_LIVENESS): NodeStatus {
  const lastSeenAt = row.lastSeenAt ? row.lastSeenAt.getTime() : null;
  const hb =
    row.liveState === null || row.liveState === undefined ? null : HeartbeatMessageSchema.safeParse(row.liveState);
  const checks = StoredChecksSchema.safeParse(row.checkResults ?? {});
  const heartbeat = hb?.success ? hb.data : null;
  return {
    nodeId: row.id,
    clusterId: row.clusterId,
    node: row.name,
    maintenance: row.maintenance,
    enrolled: row.credentialHash !== null,
    online: isOnline(lastSeenAt, now, rule),
    lastSeenAt,
    ageMs: lastSeenAt === null ? null : Math.max(0, now - lastSeenAt),
    staleAfterMs: staleAfterMs(rule),
    agentVersion: row.agentVersion,
    agentAddress: row.agentAddress,
    appliedRevision: heartbeat?.appliedRevision ?? null,
    heartbeat,
    checks: checks.success ? checks.data : {},
  };
}

export interface StatusReadOptions {
  now?: number;
  rule?: LivenessRule;
}

/** One node's live status, or null when the node does not exist. */
export async function nodeStatus(
  db: Db | Tx,
  nodeId: string,
  opts: StatusReadOptions = {},
): Promise<NodeStatus | null> {
  const row = await db.node.findUnique({ where: { id: nodeId }, select: statusSelect });
  return row ? toNodeStatus(row, opts.now ?? Date.now(), opts.rule) : null;
}

/** The live status of every node of a cluster, by name. */
export async function clusterNodeStatuses(
  db: Db,
  clusterId: string,
  opts: StatusReadOptions = {},
): Promise<NodeStatus[]> {
  const rows = await db.node.findMany({ where: { clusterId }, orderBy: { name: 'asc' }, select: statusSelect });
  const now = opts.now ?? Date.now();
  return rows.map((r) => toNodeStatus(r, now, opts.rule));
}

/** Every node's live status (the overview), by cluster then name. */
export async function allNodeStatuses(db: Db, opts: StatusReadOptions = {}): Promise<NodeStatus[]> {
  const rows = await db.node.findMany({ orderBy: [{ clusterId: 'asc' }, { name: 'asc' }], select: statusSelect });
  const now = opts.now ?? Date.now();
  return rows.map((r) => toNodeStatus(r, now, opts.rule));
}
