import { describe, expect, it } from 'vitest';
import { encodeAdvert } from '../codec/advert.js';
import type { EncodeContext } from '../codec/types.js';
import { PREVIOUS_ACCEPTED_MS } from '../machine/reconfigure.js';
import { AuthHmacEndpoint } from './receiver.js';
import { clockSequence, defaultTimeWindowS, nextSendSequence, ReplayMarks, type AuthHmacConfig } from './sequence.js';
import { signAdvert, type HmacKey } from './trailer.js';

const K1: HmacKey = { id: 1, key: new Uint8Array(32).fill(1) };
const K2: HmacKey = { id: 2, key: new Uint8Array(32).fill(2) };
const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);
const ctx: EncodeContext = { family: 4, src: '192.0.2.10', dst: '224.0.0.18' };
const message = encodeAdvert(
  { version: 3, vrid: 51, priority: 100, advertIntervalMs: 100, addresses: ['192.0.2.100'] },
  ctx,
);

const cfg = (over: Partial<AuthHmacConfig> = {}): AuthHmacConfig => ({
  keys: [K1],
  activeKey: 1,
  mode: 'enforce',
  antiReplay: 'time',
  timeWindowS: 5,
  ...over,
});

/** An advert signed by a sender with `config` at `atMs`. */
function sent(config: AuthHmacConfig, atMs: number, sender = new AuthHmacEndpoint(config)): Uint8Array {
  const s = sender.signing(atMs);
  return s ? signAdvert(message, ctx, s.key, s.seq) : message;
}

const verify = (rx: AuthHmacEndpoint, payload: Uint8Array, nowMs: number) =>
  rx.verify(payload, payload.length > message.length, 4, ctx.src, nowMs);

