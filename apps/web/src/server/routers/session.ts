import type { TRPCRouterRecord } from '@trpc/server';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { clearSessionCookie, sessionCookie } from '../auth/cookies';
import { login, logout, SESSION_TTL_MS } from '../services/auth';
import { publicProcedure, viewerProcedure } from '../trpc';

export const sessionRouter = {
  /** Who is signed in (null when nobody). */
  me: publicProcedure.query(({ ctx }) =>
    ctx.user ? { id: ctx.user.id, username: ctx.user.username, role: ctx.user.role } : null,
  ),
  login: publicProcedure
    .input(z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }))
    .mutation(async ({ ctx, input }) => {
      // Counted before the password is checked, so parallel guesses cannot all pass the limit.
      const slot = ctx.limiter.reserve(input.username, ctx.sourceAddress);
      if ('waitMs' in slot) {
        ctx.metrics.loginFailures.inc({ reason: 'rate-limited' });
        throw new TRPCError({
          code: 'TOO_MANY_REQUESTS',
          message: `too many failed sign-ins; try again in ${Math.ceil(slot.waitMs / 1000)} s`,
        });
      }
      const r = await login(ctx.db, { ...input, sourceAddress: ctx.sourceAddress });
      if (!r.ok) {
        ctx.metrics.loginFailures.inc({ reason: 'bad-credentials' });
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'wrong username or password' });
      }
      ctx.limiter.succeed(input.username, slot.attempt);
      ctx.metrics.logins.inc();
      ctx.setCookie(sessionCookie(r.token, { maxAgeMs: SESSION_TTL_MS, secure: ctx.secureCookies }));
      return { id: r.user.id, username: r.user.username, role: r.user.role, expiresAt: r.expiresAt };
    }),
  logout: viewerProcedure.mutation(async ({ ctx }) => {
    await logout(ctx.db, ctx.actor, ctx.user.sessionId);
    ctx.setCookie(clearSessionCookie(ctx.secureCookies));
    return { ok: true };
  }),
} satisfies TRPCRouterRecord;
