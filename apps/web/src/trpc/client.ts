/**
 * The browser's tRPC client. It is the vanilla `@trpc/client` driven by TanStack Query (pages
 * call `api.<router>.<procedure>.query()` in their `queryFn`; the QueryClient is in
 * `provider.tsx`): the `@trpc/tanstack-react-query` integration pins its peer `@trpc/server` to an
 * older exact version than the server runs, so we wire the two ourselves; the types still come
 * from the server's router, imported as a type only (nothing of the server is bundled).
 *
 * Same-origin fetches: mutations are JSON POSTs carrying the browser's own Origin, which is what
 * the server's CSRF check (server/auth/csrf.ts) accepts; the session cookie rides along.
 */
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import superjson from 'superjson';
import type { AppRouter } from '~/server/root';

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export const api = createTRPCClient<AppRouter>({
  links: [
    // Subscriptions (routers/live.ts) are Server-Sent Events: a GET the browser's EventSource
    // keeps open and reconnects by itself; the session cookie rides along (same origin).
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url: '/api/trpc', transformer: superjson }),
      false: httpBatchLink({
        url: '/api/trpc',
        transformer: superjson,
        fetch: (url, init) => fetch(url, { ...init, credentials: 'same-origin' }),
      }),
    }),
  ],
});

/** What a form needs from a refused call: the code, the message, and messages by field path. */
export interface ApiProblem {
  code: string;
  message: string;
  /** `pool.servers.0.address` → message. */
  fields: Record<string, string>;
}

export function apiProblem(e: unknown): ApiProblem {
  if (e instanceof TRPCClientError) {
    const data = (e.data ?? {}) as {
      code?: string;
      field?: string | null;
      issues?: { path: string; message: string }[] | null;
    };
    const fields: Record<string, string> = {};
    for (const i of data.issues ?? []) fields[i.path] ??= i.message;
    // AppError messages start with the field path ("pool.servers.0.address: …"); show the rest.
    if (data.field && !fields[data.field])
      fields[data.field] = e.message.startsWith(`${data.field}: `) ? e.message.slice(data.field.length + 2) : e.message;
    return { code: data.code ?? 'INTERNAL_SERVER_ERROR', message: e.message, fields };
  }
  return { code: 'NETWORK', message: e instanceof Error ? e.message : String(e), fields: {} };
}