describe('auth_hmac receiver', () => {
  describe('modes (keepalived: receive-only, then permissive, then enforce)', () => {
    it.each([
      ['receive-only', false, true],
      ['permissive', true, true],
      ['enforce', true, false],
    ] as const)('%s: signs %s, accepts an unsigned advert %s', (mode, signs, acceptsUnsigned) => {
      const rx = new AuthHmacEndpoint(cfg({ mode }));
      expect(rx.signing(T0) !== null).toBe(signs);
      expect(verify(rx, message, T0)).toMatchObject({ ok: acceptsUnsigned });
    });

    it('an unsigned advert in enforce mode is auth-missing', () => {
      expect(verify(new AuthHmacEndpoint(cfg()), message, T0)).toEqual({ ok: false, reason: 'auth-missing' });
    });

    it('receive-only still refuses a trailer that does not verify', () => {
      const rx = new AuthHmacEndpoint(cfg({ mode: 'receive-only', keys: [K2], activeKey: 2 }));
      expect(verify(rx, sent(cfg(), T0), T0)).toEqual({ ok: false, reason: 'auth-unknown-key' });
    });
  });

  describe('anti-replay', () => {
    it('refuses the same advert twice', () => {
      const rx = new AuthHmacEndpoint(cfg());
      const p = sent(cfg(), T0);
      expect(verify(rx, p, T0)).toMatchObject({ ok: true, keyId: 1 });
      expect(verify(rx, p, T0 + 10)).toEqual({ ok: false, reason: 'auth-replay' });
    });

    it('accepts adverts sent within one clock tick: the counter grows', () => {
      const tx = new AuthHmacEndpoint(cfg());
      const rx = new AuthHmacEndpoint(cfg());
      const a = sent(cfg(), T0, tx);
      const b = sent(cfg(), T0, tx);
      expect([verify(rx, a, T0).ok, verify(rx, b, T0).ok]).toEqual([true, true]);
    });

    it('time mode: a timestamp beyond the window is stale, before any HMAC', () => {
      const rx = new AuthHmacEndpoint(cfg());
      expect(verify(rx, sent(cfg(), T0 - 6000), T0)).toEqual({ ok: false, reason: 'auth-stale' });
      expect(verify(rx, sent(cfg(), T0 + 6000), T0)).toEqual({ ok: false, reason: 'auth-stale' });
      expect(verify(rx, sent(cfg(), T0 - 4000), T0)).toMatchObject({ ok: true, skewS: 4 });
    });

    it('monotonic mode: any timestamp, only strict growth', () => {
      const rx = new AuthHmacEndpoint(cfg({ antiReplay: 'monotonic' }));
      const old = sent(cfg(), T0 - 3_600_000);
      expect(verify(rx, old, T0)).toMatchObject({ ok: true });
      expect(verify(rx, old, T0)).toEqual({ ok: false, reason: 'auth-replay' });
    });

    it('a mark older than the window is forgotten, so a sender whose clock went back recovers', () => {
      const marks = new ReplayMarks();
      const c = cfg();
      expect(marks.accept('a', clockSequence(T0), T0, c)).toBe(true);
      expect(marks.accept('a', clockSequence(T0 + 9000), T0 + 9000, c)).toBe(true);
      expect(marks.accept('a', clockSequence(T0 + 9000 - 3000), T0 + 20_000, c)).toBe(true);
    });

    it('keeps four multicast senders, evicting the least recently used', () => {
      const marks = new ReplayMarks();
      const c = cfg();
      const seq = clockSequence(T0);
      for (const s of ['a', 'b', 'c', 'd', 'e']) expect(marks.accept(s, seq, T0, c)).toBe(true);
      expect(marks.accept('a', seq, T0, c)).toBe(true); // evicted: accepted again
      expect(marks.accept('e', seq, T0, c)).toBe(false);
    });
  });

  describe('send sequence', () => {
    it('follows the clock and grows by one while the clock stands still', () => {
      const s1 = nextSendSequence(null, T0, cfg());
      expect(nextSendSequence(s1, T0, cfg())).toBe(s1 + 1n);
      expect(nextSendSequence(s1, T0 + 1000, cfg())).toBe(clockSequence(T0 + 1000));
    });

    it('time mode restarts from the clock once it is stepped back more than the window', () => {
      const s1 = nextSendSequence(null, T0, cfg());
      expect(nextSendSequence(s1, T0 - 3000, cfg())).toBe(s1 + 1n);
      expect(nextSendSequence(s1, T0 - 10_000, cfg())).toBe(clockSequence(T0 - 10_000));
      expect(nextSendSequence(s1, T0 - 10_000, cfg({ antiReplay: 'monotonic' }))).toBe(s1 + 1n);
    });

    it.each([
      [100, 5],
      [1000, 5],
      [3000, 9],
      [200_000, 300],
    ])("keepalived's default window for an advert interval of %i ms is %i s", (ms, s) => {
      expect(defaultTimeWindowS(ms)).toBe(s);
    });
  });

  describe('staging a change across the cluster', () => {
    const before = cfg();
    const after = cfg({ keys: [K2], activeKey: 2 });

    it('after a rotation a backup still accepts the master that has not applied it', () => {
      const rx = new AuthHmacEndpoint(before);
      rx.reconfigure(after, T0);
      expect(verify(rx, sent(before, T0 + 100), T0 + 100)).toMatchObject({ ok: true, keyId: 1 });
    });

    it('the previous key is refused once the master is heard with the new active key', () => {
      const rx = new AuthHmacEndpoint(before);
      rx.reconfigure(after, T0);
      expect(verify(rx, sent(after, T0 + 100), T0 + 100)).toMatchObject({ ok: true, keyId: 2 });
      expect(verify(rx, sent(before, T0 + 200), T0 + 200)).toEqual({ ok: false, reason: 'auth-unknown-key' });
    });

    it('the previous key is refused after PREVIOUS_ACCEPTED_MS', () => {
      const rx = new AuthHmacEndpoint(before);
      rx.reconfigure(after, T0);
      const late = T0 + PREVIOUS_ACCEPTED_MS;
      expect(verify(rx, sent(before, late), late)).toEqual({ ok: false, reason: 'auth-unknown-key' });
    });

    it('turning auth_hmac on keeps unsigned adverts accepted until the master signs', () => {
      const rx = new AuthHmacEndpoint(null);
      rx.reconfigure(cfg(), T0);
      expect(rx.expectsTrailer).toBe(true);
      expect(verify(rx, message, T0 + 100)).toMatchObject({ ok: true, keyId: null });
      expect(verify(rx, sent(cfg(), T0 + 200), T0 + 200)).toMatchObject({ ok: true, keyId: 1 });
    });

    it('turning auth_hmac off keeps signed adverts accepted for the rollout', () => {
      const rx = new AuthHmacEndpoint(cfg());
      rx.reconfigure(null, T0);
      expect(rx.expectsTrailer).toBe(true);
      expect(verify(rx, sent(cfg(), T0 + 100), T0 + 100)).toMatchObject({ ok: true });
      expect(verify(rx, message, T0 + 200)).toMatchObject({ ok: true });
    });
  });
});
