/**
 * An apply that overwrote a hand edit of a node's rendered nginx file (issue #17 item 5): the
 * agent's apply-result carries the text it replaced; the hub stores the deployment and one audit
 * record with the diff from the hand-edited file to the revision's rendered config, in one
 * transaction. A replayed apply-result (same node, same seq) writes no second record.
 */
import { renderNginxConfig, type ApplyResultMessage, type ClusterSpec, type HandEditReplaced } from '@keepwatch/shared';
import { recordApplyResult } from '../services/agent-events';
import { writeAudit } from '../services/audit';
import { textDiff } from '../services/text-diff';
import type { Db, Tx } from '../services/types';
import type { SessionNode } from './session';

export const HAND_EDIT_REPLACED_ACTION = 'node.nginx.hand-edit-replaced';

type Applied = Extract<ApplyResultMessage, { outcome: 'applied' }> & { handEditReplaced: HandEditReplaced };

/** True when `m` is an applied apply-result that replaced a hand edit. */
export function replacedHandEdit(m: ApplyResultMessage): m is Applied {
  return m.outcome === 'applied' && m.handEditReplaced !== undefined;
}

async function recordHandEditReplaced(tx: Tx, node: SessionNode, m: Applied): Promise<void> {
  const seen = await tx.auditLog.findFirst({
    where: { action: HAND_EDIT_REPLACED_ACTION, targetId: node.id, after: { path: ['seq'], equals: m.seq } },
    select: { seq: true },
  });
  if (seen) return;
  const rev = await tx.configRevision.findUniqueOrThrow({
    where: { clusterId_number: { clusterId: node.clusterId, number: m.revision } },
    select: { spec: true },
  });
  // The revision's spec passed ClusterSpecSchema when it was made; the agent rendered the same.
  // Should it not render now, the record still says what was replaced (never a replay loop).
  let rendered: string;
  try {
    rendered = renderNginxConfig(rev.spec as ClusterSpec, node.name);
  } catch (err) {
    rendered = `# revision ${m.revision} not rendered by the dashboard: ${(err as Error).message}\n`;
  }
  const { onDiskSha256, text, truncated } = m.handEditReplaced;
  const diff = textDiff(text, `${node.name} (edited by hand)`, rendered, `revision ${m.revision}`);
  await writeAudit(
    tx,
    { kind: 'system', name: `agent:${node.name}`, sourceAddress: null },
    {
      action: HAND_EDIT_REPLACED_ACTION,
      targetType: 'node',
      targetId: node.id,
      before: { node: node.name, onDiskSha256, truncated },
      after: {
        revision: m.revision,
        seq: m.seq,
        appliedAt: new Date(m.at).toISOString(),
        diff: diff.patch,
        added: diff.added,
        removed: diff.removed,
      },
    },
  );
}

/** The deployment of `m.revision` marked applied, and the audit record of the replaced hand edit. */
export function storeHandEditReplaced(db: Db, node: SessionNode, m: Applied): Promise<void> {
  return db.$transaction(async (tx) => {
    await recordApplyResult(tx, node, m);
    await recordHandEditReplaced(tx, node, m);
  });
}
