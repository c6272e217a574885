/**
 * The dashboard's tRPC API over plain HTTP, as the browser uses it: the superjson envelope
 * (`{ json: input }`, no meta needed for plain values), queries as GET with `?input=`, mutations as
 * POST with an `origin` header (the server refuses cross-site mutations), and the session cookie.
 * Kept to fetch on purpose: the tests check the wire, not a client library.
 */

export type Who = { username: string; password: string };

/** What tRPC sends back for a refused call (`data.code` is the tRPC code, e.g. FORBIDDEN; `field` names the input field when the server says which). */
export type TrpcError = { message: string; code: string; data?: { code?: string; field?: string | null } };

/** The data, or the tRPC error (never both). */
export type Reply<T> = { ok: true; data: T; error?: undefined } | { ok: false; data?: undefined; error: TrpcError };

export type CallOptions = { mutation?: boolean; /** Another session's cookie than the client's. */ cookie?: string };

export type TrpcHttp = {
  /** The answer as it came: data or the tRPC error. */
  call<T>(path: string, input: unknown, opts?: CallOptions): Promise<Reply<T>>;
  /** A query's data; a refusal throws, naming the path and the error. */
  query<T>(path: string, input?: unknown): Promise<T>;
  /** A mutation's data; a refusal throws, naming the path and the error. */
  mutate<T>(path: string, input?: unknown): Promise<T>;
};

/** POSTs session.login: the status and the session cookie (empty when refused), for tests that check a refusal. */
export async function loginAttempt(
  base: string,
  who: Who,
): Promise<{ status: number; cookie: string; body: () => Promise<string> }> {
  const res = await fetch(`${base}/api/trpc/session.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ json: who }),
  });
  return {
    status: res.status,
    cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
    body: () => res.text(),
  };
}

/** Signs in over the API; the session cookie (`name=value`). A refused login throws with the server's answer. */
export async function apiLogin(base: string, who: Who): Promise<string> {
  const r = await loginAttempt(base, who);
  if (!r.cookie) throw new Error(`login failed: ${r.status} ${await r.body()}`);
  return r.cookie;
}

/** A client for `base` with a session cookie (or a function giving the current one, for sessions renewed mid-test). */
export function trpcHttp(base: string, cookie: string | (() => string)): TrpcHttp {
  const session = typeof cookie === 'function' ? cookie : () => cookie;
  const call = async <T>(path: string, input: unknown, opts: CallOptions = {}): Promise<Reply<T>> => {
    const headers = { cookie: opts.cookie ?? session() };
    const res = opts.mutation
      ? await fetch(`${base}/api/trpc/${path}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', origin: base },
          body: JSON.stringify({ json: input }),
        })
      : await fetch(`${base}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, {
          headers,
        });
    const body = (await res.json()) as { result?: { data: { json: T } }; error?: { json?: TrpcError } };
    return body.result
      ? { ok: true, data: body.result.data.json }
      : { ok: false, error: body.error?.json ?? { message: JSON.stringify(body), code: 'unknown' } };
  };
  const data = async <T>(path: string, input: unknown, mutation: boolean): Promise<T> => {
    const r = await call<T>(path, input, { mutation });
    if (!r.ok) throw new Error(`${path}: ${JSON.stringify(r.error)}`);
    return r.data;
  };
  return {
    call,
    query: <T>(path: string, input?: unknown) => data<T>(path, input, false),
    mutate: <T>(path: string, input?: unknown) => data<T>(path, input, true),
  };
}
