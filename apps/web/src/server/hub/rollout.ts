/**
 * HA-aware rollout (issue 6 item 5), as a pure decision: given the cluster's newest revision and
 * what each connected node runs, which nodes get the revision now.
 *
 * - Nodes that are master of no instance right now (live state from the last heartbeat, not the
 *   configured priority) get it first.
 * - A node that is master of some instance gets it only when every other connected node has
 *   applied it and reports every check healthy after the apply.
 * - A failed apply anywhere halts the rollout for the master: it keeps its old revision.
 * - Nodes that are not connected are not waited for (they get the revision when they connect);
 *   a node whose role is not known yet (no heartbeat since it connected) waits for its first one,
 *   unless it runs nothing at all (no applied revision), where a push cannot disturb anything.
 * - An aborted revision goes to no further node (an admin stopped it): each node keeps what it runs.
 */

export interface RolloutNode {
  nodeId: string;
  /** The revision the agent runs now (hello, apply results, heartbeats). */
  appliedRevision: number | null;
  /** Master of at least one instance now; null while no heartbeat has arrived. */
  master: boolean | null;
  /** Every check's last status is healthy, reported after the node applied `appliedRevision`. */
  healthyAfterApply: boolean;
  /** The revision already sent on this connection (not sent again until it reconnects). */
  pushedRevision: number | null;
  /** The newest revision's deployment on this node failed. */
  failed: boolean;
}

export type RolloutDecision = { push: string[]; halted: boolean; waitingForBackups: string[] };

export function planRollout(
  revision: number,
  nodes: readonly RolloutNode[],
  opts: { aborted?: boolean } = {},
): RolloutDecision {
  if (opts.aborted) return { push: [], halted: true, waitingForBackups: [] };
  const halted = nodes.some((n) => n.failed);
  const needs = (n: RolloutNode) =>
    (n.appliedRevision === null || n.appliedRevision < revision) && n.pushedRevision !== revision && !n.failed;
  const push: string[] = [];
  const waitingForBackups: string[] = [];
  const backupsDone = nodes
    .filter((n) => n.master !== true)
    .every((n) => n.appliedRevision === revision && n.healthyAfterApply);
  for (const n of nodes) {
    if (!needs(n)) continue;
    if (n.appliedRevision === null) push.push(n.nodeId);
    else if (n.master === false) push.push(n.nodeId);
    else if (n.master === true) {
      if (!halted && backupsDone) push.push(n.nodeId);
      else waitingForBackups.push(n.nodeId);
    }
  }
  return { push, halted, waitingForBackups };
}
