/**
 * The bus across dashboard instances on one PostgreSQL: NOTIFY on a channel, LISTEN on a
 * dedicated `pg` client (Prisma has no LISTEN API and a pooled connection would drop it).
 *
 * - Local subscribers get an event at once, not through the database; the wire copy carries this
 *   instance's `origin` and is ignored when it comes back, so every event arrives once.
 * - The listening client reconnects with jittered exponential backoff; after a reconnect the
 *   subscribers get `resync` (NOTIFYs sent while it was away are lost; they must re-read).
 * - NOTIFY payloads must stay under 8000 bytes: events are ids and small facts, and one that is
 *   too big is refused here, loudly, rather than by the server.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { z } from 'zod';
import type { Logger } from '../logger';
import { Subscribers } from './local';
import { BusEventSchema, type BusEvent, type EventBus, type LocalBusEvent } from './events';

export const DEF_BUS_CHANNEL = 'keepwatch_events';
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
export const MAX_NOTIFY_BYTES = 7999;
/**
 * Reconnect delay: min(DEF_BUS_BACKOFF_MAX_MS, DEF_BUS_BACKOFF_MIN_MS × 2^attempt), then scaled
 * by a random factor in [0.5, 1) so instances that lost the server together do not return in
 * step: 250, 500, 1000, 2000, 4000, 8000, 10000, 10000… ms before jitter.
 */
export const DEF_BUS_BACKOFF_MIN_MS = 250;
export const DEF_BUS_BACKOFF_MAX_MS = 10_000;

export function busBackoffMs(
  attempt: number,
  rng: () => number = Math.random,
  minMs = DEF_BUS_BACKOFF_MIN_MS,
  maxMs = DEF_BUS_BACKOFF_MAX_MS,
): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.5 + rng() / 2));
}

const EnvelopeSchema = z.strictObject({ o: z.string().max(64), e: z.unknown() });

export interface PgEventBusOptions {
  url: string;
  log: Logger;
  channel?: string;
  /**
   * Sends a NOTIFY. The control plane passes one through Prisma's pool, so publishing does not
   * depend on the listening connection being up; by default the listening client sends it.
   */
  notify?: (channel: string, payload: string) => Promise<void>;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  rng?: () => number;
}

export class PgEventBus implements EventBus {
  /** This instance's id in every envelope it sends. */
  readonly origin = randomUUID();
  private readonly channel: string;
  private readonly subs: Subscribers;
  private client: pg.Client | null = null;
  private connected = false;
  private attempt = 0;
  private everConnected = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(private readonly opts: PgEventBusOptions) {
    this.channel = opts.channel ?? DEF_BUS_CHANNEL;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.channel))
      throw new Error(`bus channel "${this.channel}" is not a plain identifier`);
    this.subs = new Subscribers(opts.log);
  }

  /** Whether the LISTEN connection is up now. */
  get listening(): boolean {
    return this.connected;
  }

  /** Connects and LISTENs; resolves after the first attempt (a failure is retried in the background). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.opts.url, keepAlive: true });
    this.client = client;
    let lost = false;
    const onLost = (err?: unknown) => {
      if (lost) return;
      lost = true;
      this.connected = false;
      if (this.client === client) this.client = null;
      client.removeAllListeners('notification');
      client.end().catch(() => {});
      if (this.closed) return;
      this.opts.log.warn({ err, attempt: this.attempt }, 'event bus connection lost; reconnecting');
      this.schedule();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (n) => {
      if (n.channel === this.channel && n.payload !== undefined) this.receive(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (err) {
      onLost(err);
      return;
    }
    if (lost) return;
    this.connected = true;
    this.attempt = 0;
    const again = this.everConnected;
    this.everConnected = true;
    this.opts.log.info({ channel: this.channel, reconnect: again }, 'event bus listening');
    // NOTIFYs sent while we were away are gone: tell subscribers to re-read.
    if (again) this.subs.deliver({ type: 'resync' });
  }

  private schedule(): void {
    if (this.closed || this.retryTimer) return;
    const delay = busBackoffMs(this.attempt++, this.opts.rng, this.opts.backoffMinMs, this.opts.backoffMaxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  private receive(payload: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(payload);
    } catch {
      this.opts.log.warn({ bytes: payload.length }, 'bus payload is not JSON; ignored');
      return;
    }
    const env = EnvelopeSchema.safeParse(raw);
    if (!env.success) {
      this.opts.log.warn({ issues: env.error.issues.map((i) => i.path.join('.')) }, 'bus envelope refused');
      return;
    }
    if (env.data.o === this.origin) return; // delivered locally when published
    const e = BusEventSchema.safeParse(env.data.e);
    if (!e.success) {
      this.opts.log.warn(
        { issues: e.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
        'bus event refused',
      );
      return;
    }
    this.subs.deliver(e.data);
  }

  async publish(event: BusEvent): Promise<void> {
    const parsed = BusEventSchema.safeParse(event);
    if (!parsed.success) {
      this.opts.log.error(
        { event: event.type, issues: parsed.error.issues.map((i) => i.path.join('.')) },
        'bus event refused',
      );
      return;
    }
    queueMicrotask(() => this.subs.deliver(parsed.data));
    const payload = JSON.stringify({ o: this.origin, e: parsed.data });
    if (Buffer.byteLength(payload) > MAX_NOTIFY_BYTES) {
      this.opts.log.error(
        { event: event.type, bytes: Buffer.byteLength(payload) },
        'bus event too large for NOTIFY; only local subscribers got it',
      );
      return;
    }
    try {
      if (this.opts.notify) await this.opts.notify(this.channel, payload);
      else if (this.client && this.connected)
        await this.client.query('SELECT pg_notify($1, $2)', [this.channel, payload]);
      else throw new Error('not connected');
    } catch (err) {
      // Other instances miss this one; they resync when their own connection comes back, and
      // their pages still show ages. Publishing must never fail the caller's work.
      this.opts.log.warn({ err, event: event.type }, 'bus event not sent to other instances');
    }
  }

  subscribe(handler: (event: LocalBusEvent) => void): () => void {
    return this.subs.add(handler);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.subs.clear();
    const c = this.client;
    this.client = null;
    this.connected = false;
    if (c) await c.end().catch(() => {});
  }
}
