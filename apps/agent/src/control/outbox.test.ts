import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { sampleTransition } from '@keepwatch/shared/testing';
import { Outbox, type NewOutboxEvent } from './outbox.js';

const log = pino({ level: 'silent' });
const transition = (at: number): NewOutboxEvent => sampleTransition({ at });

describe('Outbox', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kw-outbox-'));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('numbers events with increasing seq and keeps their original time', () => {
    const o = new Outbox({ stateDir: dir, log });
    const a = o.push(transition(1000));
    const b = o.push(transition(2000));
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(o.pending().map((e) => e.at)).toEqual([1000, 2000]);
    expect(o.lastSeq).toBe(2);
  });

  it('drops what the hub acked and keeps the rest for replay', () => {
    const o = new Outbox({ stateDir: dir, log });
    for (let i = 0; i < 3; i++) o.push(transition(i));
    o.ack(2);
    expect(o.pending().map((e) => e.seq)).toEqual([3]);
  });

  it('writes to disk (mode 0600) only after the flush delay', async () => {
    const o = new Outbox({ stateDir: dir, log, flushDelayMs: 200 });
    o.push(transition(5));
    const file = join(dir, 'outbox.json');
    await vi.advanceTimersByTimeAsync(199);
    expect(() => statSync(file)).toThrow();
    await vi.advanceTimersByTimeAsync(1);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ nextSeq: 2, events: [{ seq: 1, at: 5 }] });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('a new run replays what the last one left, with the original timestamps, and continues the seq', () => {
    const first = new Outbox({ stateDir: dir, log });
    first.push(transition(111));
    first.push(transition(222));
    first.ack(1);
    first.flush();
    const second = new Outbox({ stateDir: dir, log });
    second.load();
    expect(second.pending()).toEqual([expect.objectContaining({ seq: 2, at: 222 })]);
    expect(second.push(transition(333)).seq).toBe(3);
  });

  it('drops the oldest events beyond its limit and counts them', () => {
    const o = new Outbox({ stateDir: dir, log, maxEvents: 2 });
    for (let i = 0; i < 5; i++) o.push(transition(i));
    expect(o.pending().map((e) => e.seq)).toEqual([4, 5]);
    expect(o.dropped).toBe(3);
  });
});
