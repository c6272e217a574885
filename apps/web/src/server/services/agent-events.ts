/**
 * What the agent hub stores from an agent's events (issue 6 item 5 builds on these): apply
 * results into the node's deployment of that revision, VRRP transitions into the history with the
 * agent's own timestamp. Both are idempotent, because an agent replays its buffered events after
 * a reconnect and the hub may have stored some of them already.
 */
import type { ApplyResultMessage, StateTransitionMessage } from '@keepwatch/shared';
import { AppError } from '../errors';
import type { Db, Tx } from './types';

export interface AgentNode {
  id: string;
  clusterId: string;
}

/** Marks the node's deployment of `msg.revision` applied or failed (with nginx's output). */
export async function recordApplyResult(tx: Tx | Db, node: AgentNode, msg: ApplyResultMessage): Promise<void> {
  const revision = await tx.configRevision.findUnique({
    where: { clusterId_number: { clusterId: node.clusterId, number: msg.revision } },
    select: { id: true },
  });
  if (!revision)
    throw new AppError('NOT_FOUND', {
      field: 'revision',
      message: `revision ${msg.revision} does not exist for this node's cluster`,
    });
  const data =
    msg.outcome === 'applied'
      ? { status: 'applied' as const, stage: null, message: null, nginxOutput: null, finishedAt: new Date(msg.at) }
      : {
          status: 'failed' as const,
          stage: msg.stage,
          message: msg.message,
          nginxOutput: msg.nginxOutput,
          finishedAt: new Date(msg.at),
        };
  await tx.deployment.upsert({
    where: { revisionId_nodeId: { revisionId: revision.id, nodeId: node.id } },
    create: { revisionId: revision.id, nodeId: node.id, ...data },
    update: data,
  });
}

/** Stores a transition once (a replayed `seq` is ignored). Returns whether it was new. */
export async function recordTransition(tx: Tx, node: AgentNode, msg: StateTransitionMessage): Promise<boolean> {
  const r = await tx.stateTransition.createMany({
    data: [
      {
        clusterId: node.clusterId,
        nodeId: node.id,
        instance: msg.instance,
        vrid: msg.vrid,
        fromState: msg.from,
        toState: msg.to,
        reason: msg.reason,
        priority: msg.priority,
        seq: BigInt(msg.seq),
        at: new Date(msg.at),
      },
    ],
    skipDuplicates: true,
  });
  return r.count === 1;
}

/**
 * `recordApplyResult` on its own: its one write (the upsert) needs no transaction around it, and
 * BEGIN and COMMIT were two of its four statements (issue 16: two apply results per pool edit).
 */
export function storeApplyResult(db: Db, node: AgentNode, msg: ApplyResultMessage): Promise<void> {
  return recordApplyResult(db, node, msg);
}

/** `recordTransition` in its own transaction; true when the transition was not stored before. */
export function storeTransition(db: Db, node: AgentNode, msg: StateTransitionMessage): Promise<boolean> {
  return db.$transaction((tx) => recordTransition(tx, node, msg));
}
