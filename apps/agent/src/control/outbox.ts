import { join } from 'node:path';
import { parseAgentFrame, type AgentMessage } from '@keepwatch/shared';
import type { Logger } from '../log.js';
import { DEF_OUTBOX_FLUSH_MS, DEF_OUTBOX_MAX_EVENTS } from '../config/defaults.js';
import { readOptional, writePrivate } from '../state/files.js';

/** The events that carry a `seq` and wait in the outbox until the hub acks them. */
export type OutboxEvent = Extract<AgentMessage, { seq: number }>;
/** An event before the outbox numbers it. */
export type NewOutboxEvent = OutboxEvent extends infer E ? (E extends unknown ? Omit<E, 'seq'> : never) : never;

type OutboxFile = { nextSeq: number; events: unknown[] };

export interface OutboxOptions {
  /** The state directory; the outbox lives in `outbox.json` there. */
  stateDir: string;
  log: Logger;
  flushDelayMs?: number;
  maxEvents?: number;
}

/**
 * The agent's events (apply results, transitions, check results, command results) between their
 * creation and the hub's `ack`: numbered with an increasing `seq`, kept with their original `at`,
 * replayed after a reconnect, dropped when acked, and written to the state directory (debounced,
 * and at stop) so a restart of the agent loses nothing either.
 */
export class Outbox {
  private events: OutboxEvent[] = [];
  private nextSeq = 1;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** Events dropped because the outbox was full (oldest first). */
  dropped = 0;

  constructor(private readonly opts: OutboxOptions) {}

  private get file(): string {
    return join(this.opts.stateDir, 'outbox.json');
  }

  /** Reads the outbox a previous run left; invalid entries are dropped and logged. */
  load(): void {
    const text = readOptional(this.file);
    if (text === null) return;
    let data: OutboxFile;
    try {
      data = JSON.parse(text) as OutboxFile;
    } catch {
      this.opts.log.warn({ file: this.file }, 'outbox file is not valid JSON; starting empty');
      return;
    }
    if (Number.isSafeInteger(data.nextSeq) && data.nextSeq > 0) this.nextSeq = data.nextSeq;
    for (const e of Array.isArray(data.events) ? data.events : []) {
      const r = parseAgentFrame(JSON.stringify(e));
      if (r.ok && 'seq' in r.message) this.events.push(r.message);
      else this.opts.log.warn({ issues: r.ok ? ['no seq'] : r.issues }, 'outbox entry dropped');
    }
    for (const e of this.events) this.nextSeq = Math.max(this.nextSeq, e.seq + 1);
  }

  /** The highest seq handed out so far, or null. */
  get lastSeq(): number | null {
    return this.nextSeq > 1 ? this.nextSeq - 1 : null;
  }

  /** Numbers an event, keeps it until acked, and returns it ready to send. */
  push(event: NewOutboxEvent): OutboxEvent {
    const e = { ...event, seq: this.nextSeq++ } as OutboxEvent;
    this.events.push(e);
    const max = this.opts.maxEvents ?? DEF_OUTBOX_MAX_EVENTS;
    if (this.events.length > max) {
      const n = this.events.length - max;
      this.events.splice(0, n);
      this.dropped += n;
      this.opts.log.warn({ dropped: n, total: this.dropped }, 'outbox full: oldest events dropped');
    }
    this.scheduleFlush();
    return e;
  }

  /** The hub stored every event up to `seq`. */
  ack(seq: number): void {
    const before = this.events.length;
    this.events = this.events.filter((e) => e.seq > seq);
    if (this.events.length !== before) this.scheduleFlush();
  }

  /** Events not acked yet, oldest first (for replay after a reconnect). */
  pending(): readonly OutboxEvent[] {
    return this.events;
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, this.opts.flushDelayMs ?? DEF_OUTBOX_FLUSH_MS);
    this.flushTimer.unref?.();
  }

  /** Writes the outbox to disk now (at stop). Never throws: a failure is logged. */
  flush(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    try {
      writePrivate(this.file, JSON.stringify({ nextSeq: this.nextSeq, events: this.events } satisfies OutboxFile));
    } catch (err) {
      this.opts.log.warn({ err, file: this.file }, 'outbox not written');
    }
  }
}
