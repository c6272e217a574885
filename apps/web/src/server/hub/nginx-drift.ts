/**
 * An apply that overwrote a hand edit of a node's rendered nginx file (issue #17 item 5): the
 * agent's apply-result carries the text it replaced; the hub stores the deployment and one audit
 * record in one transaction, with two diffs: the hand edit itself (from the revision the agent had
 * written to the file it found) and what the apply did (from that file to the revision's config).
 * A replayed apply-result (same node, same seq) writes no second record.
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

/**
 * A revision's nginx config for the node, as its agent rendered it. The spec passed
 * ClusterSpecSchema when it was made; should it not render now, the record still says what was
 * replaced (never an event that cannot be stored, replayed for ever).
 */
function rendered(rev: { number: number; spec: unknown }, node: string): string {
  try {
    return renderNginxConfig(rev.spec as ClusterSpec, node);
  } catch (err) {
    return `# revision ${rev.number} not rendered by the dashboard: ${(err as Error).message}\n`;
  }
}

/**
 * The revision whose config the agent had written before this apply: its newest applied one up to
 * `m.revision` — that one itself when it was applied already (a restart put the file back), the one
 * before it otherwise. Read before the apply-result is stored.
 */
function writtenRevision(tx: Tx, node: SessionNode, m: Applied) {
  return tx.deployment.findFirst({
    where: { nodeId: node.id, status: 'applied', revision: { number: { lte: m.revision } } },
    orderBy: { revision: { number: 'desc' } },
    select: { revision: { select: { number: true, spec: true } } },
  });
}

async function recordHandEditReplaced(
  tx: Tx,
  node: SessionNode,
  m: Applied,
  earlier: Awaited<ReturnType<typeof writtenRevision>>,
): Promise<void> {
  const seen = await tx.auditLog.findFirst({
    where: { action: HAND_EDIT_REPLACED_ACTION, targetId: node.id, after: { path: ['seq'], equals: m.seq } },
    select: { seq: true },
  });
  if (seen) return;
  const rev = await tx.configRevision.findUniqueOrThrow({
    where: { clusterId_number: { clusterId: node.clusterId, number: m.revision } },
    select: { spec: true },
  });
  const { onDiskSha256, text, truncated } = m.handEditReplaced;
  const byHand = `${node.name} (edited by hand)`;
  const handEdit = earlier
    ? textDiff(rendered(earlier.revision, node.name), `revision ${earlier.revision.number}`, text, byHand)
    : null;
  const diff = textDiff(
    text,
    byHand,
    rendered({ number: m.revision, spec: rev.spec }, node.name),
    `revision ${m.revision}`,
  );
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
        // The hand edit itself (from what the agent had written), then what the apply changed.
        handEditDiff: handEdit?.patch ?? null,
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
    const earlier = await writtenRevision(tx, node, m);
    await recordApplyResult(tx, node, m);
    await recordHandEditReplaced(tx, node, m, earlier);
  });
}
