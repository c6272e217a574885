import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { NewPasswordSchema } from '../auth/password';
import { createUser, listUsers, setPassword, updateUser, UsernameSchema } from '../services/users';
import { ROLES } from '../services/types';
import { adminProcedure } from '../trpc';
import { IdSchema, VersionSchema, inTransaction } from './util';

export const usersRouter = {
  list: adminProcedure.query(({ ctx }) => listUsers(ctx.db)),
  create: adminProcedure
    .input(z.strictObject({ username: UsernameSchema, password: NewPasswordSchema, role: z.enum(ROLES) }))
    .mutation(({ ctx, input }) => inTransaction(ctx.db, (tx) => createUser(tx, ctx.actor, input))),
  update: adminProcedure
    .input(
      z.strictObject({
        id: IdSchema,
        version: VersionSchema,
        role: z.enum(ROLES).optional(),
        disabled: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input }) => inTransaction(ctx.db, (tx) => updateUser(tx, ctx.actor, input))),
  setPassword: adminProcedure
    .input(z.strictObject({ id: IdSchema, version: VersionSchema, password: NewPasswordSchema }))
    .mutation(({ ctx, input }) => inTransaction(ctx.db, (tx) => setPassword(tx, ctx.actor, input))),
} satisfies TRPCRouterRecord;
