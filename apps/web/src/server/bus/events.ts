/**
 * The events that cross dashboard instances. They are small facts and ids (a PostgreSQL NOTIFY
 * payload must stay under 8000 bytes): a reader that needs the details fetches them from the
 * database. Every event is parsed with `BusEventSchema` on receipt — another instance may run
 * another version.
 */
import { z } from 'zod';
import { VrrpStateSchema } from '@keepwatch/shared';

const id = z.uuid();

export const BusEventSchema = z.discriminatedUnion('type', [
  /** A VRRP transition was stored. */
  z.strictObject({
    type: z.literal('transition'),
    clusterId: id,
    nodeId: id,
    instance: z.string().max(64),
    to: VrrpStateSchema,
  }),
  /** A deployment changed: a new revision (pending for every node) or a node's apply result. */
  z.strictObject({
    type: z.literal('deployment'),
    clusterId: id,
    revision: z.number().int().min(1).nullable(),
    nodeId: id.nullable(),
  }),
  /**
   * Nodes' live state changed (connected, disconnected, heartbeat content, check results, or
   * just heard from — every few seconds) in these clusters. One event covers many clusters, so
   * 1000 agents cost a few NOTIFYs per flush, not one per node (150 ids ≈ 6 KB < 8000 bytes).
   */
  z.strictObject({ type: z.literal('node-live'), clusterIds: z.array(id).min(1).max(150) }),
  /** An audit record was appended (by a mutation, a sign-in, the hub); clusterId when the change is a cluster's. */
  z.strictObject({ type: z.literal('audit'), clusterId: id.nullable() }),
  /**
   * A cluster's desired failover state changed (promote, release, maintenance, or a command's
   * progress): every instance's hub reconciles the agents it holds, and pages refresh.
   */
  z.strictObject({ type: z.literal('failover'), clusterId: id }),
  /** A failover command progressed (an agent answered it, or the promoted node became master): pages refresh. */
  z.strictObject({ type: z.literal('command'), clusterId: id }),
]);
export type BusEvent = z.infer<typeof BusEventSchema>;

/**
 * What a subscriber receives: a bus event, or `resync` when events may have been missed (the
 * listening connection was lost and is back) — a subscriber then refreshes everything.
 */
export type LocalBusEvent = BusEvent | { type: 'resync' };

/** Whether an event concerns cluster `clusterId` (resync and audit records of no cluster concern every one). */
export function concernsCluster(e: LocalBusEvent, clusterId: string): boolean {
  if (e.type === 'resync') return true;
  if (e.type === 'node-live') return e.clusterIds.includes(clusterId);
  return e.clusterId === clusterId || (e.type === 'audit' && e.clusterId === null);
}

/**
 * Publish/subscribe between the parts of one dashboard and across dashboard instances. Delivery
 * is at most once: a subscriber that needs certainty re-reads the database on `resync`.
 */
export interface EventBus {
  /** Sends the event to every subscriber of every instance (this one included). Never throws. */
  publish(event: BusEvent): Promise<void>;
  /** Returns the unsubscribe function. Handlers run synchronously; they must not throw (errors are logged). */
  subscribe(handler: (event: LocalBusEvent) => void): () => void;
  close(): Promise<void>;
}
