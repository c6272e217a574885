import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { NewPasswordSchema } from '../auth/password';
import { createUser, listUsers, setPassword, updateUser, UsernameSchema } from '../services/users';
import { ROLES } from '../services/types';
import { adminProcedure } from '../trpc';
import { IdSchema, VersionSchema, adminMutation } from './util';

export const usersRouter = {
  list: adminProcedure.query(({ ctx }) => listUsers(ctx.db)),
  create: adminMutation(
    z.strictObject({ username: UsernameSchema, password: NewPasswordSchema, role: z.enum(ROLES) }),
    createUser,
  ),
  update: adminMutation(
    z.strictObject({
      id: IdSchema,
      version: VersionSchema,
      role: z.enum(ROLES).optional(),
      disabled: z.boolean().optional(),
    }),
    updateUser,
  ),
  setPassword: adminMutation(
    z.strictObject({ id: IdSchema, version: VersionSchema, password: NewPasswordSchema }),
    setPassword,
  ),
} satisfies TRPCRouterRecord;
