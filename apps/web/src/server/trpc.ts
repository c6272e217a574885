/**
 * tRPC setup: one error mapping (AppError and zod issues → tRPC codes, messages that name the
 * field), and the procedure builders by role (STYLE §E24). Every procedure is built on one of
 * them; `publicProcedure` is for signing in and asking who is signed in, nothing else.
 */
import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import superjson from 'superjson';
import { formatZodIssues } from '@keepwatch/shared';
import type { Context } from './context';
import { AppError, type AppErrorCode } from './errors';
import { roleAtLeast, type Actor, type Role } from './services/types';

const CODE: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

interface ZodLikeError {
  issues: { path: PropertyKey[]; message: string; code: string }[];
}
function isZodError(e: unknown): e is ZodLikeError {
  return typeof e === 'object' && e !== null && Array.isArray((e as ZodLikeError).issues);
}

/**
 * Prisma errors that mean a concurrent change won a race the service's own check could not see:
 * a unique constraint (P2002) or a foreign key (P2003) failed.
 */
const RACE_MESSAGES: Record<string, string> = {
  P2002: 'a conflicting change was made at the same time; reload and try again',
  P2003: 'the object is referenced by another one (or was just removed); reload and try again',
};
function raceMessage(e: unknown): string | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? RACE_MESSAGES[code] : undefined;
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  // Live subscriptions (SSE): a ping keeps idle streams open through proxies, and a client that
  // hears nothing for a while (a dead server or network) reconnects and shows "reconnecting".
  sse: { ping: { enabled: true, intervalMs: 10_000 }, client: { reconnectAfterInactivityMs: 25_000 } },
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const issues = isZodError(cause)
      ? cause.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
      : undefined;
    const field = cause instanceof AppError ? cause.field : issues?.[0]?.path;
    return { ...shape, data: { ...shape.data, field: field ?? null, issues: issues ?? null, stack: undefined } };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps errors once for every procedure, logs unexpected ones, and gives the logger the path. */
const base = t.procedure.use(async ({ ctx, next, path, type, getRawInput }) => {
  const log = ctx.log.child({ path, type });
  const r = await next({ ctx: { log } });
  if (r.ok) {
    // Every mutation writes an audit record: tell the live subscribers of every instance (after
    // the commit, which `next` has awaited). The cluster is named when the input names it.
    if (type === 'mutation' && ctx.bus)
      void ctx.bus.publish({ type: 'audit', clusterId: clusterIdOf(await getRawInput().catch(() => null)) });
    // A config mutation answers with the revision it created (null when the cluster has no nodes).
    if (type === 'mutation' && typeof (r.data as { revision?: unknown } | null)?.revision === 'number')
      ctx.metrics.revisionsCreated.inc();
    return r;
  }
  const e = r.error;
  const cause = e.cause;
  let mapped: TRPCError | null = null;
  if (cause instanceof AppError) mapped = new TRPCError({ code: CODE[cause.code], message: cause.message, cause });
  else if (e.code === 'BAD_REQUEST' && isZodError(cause))
    mapped = new TRPCError({
      code: 'BAD_REQUEST',
      message: formatZodIssues(cause.issues as never).join('\n'),
      cause: cause as never,
    });
  else if (raceMessage(cause))
    mapped = new TRPCError({ code: 'CONFLICT', message: raceMessage(cause) as string, cause });
  const final = mapped ?? e;
  ctx.metrics.procedureErrors.inc({ code: final.code });
  if (final.code === 'INTERNAL_SERVER_ERROR') log.error({ err: cause ?? e }, 'procedure failed');
  else log.info({ code: final.code, msg: final.message }, 'procedure refused');
  if (mapped) throw mapped;
  return r;
});

/** `input.clusterId` when it is a UUID, else null (the event then concerns every cluster). */
function clusterIdOf(input: unknown): string | null {
  const id = typeof input === 'object' && input !== null ? (input as { clusterId?: unknown }).clusterId : undefined;
  return typeof id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
    ? id
    : null;
}

export const publicProcedure = base;

function requireRole(role: Role) {
  return base.use(({ ctx, next }) => {
    // Anonymous: UNAUTHORIZED (sign in); signed in without the role: FORBIDDEN.
    if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
    if (!roleAtLeast(ctx.user.role, role))
      throw new TRPCError({ code: 'FORBIDDEN', message: `needs the ${role} role (you are ${ctx.user.role})` });
    const actor: Actor = {
      kind: 'user',
      id: ctx.user.id,
      username: ctx.user.username,
      role: ctx.user.role,
      sourceAddress: ctx.sourceAddress,
    };
    return next({ ctx: { user: ctx.user, actor } });
  });
}

/** Reads. */
export const viewerProcedure = requireRole('viewer');
/** Failover and maintenance. */
export const operatorProcedure = requireRole('operator');
/** Config and users. */
export const adminProcedure = requireRole('admin');
