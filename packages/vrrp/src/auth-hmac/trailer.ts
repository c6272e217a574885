// keepalived 2.4's `auth_hmac` trailer: 28 bytes after the VRRP message that authenticate it.
// The layout and the HMAC input are keepalived's wire contract (keepalived/vrrp/vrrp_auth_hmac.c,
// read to learn it; written anew here):
//
//  0       1       2       3       4 ...   7   8 .. 9   10 .. 11   12 ............ 27
// +-------+-------+-------+-------+---------+---------+----------+-----------------+
// | type  | keyid |  reserved (0) | seconds | 1/2^16 s| counter  | HMAC-SHA256[:16]|
// +-------+-------+-------+-------+---------+---------+----------+-----------------+
//
// HMAC input: a 20-byte pseudo header (4 or 6, VRRP version, VRID, 0, the source address), the
// message with its checksum read as zero, the first 12 trailer bytes, then 16 zero bytes. Binding
// VRID, version and source stops an advert being replayed into another instance or from another
// sender; the IP header and the destination are outside it, so one signature serves every
// unicast peer.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseIPv4, parseIPv6 } from '../codec/address.js';
import { computeChecksum } from '../codec/checksum.js';
import { AUTH_TRAILER_LEN } from '../codec/constants.js';
import type { EncodeContext } from '../codec/types.js';

/** The only scheme keepalived 2.4 defines: HMAC-SHA256 cut to 128 bits. */
export const AUTH_HMAC_TYPE_SHA256 = 1;
/** Bytes of the HMAC kept in the trailer. */
export const AUTH_HMAC_LEN = 16;
/** keepalived's key length bounds: 32 bytes keep a 128-bit margin. */
export const AUTH_HMAC_KEY_MIN = 32;
export const AUTH_HMAC_KEY_MAX = 64;
const PSEUDO_LEN = 20;
const PREFIX_LEN = AUTH_TRAILER_LEN - AUTH_HMAC_LEN;

/** A signing key: its id (1..255, carried in the trailer) and 32..64 bytes. */
export type HmacKey = { id: number; key: Uint8Array };

/** The fields of a received trailer, before it is verified. */
export type AuthTrailer = { type: number; keyId: number; reserved: number; seq: bigint; hmac: Uint8Array };

/** Splits the 28 trailer bytes into their fields. */
export function parseTrailer(trailer: Uint8Array): AuthTrailer {
  if (trailer.length !== AUTH_TRAILER_LEN) throw new RangeError(`trailer of ${trailer.length} bytes, expected 28`);
  const view = new DataView(trailer.buffer, trailer.byteOffset, trailer.byteLength);
  const seq = (BigInt(view.getUint32(4)) << 32n) | (BigInt(view.getUint16(8)) << 16n) | BigInt(view.getUint16(10));
  return {
    type: trailer[0]!,
    keyId: trailer[1]!,
    reserved: view.getUint16(2),
    seq,
    hmac: trailer.subarray(PREFIX_LEN),
  };
}

function pseudoHeader(family: 4 | 6, version: number, vrid: number, src: string): Uint8Array {
  const out = new Uint8Array(PSEUDO_LEN);
  out[0] = family;
  out[1] = version;
  out[2] = vrid;
  const addr = family === 4 ? parseIPv4(src) : parseIPv6(src);
  if (addr === null) throw new RangeError(`auth_hmac: source '${src}' is not an IPv${family} address`);
  out.set(addr, 4);
  return out;
}

/** The 16-byte HMAC of a message and its trailer prefix (12 bytes) as sent from `src`. */
function trailerHmac(key: Uint8Array, family: 4 | 6, src: string, message: Uint8Array, prefix: Uint8Array): Buffer {
  const zeroed = Uint8Array.from(message);
  zeroed[6] = 0;
  zeroed[7] = 0;
  return createHmac('sha256', key)
    .update(pseudoHeader(family, message[0]! >> 4, message[1]!, src))
    .update(zeroed)
    .update(prefix.subarray(0, PREFIX_LEN))
    .update(new Uint8Array(AUTH_HMAC_LEN))
    .digest()
    .subarray(0, AUTH_HMAC_LEN);
}

/**
 * Appends a signed trailer to an encoded message (from `encodeAdvert` with the same `ctx`).
 * Over IPv6 the checksum is recomputed over message and trailer, as the kernel does for
 * keepalived; over IPv4 it covers the message alone and stays as it is. Pure.
 *
 * @param seq the 64-bit sequence (see sequence.ts): seconds, 1/2^16 s, counter.
 */
export function signAdvert(message: Uint8Array, ctx: EncodeContext, key: HmacKey, seq: bigint): Uint8Array {
  const out = new Uint8Array(message.length + AUTH_TRAILER_LEN);
  out.set(message, 0);
  const prefix = new Uint8Array(PREFIX_LEN);
  const view = new DataView(prefix.buffer);
  prefix[0] = AUTH_HMAC_TYPE_SHA256;
  prefix[1] = key.id;
  view.setUint32(4, Number((seq >> 32n) & 0xffffffffn));
  view.setUint16(8, Number((seq >> 16n) & 0xffffn));
  view.setUint16(10, Number(seq & 0xffffn));
  out.set(prefix, message.length);
  out.set(trailerHmac(key.key, ctx.family, ctx.src, message, prefix), message.length + PREFIX_LEN);
  if (ctx.family === 6) {
    out[6] = 0;
    out[7] = 0;
    const sum = computeChecksum(out, { kind: 'pseudo-header', family: 6, src: ctx.src, dst: ctx.dst });
    out[6] = sum >> 8;
    out[7] = sum & 0xff;
  }
  return out;
}

/** Why a present trailer failed, before any replay rule (keepalived's counters of the same names). */
export type TrailerFailure = 'auth-malformed' | 'auth-unknown-key' | 'auth-bad-hmac';

/**
 * Verifies the HMAC of a received payload (message + trailer) from `src` with the key its trailer
 * names. Constant-time comparison. Pure.
 */
export function verifyTrailer(
  payload: Uint8Array,
  family: 4 | 6,
  src: string,
  keys: ReadonlyMap<number, Uint8Array>,
): { ok: true; trailer: AuthTrailer } | { ok: false; reason: TrailerFailure; trailer: AuthTrailer } {
  const at = payload.length - AUTH_TRAILER_LEN;
  const trailer = parseTrailer(payload.subarray(at));
  if (trailer.type !== AUTH_HMAC_TYPE_SHA256 || trailer.reserved !== 0) {
    return { ok: false, reason: 'auth-malformed', trailer };
  }
  const key = keys.get(trailer.keyId);
  if (!key) return { ok: false, reason: 'auth-unknown-key', trailer };
  let want: Buffer;
  try {
    want = trailerHmac(key, family, src, payload.subarray(0, at), payload.subarray(at));
  } catch {
    return { ok: false, reason: 'auth-bad-hmac', trailer };
  }
  if (!timingSafeEqual(want, trailer.hmac)) return { ok: false, reason: 'auth-bad-hmac', trailer };
  return { ok: true, trailer };
}
