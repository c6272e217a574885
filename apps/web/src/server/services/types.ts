import type { Prisma, PrismaClient } from '../db/client';

/** The database handle of a read. */
export type Db = PrismaClient;
/** The transaction a mutation runs in: services take it so the change and its audit share it (STYLE §E26). */
export type Tx = Prisma.TransactionClient;

/** The roles, weakest first. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whoever causes a change: a signed-in user, or the system itself (start-up, CLI, hub). */
export type Actor =
  | { kind: 'user'; id: string; username: string; role: Role; sourceAddress: string | null }
  | { kind: 'system'; name: string; sourceAddress: string | null };

export function actorName(actor: Actor): string {
  return actor.kind === 'user' ? actor.username : `system:${actor.name}`;
}

export function actorId(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.id : null;
}

/** True when `role` includes the rights of `needed` (admin ⊇ operator ⊇ viewer). */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
