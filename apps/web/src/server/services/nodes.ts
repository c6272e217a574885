/** Load-balancer nodes: config (name, addresses, interfaces) and the one-time enrollment token. */
import { createHash, randomBytes } from 'node:crypto';
import type { Node as SpecNode } from '@keepwatch/shared';
import { AppError, notFound } from '../errors';
import { writeAudit } from './audit';
import { configArea, rowAccess } from './config-area';
import { insertNode } from './rows';
import type { Actor, Tx } from './types';

const rowSelect = { id: true, clusterId: true, name: true, version: true } as const;

/** How long an enrollment token is valid. */
export const ENROLL_TOKEN_TTL_MS = 60 * 60 * 1000;

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export const nodes = configArea<SpecNode, 'node', { maintenance: boolean; enrolled: boolean }>({
  what: 'node',
  targetType: 'node',
  field: 'node',
  specKey: 'nodes',
  ...rowAccess('node'),
  listRows: async (db, clusterId) =>
    (
      await db.node.findMany({
        where: { clusterId },
        orderBy: { name: 'asc' },
        select: { ...rowSelect, maintenance: true, credentialHash: true },
      })
    ).map(({ credentialHash, clusterId: _c, ...r }) => ({ ...r, enrolled: credentialHash !== null })),
  insert: (tx, clusterId, obj) => insertNode(tx, clusterId, obj),
  replace: async (tx, _clusterId, id, obj) =>
    void (await tx.node.update({
      where: { id },
      data: { name: obj.name, addresses: obj.addresses, interfaces: obj.interfaces },
    })),
  beforeDelete: async (tx, id) => {
    const members = await tx.vrrpMember.findMany({
      where: { nodeId: id },
      select: { instance: { select: { name: true } } },
    });
    if (members.length > 0) {
      throw new AppError('CONFLICT', {
        field: 'id',
        message: `the node is a member of VRRP instance ${members.map((m) => `"${m.instance.name}"`).join(', ')}; remove it there first`,
      });
    }
  },
});

/**
 * Issues a one-time enrollment token for the node (replacing any earlier unused one). Only its
 * hash is stored; the agent exchanges the token for its per-node credential at first connect.
 */
export async function issueEnrollToken(
  tx: Tx,
  actor: Actor,
  input: { id: string },
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const node = await tx.node.findUnique({ where: { id: input.id }, select: { id: true, name: true, clusterId: true } });
  if (!node) throw notFound('node');
  const token = `kwe_${randomBytes(24).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + ENROLL_TOKEN_TTL_MS);
  await tx.node.update({
    where: { id: node.id },
    data: { enrollTokenHash: sha256(token), enrollTokenExpires: expiresAt },
  });
  await writeAudit(tx, actor, {
    action: 'node.enroll-token',
    targetType: 'node',
    targetId: node.id,
    after: { node: node.name, expiresAt },
  });
  return { token, expiresAt };
}
