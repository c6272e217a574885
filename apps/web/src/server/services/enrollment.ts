/**
 * How an agent proves who it is (the hub's handshake): `enroll` trades a one-time token for a
 * per-node credential, `hello` presents that credential. Only sha256 hashes are stored. The hub
 * keeps the socket side (refusals, rate limits, frames); the rules and the rows are here.
 */
import { randomBytes } from 'node:crypto';
import { writeAudit } from './audit';
import { sha256 } from './nodes';
import type { Db } from './types';

/** Why an enrollment was refused; the agent is told only that the token is not valid. */
export type EnrollRefusal = 'unknown-token' | 'token-of-another-node' | 'expired-token' | 'raced';

export type EnrollOutcome =
  { ok: true; node: { id: string; name: string }; credential: string } | { ok: false; reason: EnrollRefusal };

export interface EnrollInput {
  node: string;
  token: string;
  agentVersion: string;
  /** The agent's source address, recorded in the audit entry. */
  remote: string;
  /** Dashboard clock, epoch ms: the token must not have expired by then. */
  now: number;
}

/**
 * Swaps a valid enrollment token for a new credential. The guarded update makes the token
 * single-use even when two agents race with it; the credential and its audit record (actor: the
 * agent, from its address) commit together.
 */
export async function enrollAgent(db: Db, input: EnrollInput): Promise<EnrollOutcome> {
  const hash = sha256(input.token);
  const node = await db.node.findUnique({
    where: { enrollTokenHash: hash },
    select: { id: true, name: true, enrollTokenExpires: true },
  });
  if (!node) return { ok: false, reason: 'unknown-token' };
  if (node.name !== input.node) return { ok: false, reason: 'token-of-another-node' };
  if (!node.enrollTokenExpires || node.enrollTokenExpires.getTime() < input.now)
    return { ok: false, reason: 'expired-token' };
  const credential = `kwc_${randomBytes(32).toString('base64url')}`;
  const enrolled = await db.$transaction(async (tx) => {
    const r = await tx.node.updateMany({
      where: { id: node.id, enrollTokenHash: hash },
      data: { credentialHash: sha256(credential), enrollTokenHash: null, enrollTokenExpires: null },
    });
    if (r.count !== 1) return false;
    await writeAudit(
      tx,
      { kind: 'system', name: `agent:${node.name}`, sourceAddress: input.remote },
      {
        action: 'node.enroll',
        targetType: 'node',
        targetId: node.id,
        after: { node: node.name, agentVersion: input.agentVersion },
      },
    );
    return true;
  });
  return enrolled ? { ok: true, node: { id: node.id, name: node.name }, credential } : { ok: false, reason: 'raced' };
}

/** The node whose credential this is, when its name matches; null otherwise. */
export async function authenticateAgent(
  db: Db,
  name: string,
  credential: string,
): Promise<{ id: string; name: string; clusterId: string } | null> {
  const node = await db.node.findUnique({
    where: { credentialHash: sha256(credential) },
    select: { id: true, name: true, clusterId: true },
  });
  return node && node.name === name ? node : null;
}

/**
 * Stores at once (not at the live-state writer's next batch) that the agent connected, so every
 * dashboard instance shows it online with what it told.
 */
export async function recordAgentConnected(
  db: Db,
  nodeId: string,
  agent: { agentVersion: string; agentAddress: string; at: number },
): Promise<void> {
  await db.node.update({
    where: { id: nodeId },
    data: { agentVersion: agent.agentVersion, agentAddress: agent.agentAddress, lastSeenAt: new Date(agent.at) },
  });
}
