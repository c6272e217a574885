import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import superjson from 'superjson';
import type { ControlPlane } from '../control-plane';
import {
  ADMIN_PASSWORD,
  controlPlaneEnv,
  serveControlPlane,
  type ControlPlaneServer,
} from '../testing/control-plane-server';
import { referenceSpec } from '../../../test/fixtures';

/** One Server-Sent Events stream read with fetch: named events and superjson-decoded data. */
class SseStream {
  readonly events: { event: string; data: unknown }[] = [];
  private constructor(
    readonly status: number,
    private readonly ac: AbortController,
  ) {}
  static async open(url: string, headers: Record<string, string>): Promise<SseStream> {
    const ac = new AbortController();
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
    const s = new SseStream(res.status, ac);
    if (res.ok && res.body) void s.read(res.body);
    else await res.body?.cancel();
    return s;
  }
  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const dec = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of body) {
        buf += dec.decode(chunk, { stream: true });
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trim());
          }
          const text = data.join('\n');
          this.events.push({ event, data: text ? superjson.deserialize(JSON.parse(text) as never) : null });
        }
      }
    } catch {
      // aborted
    }
  }
  /** The `message` events' payloads (the procedure's yields). */
  get data(): unknown[] {
    return this.events.filter((e) => e.event === 'message').map((e) => e.data);
  }
  close(): void {
    this.ac.abort();
  }
}

describe('live subscriptions over SSE (two control planes on one PostgreSQL)', () => {
  const cps: ControlPlane[] = [];
  const servers: ControlPlaneServer[] = [];
  const bases: string[] = [];
  let drop: (() => Promise<void>) | undefined;
  let cookie: string;

  beforeAll(async () => {
    const db = await controlPlaneEnv();
    drop = db.drop;
    for (let i = 0; i < 2; i++) {
      const server = await serveControlPlane(db.env);
      cps.push(server.cp);
      servers.push(server);
      bases.push(server.base);
    }
    const res = await fetch(`${bases[0]}/api/trpc/session.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { username: 'admin', password: ADMIN_PASSWORD } }),
    });
    cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).toMatch(/^kw_session=/);
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await drop?.();
  });

  const mutate = (base: string, path: string, input: unknown) =>
    fetch(`${base}/api/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify(superjson.serialize(input)),
    }).then(async (r) => {
      expect(r.status, await r.clone().text()).toBe(200);
      return ((await r.json()) as { result: { data: { json: unknown } } }).result.data.json;
    });
  const subscribe = (base: string, path: string, input?: unknown) =>
    SseStream.open(
      `${base}/api/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`}`,
      { cookie },
    );

  it('refuses an anonymous subscription (UNAUTHORIZED in the stream) and serves a signed-in one as an event stream', async () => {
    // SSE answers 200 at once; tRPC sends a refusal as a `serialized-error` event and ends.
    const anon = await SseStream.open(`${bases[1]}/api/trpc/live.overview`, {});
    await expect
      .poll(() => anon.events.find((e) => e.event === 'serialized-error')?.data)
      .toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    expect(anon.data).toEqual([]);
    anon.close();
    const s = await subscribe(bases[1]!, 'live.overview');
    expect(s.status).toBe(200);
    await expect.poll(() => s.events.some((e) => e.event === 'connected')).toBe(true);
    s.close();
  });

  it('a mutation on one instance reaches a subscriber on the other (audit event), and failover intent crosses as a failover event', async () => {
    const overview = await subscribe(bases[1]!, 'live.overview');
    await expect.poll(() => overview.events.some((e) => e.event === 'connected')).toBe(true);
    const created = (await mutate(bases[0]!, 'clusters.import', { spec: referenceSpec('live-a') })) as { id: string };
    await expect.poll(() => overview.data, { timeout: 5000 }).toContainEqual({ type: 'audit', clusterId: null });
    const cluster = await subscribe(bases[1]!, 'live.cluster', { clusterId: created.id });
    await expect.poll(() => cluster.events.some((e) => e.event === 'connected')).toBe(true);
    await mutate(bases[0]!, 'failover.maintenance', {
      nodeId: (await cps[0]!.db.prisma.node.findFirstOrThrow({ where: { clusterId: created.id } })).id,
      enabled: true,
    });
    // The failover intent goes through the bus (every instance's hub reconciles) and is audited.
    await expect
      .poll(() => cluster.data, { timeout: 5000 })
      .toContainEqual({ type: 'failover', clusterId: created.id });
    overview.close();
    cluster.close();
  });

  it('counts open subscriptions in the metrics and forgets closed ones', async () => {
    const gauge = async () => (await cps[1]!.metrics.subscriptions.get()).values[0]?.value ?? 0;
    await expect.poll(gauge, { timeout: 5000 }).toBe(0);
    const s = await subscribe(bases[1]!, 'live.audit');
    await expect.poll(gauge, { timeout: 5000 }).toBe(1);
    s.close();
    await expect.poll(gauge, { timeout: 5000 }).toBe(0);
  });
});
