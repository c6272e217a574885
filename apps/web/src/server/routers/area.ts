/**
 * The list/create/update/delete procedures shared by the config-area routers. Each input carries
 * the object under its area's name (`pool`, `instance`, …), parsed by @keepwatch/shared's schema,
 * so a bad value's error names `pool.servers.0.address`.
 */
import { z } from 'zod';
import { adminProcedure, viewerProcedure } from '../trpc';
import type { configArea } from '../services/config-area';
import { IdSchema, VersionSchema, adminMutation, inTransaction } from './util';

export function areaProcedures<K extends string, S extends z.ZodType<{ name: string }>, X extends object = object>(
  field: K,
  schema: S,
  area: ReturnType<typeof configArea<z.output<S>, K, X>>,
) {
  const withObj = <B extends z.ZodRawShape>(b: B) => z.strictObject({ ...b, [field]: schema } as B & Record<K, S>);
  type Obj = z.output<S>;
  const pick = (input: unknown) => (input as Record<K, Obj>)[field];
  const ids = (input: unknown) => input as { clusterId: string; id: string; version: number };
  return {
    list: viewerProcedure
      .input(z.strictObject({ clusterId: IdSchema }))
      .query(({ ctx, input }) => area.list(ctx.db, input.clusterId)),
    create: adminProcedure
      .input(withObj({ clusterId: IdSchema }))
      .mutation(({ ctx, input }) =>
        inTransaction(ctx.db, (tx) =>
          area.create(tx, ctx.actor, { clusterId: ids(input).clusterId, obj: pick(input) }),
        ),
      ),
    update: adminProcedure
      .input(withObj({ id: IdSchema, version: VersionSchema }))
      .mutation(({ ctx, input }) =>
        inTransaction(ctx.db, (tx) =>
          area.update(tx, ctx.actor, { id: ids(input).id, version: ids(input).version, obj: pick(input) }),
        ),
      ),
    delete: adminMutation(z.strictObject({ id: IdSchema, version: VersionSchema }), area.delete),
  };
}
