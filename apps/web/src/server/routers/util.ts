import { z } from 'zod';
import type { Actor, Db, Tx } from '../services/types';
import { adminProcedure } from '../trpc';

export const IdSchema = z.uuid({ message: 'must be an id (UUID)' });
/** The version an edit was based on; a stale one is refused with CONFLICT. */
export const VersionSchema = z.number().int().min(1);
export const LimitSchema = z.number().int().min(1).max(500).default(100);

/** Runs a mutation's service in one transaction (the change and its audit record commit together). */
export function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.$transaction(fn, { maxWait: 10_000, timeout: 30_000 });
}

/** An admin's mutation: `service(tx, actor, input)` in one transaction (see inTransaction). */
export function adminMutation<S extends z.ZodType, R>(
  schema: S,
  service: (tx: Tx, actor: Actor, input: z.output<S>) => Promise<R>,
) {
  return adminProcedure
    .input(schema)
    .mutation(({ ctx, input }) => inTransaction(ctx.db, (tx) => service(tx, ctx.actor, input as z.output<S>)));
}
