// The auth_hmac sequence and its anti-replay rules, as keepalived 2.4 runs them. The 64-bit
// sequence is a wall-clock reading — seconds since the epoch (32 bits), 1/2^16 s (16 bits) and a
// counter (16 bits) — so a restarted sender keeps growing without stored state as long as its
// clock does. `time` mode also refuses a timestamp more than the window away from the receiver's
// clock (the nodes' clocks must be synchronised: NTP); `monotonic` only needs strict growth.
// Pure: every clock reading (`nowMs`, milliseconds since the epoch) is passed in.
import type { AuthTrailer, HmacKey } from './trailer.js';

/** keepalived `auth_hmac { mode }`: the migration steps a group takes, in order. */
export type AuthHmacMode = 'receive-only' | 'permissive' | 'enforce';

/** keepalived `auth_hmac` of one instance. */
export type AuthHmacConfig = {
  keys: readonly HmacKey[];
  /** keepalived `active_key`: the key that signs. */
  activeKey: number;
  /** receive-only verifies a present trailer and signs nothing; permissive signs and accepts
   *  unsigned adverts; enforce requires a valid trailer. */
  mode: AuthHmacMode;
  antiReplay: 'time' | 'monotonic';
  /** keepalived `time_window`, seconds (time mode). */
  timeWindowS: number;
};

/** keepalived's default window: three advert intervals in whole seconds, 5..300. */
export function defaultTimeWindowS(advertIntervalMs: number): number {
  return Math.min(300, Math.max(5, 3 * Math.floor(advertIntervalMs / 1000)));
}

const MASK64 = (1n << 64n) - 1n;

/** RFC 1982 serial arithmetic over 64 bits: a is after b. */
export function seqAfter(a: bigint, b: bigint): boolean {
  return BigInt.asIntN(64, a - b) > 0n;
}

/** The clock as a sequence: seconds (mod 2^32) high, 1/2^16 s next, the counter zero. */
export function clockSequence(nowMs: number): bigint {
  const secs = BigInt(Math.floor(nowMs / 1000)) & 0xffffffffn;
  const frac = BigInt(Math.floor(((nowMs % 1000) * 65536) / 1000)) & 0xffffn;
  return (secs << 32n) | (frac << 16n);
}

/** Signed difference in seconds between the receiver's clock and a sequence's timestamp. */
function skewSeconds(nowMs: number, seq: bigint): number {
  const now = Math.floor(nowMs / 1000) >>> 0;
  const sent = Number(seq >> 32n) >>> 0;
  return (now - sent) | 0;
}

/**
 * The next sequence to send: the clock, or the last one plus one when the clock has not moved on.
 * In time mode a sequence stranded more than the window ahead of the clock (the clock was stepped
 * back) restarts from the clock, since receivers would refuse it anyway.
 */
export function nextSendSequence(last: bigint | null, nowMs: number, config: AuthHmacConfig): bigint {
  const clock = clockSequence(nowMs);
  if (last === null || seqAfter(clock, last)) return clock;
  const ahead = -skewSeconds(nowMs, last);
  if (config.antiReplay === 'time' && ahead > config.timeWindowS) return clock;
  return (last + 1n) & MASK64;
}

/** Why an advert failed authentication (keepalived's counter names, prefixed). */
export type AuthFailure =
  'auth-missing' | 'auth-malformed' | 'auth-unknown-key' | 'auth-bad-hmac' | 'auth-stale' | 'auth-replay';

/** keepalived keeps a few multicast senders: more than two only contend briefly. */
export const MULTICAST_SENDERS = 4;

type Mark = { seq: bigint; used: number };

/**
 * The replay high-water marks of one instance, one per sender. Unicast instances key them by
 * configured peer (at most `capacity`); multicast ones keep the `MULTICAST_SENDERS` most recently
 * used, as keepalived does. A mark moves only on an advert whose HMAC verified.
 */
export class ReplayMarks {
  private readonly marks = new Map<string, Mark>();
  private clock = 0;

  constructor(private readonly capacity: number = MULTICAST_SENDERS) {}

  /**
   * Whether `seq` from `sender` is new, and if so records it. In time mode a mark older than the
   * window is forgotten first: it only orders packets the window refuses anyway, and dropping it
   * lets a sender whose clock was stepped back recover.
   */
  accept(sender: string, seq: bigint, nowMs: number, config: AuthHmacConfig): boolean {
    const mark = this.marks.get(sender);
    if (mark && config.antiReplay === 'time' && Math.abs(skewSeconds(nowMs, mark.seq)) > config.timeWindowS) {
      this.marks.delete(sender);
    } else if (mark && !seqAfter(seq, mark.seq)) {
      return false;
    }
    if (!this.marks.has(sender) && this.marks.size >= this.capacity) {
      let victim: string | null = null;
      let oldest = Infinity;
      for (const [k, m] of this.marks) if (m.used < oldest) [victim, oldest] = [k, m.used];
      if (victim !== null) this.marks.delete(victim);
    }
    this.marks.set(sender, { seq, used: ++this.clock });
    return true;
  }
}

/**
 * The checks after the HMAC verified, and the one before it: in time mode a timestamp outside
 * the window is refused before the HMAC is computed, so a flood of old captures costs no digest.
 */
export function freshness(trailer: Pick<AuthTrailer, 'seq'>, nowMs: number, config: AuthHmacConfig): number | null {
  if (config.antiReplay !== 'time') return 0;
  const skew = skewSeconds(nowMs, trailer.seq);
  return Math.abs(skew) > config.timeWindowS ? null : skew;
}
