// One instance's auth_hmac on receive and send: which adverts it accepts, how it signs, and the
// staging that lets a revision reach the nodes one after the other (backups first, the master
// last) without a failover: after a change the previous settings stay accepted until the master
// is heard with the new active key, or for PREVIOUS_ACCEPTED_MS at most — the rule the machine
// applies to v2 passwords (machine/reconfigure.ts). Pure apart from its own state; the clock is
// passed in.
import { PREVIOUS_ACCEPTED_MS } from '../machine/reconfigure.js';
import { freshness, nextSendSequence, ReplayMarks, type AuthFailure, type AuthHmacConfig } from './sequence.js';
import { AUTH_TRAILER_LEN } from '../codec/constants.js';
import { AUTH_HMAC_TYPE_SHA256, parseTrailer, verifyTrailer, type HmacKey } from './trailer.js';

/** What the receiver decided about one advert. */
export type AuthVerdict = { ok: true; keyId: number | null; skewS: number } | { ok: false; reason: AuthFailure };

type Accepting = { config: AuthHmacConfig | null; keys: ReadonlyMap<number, Uint8Array> };

const keyMap = (c: AuthHmacConfig | null) => new Map((c?.keys ?? []).map((k) => [k.id, k.key] as const));

export class AuthHmacEndpoint {
  private current: Accepting;
  private previous: (Accepting & { until: number }) | null = null;
  private readonly marks: ReplayMarks;
  private lastSent: bigint | null = null;

  constructor(
    config: AuthHmacConfig | null,
    /** Unicast peers this instance has (they anchor the replay marks); 0 = multicast. */
    peers = 0,
  ) {
    this.current = { config, keys: keyMap(config) };
    this.marks = new ReplayMarks(Math.max(peers, 4));
  }

  get config(): AuthHmacConfig | null {
    return this.current.config;
  }

  /** Whether a packet may carry a trailer (now, or under the settings still accepted). */
  get expectsTrailer(): boolean {
    return this.current.config !== null || this.previous?.config != null;
  }

  /** A new revision: the settings it replaces stay accepted for the rollout. */
  reconfigure(config: AuthHmacConfig | null, nowMs: number): void {
    if (JSON.stringify(config) === JSON.stringify(this.current.config)) return;
    this.previous = { ...this.current, until: nowMs + PREVIOUS_ACCEPTED_MS };
    this.current = { config, keys: keyMap(config) };
  }

  /** The key to sign with now, and the sequence; null when this instance sends unsigned. */
  signing(nowMs: number): { key: HmacKey; seq: bigint } | null {
    const c = this.current.config;
    if (!c || c.mode === 'receive-only') return null;
    const key = c.keys.find((k) => k.id === c.activeKey);
    if (!key) return null;
    this.lastSent = nextSendSequence(this.lastSent, nowMs, c);
    return { key, seq: this.lastSent };
  }

  /** Verifies one advert's payload (message + trailer when `signed`) from `src`. */
  verify(payload: Uint8Array, signed: boolean, family: 4 | 6, src: string, nowMs: number): AuthVerdict {
    if (this.previous && nowMs >= this.previous.until) this.previous = null;
    const first = this.check(this.current, payload, signed, family, src, nowMs);
    if (first.ok || !this.previous) {
      if (first.ok && first.keyId !== null && this.heardNewActiveKey(first.keyId)) this.previous = null;
      return first;
    }
    const second = this.check(this.previous, payload, signed, family, src, nowMs);
    return second.ok ? second : first;
  }

  private heardNewActiveKey(keyId: number): boolean {
    const now = this.current.config;
    return now !== null && keyId === now.activeKey && this.previous?.config?.activeKey !== now.activeKey;
  }

  private check(
    a: Accepting,
    payload: Uint8Array,
    signed: boolean,
    family: 4 | 6,
    src: string,
    nowMs: number,
  ): AuthVerdict {
    const c = a.config;
    if (!c) return signed ? { ok: false, reason: 'auth-malformed' } : { ok: true, keyId: null, skewS: 0 };
    if (!signed)
      return c.mode === 'enforce' ? { ok: false, reason: 'auth-missing' } : { ok: true, keyId: null, skewS: 0 };
    // keepalived's order: the cheap checks first, so old captures and junk cost no digest.
    const trailer = parseTrailer(payload.subarray(payload.length - AUTH_TRAILER_LEN));
    if (trailer.type !== AUTH_HMAC_TYPE_SHA256 || trailer.reserved !== 0)
      return { ok: false, reason: 'auth-malformed' };
    const skew = freshness(trailer, nowMs, c);
    if (skew === null) return { ok: false, reason: 'auth-stale' };
    const v = verifyTrailer(payload, family, src, a.keys);
    if (!v.ok) return { ok: false, reason: v.reason };
    if (!this.marks.accept(src, v.trailer.seq, nowMs, c)) return { ok: false, reason: 'auth-replay' };
    return { ok: true, keyId: v.trailer.keyId, skewS: skew };
  }
}
