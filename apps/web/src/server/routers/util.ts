import { z } from 'zod';
import type { Db, Tx } from '../services/types';

export const IdSchema = z.uuid({ message: 'must be an id (UUID)' });
/** The version an edit was based on; a stale one is refused with CONFLICT. */
export const VersionSchema = z.number().int().min(1);
export const LimitSchema = z.number().int().min(1).max(500).default(100);

/** Runs a mutation's service in one transaction (the change and its audit record commit together). */
export function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.$transaction(fn, { maxWait: 10_000, timeout: 30_000 });
}
