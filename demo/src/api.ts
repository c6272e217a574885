/**
 * The dashboard's tRPC API over plain HTTP, as the browser uses it (superjson envelope, session
 * cookie, same-origin header). The demo sets its cluster up through the API, like a user would.
 */
export class DashboardApi {
  private cookie = '';

  constructor(readonly base: string) {}

  async login(username: string, password: string): Promise<void> {
    const res = await fetch(`${this.base}/api/trpc/session.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: this.base },
      body: JSON.stringify({ json: { username, password } }),
    });
    if (!res.ok) throw new Error(`sign-in as ${username} failed: HTTP ${res.status} ${await res.text()}`);
    this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  }

  query<T>(path: string, input: unknown): Promise<T> {
    return this.call<T>(path, input, false);
  }

  mutate<T>(path: string, input: unknown): Promise<T> {
    return this.call<T>(path, input, true);
  }

  private async call<T>(path: string, input: unknown, mutation: boolean): Promise<T> {
    const res = mutation
      ? await fetch(`${this.base}/api/trpc/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: this.base, cookie: this.cookie },
          body: JSON.stringify({ json: input }),
        })
      : await fetch(`${this.base}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, {
          headers: { cookie: this.cookie },
        });
    const body = (await res.json()) as { result?: { data: { json: T } }; error?: { json?: { message?: string } } };
    if (!body.result) throw new Error(`${path}: ${body.error?.json?.message ?? JSON.stringify(body.error)}`);
    return body.result.data.json;
  }
}
