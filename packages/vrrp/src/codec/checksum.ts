// The VRRP checksum: the 16-bit one's complement of the one's complement sum (RFC 1071) of
// - v2: the VRRP message alone (RFC 3768 5.3.8);
// - v3: a pseudo-header and the VRRP message (RFC 5798 5.2.8). Over IPv6 the pseudo-header is
//   RFC 2460 8.1's; over IPv4 it is the IPv4 analogue (source, destination, zero, protocol 112,
//   VRRP length), which keepalived sends and requires. keepalived's `vrrp_v3_checksum_as_v2`
//   (2.2.8+) leaves the pseudo-header out over IPv4, as v2 does.

import { parseIPv4, parseIPv6 } from './address.js';
import { VRRP_PROTOCOL } from './constants.js';

/** Which bytes, besides the message, a checksum covers. */
export type ChecksumScope =
  /** The message alone: v2, and v3 over IPv4 with keepalived's `vrrp_v3_checksum_as_v2`. */
  | { kind: 'message' }
  /** The message behind the pseudo-header of its IP packet: v3 (RFC 5798 5.2.8). */
  | { kind: 'pseudo-header'; family: 4 | 6; src: string; dst: string };

/**
 * The one's complement sum (RFC 1071) of `chunks` read as one byte string, folded to 16 bits.
 * Chunks may have odd lengths: byte positions count across chunk boundaries.
 */
export function onesComplementSum(chunks: readonly Uint8Array[]): number {
  let sum = 0;
  let high = true;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] ?? 0;
      sum += high ? b << 8 : b;
      high = !high;
    }
    // Fold now and then so the sum stays a small integer for any input size.
    if (sum > 0xffffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/**
 * The pseudo-header bytes for `scope` and a VRRP message of `length` bytes: empty for
 * `message`; for IPv4 src(4) dst(4) zero(1) protocol(1) length(2); for IPv6 (RFC 2460 8.1)
 * src(16) dst(16) length(4) zero(3) next header(1).
 *
 * @returns the bytes, or a text saying which address of the scope does not parse. Never throws.
 */
export function pseudoHeader(scope: ChecksumScope, length: number): Uint8Array | string {
  if (scope.kind === 'message') return new Uint8Array(0);
  const parse = scope.family === 4 ? parseIPv4 : parseIPv6;
  const src = parse(scope.src);
  if (src === null) return `source '${String(scope.src)}' is not an IPv${scope.family} address`;
  const dst = parse(scope.dst);
  if (dst === null) return `destination '${String(scope.dst)}' is not an IPv${scope.family} address`;
  if (scope.family === 4) {
    const out = new Uint8Array(12);
    out.set(src, 0);
    out.set(dst, 4);
    out[9] = VRRP_PROTOCOL;
    out[10] = (length >>> 8) & 0xff;
    out[11] = length & 0xff;
    return out;
  }
  const out = new Uint8Array(40);
  out.set(src, 0);
  out.set(dst, 16);
  out[32] = (length >>> 24) & 0xff;
  out[33] = (length >>> 16) & 0xff;
  out[34] = (length >>> 8) & 0xff;
  out[35] = length & 0xff;
  out[39] = VRRP_PROTOCOL;
  return out;
}

/**
 * The checksum to write into bytes 6–7 of `message`, whose checksum field the caller has set to
 * zero (RFC 3768 5.3.8, RFC 5798 5.2.8).
 *
 * @throws RangeError when an address of `scope` does not parse (a caller bug on the send path).
 */
export function computeChecksum(message: Uint8Array, scope: ChecksumScope): number {
  const header = pseudoHeader(scope, message.length);
  if (typeof header === 'string') throw new RangeError(`computeChecksum: ${header}`);
  return ~onesComplementSum([header, message]) & 0xffff;
}

/**
 * Whether the checksum already in `message` is right for `scope`: the sum over pseudo-header and
 * message, checksum field included, is all ones (RFC 1071 "verify").
 *
 * @returns true/false, or a text when an address of `scope` does not parse. Never throws.
 */
export function verifyChecksum(message: Uint8Array, scope: ChecksumScope): boolean | string {
  const header = pseudoHeader(scope, message.length);
  if (typeof header === 'string') return header;
  return onesComplementSum([header, message]) === 0xffff;
}
