// Encoding and decoding of VRRP advertisements, v2 (RFC 3768 5.3) and v3 (RFC 5798 5.2).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-------+-------+---------------+---------------+---------------+
// |Version| Type  | Virtual Rtr ID|   Priority    |  Count Addrs  |
// +-------+-------+---------------+---------------+---------------+
// | v2: Auth Type | Adver Int (s) |           Checksum            |
// | v3: Rsvd | Max Adver Int (cs) |           Checksum            |
// +---------------------------------------------------------------+
// |         Count Addrs IPv4 (4 bytes) or IPv6 (16 bytes) addresses |
// +---------------------------------------------------------------+
// | v2 only: Authentication Data, 8 bytes                          |
// +---------------------------------------------------------------+

import { formatAddress, parseIPv4, parseIPv6 } from './address.js';
import { decodeAuthData, encodeAuthData } from './auth.js';
import { computeChecksum, verifyChecksum } from './checksum.js';
import type { ChecksumScope } from './checksum.js';
import {
  AUTH_TRAILER_LEN,
  VRRP_AUTH_DATA_LEN,
  VRRP_AUTH_TYPE_AH,
  VRRP_AUTH_TYPE_NONE,
  VRRP_AUTH_TYPE_PASS,
  VRRP_HEADER_LEN,
  VRRP_MAX_ADDRESSES,
  VRRP_TTL,
  VRRP_TYPE_ADVERTISEMENT,
  VRRP_V2_ADVERT_INTERVAL_MAX_MS,
  VRRP_V2_ADVERT_INTERVAL_MIN_MS,
  VRRP_V3_ADVERT_INTERVAL_MAX_MS,
  VRRP_V3_ADVERT_INTERVAL_MIN_MS,
} from './constants.js';
import type {
  Advert,
  CodecRejectReason,
  DecodeOptions,
  DecodeResult,
  EncodeContext,
  EncodeOptions,
  PacketContext,
} from './types.js';

const MS_PER_SECOND = 1000;
const MS_PER_CENTISECOND = 10;
/** RFC 5798 5.2.7: Max Adver Int is the low 12 bits of bytes 4–5; the top 4 are reserved. */
const V3_INTERVAL_MASK = 0x0fff;

/** Length in bytes of a VRRP message with `count` addresses. */
export function messageLength(version: 2 | 3, family: 4 | 6, count: number): number {
  const addrLen = family === 4 ? 4 : 16;
  return VRRP_HEADER_LEN + count * addrLen + (version === 2 ? VRRP_AUTH_DATA_LEN : 0);
}

function reject(reason: CodecRejectReason, detail: string): DecodeResult {
  return { ok: false, reason, detail };
}

/**
 * Decodes a received VRRP advertisement, v2 or v3, IPv4 or IPv6, and checks everything the bytes
 * and the packet context can show. Pure; never throws, whatever `bytes`, `ctx` and `options`.
 *
 * Checks, in this order (the first failure is returned):
 * 1. `'bad-ttl'`: `ctx.ttl` is not 255 (RFC 3768 7.1, RFC 5798 7.1; skipped with
 *    `options.checkTtl: false`, as keepalived does for unicast peers).
 * 2. `'too-short'`: fewer than the 8 bytes of the fixed header.
 * 3. `'bad-version'`: Version is neither 2 nor 3, or 2 over IPv6 (RFC 3768 is IPv4 only).
 * 4. `'bad-type'`: Type is not 1, ADVERTISEMENT (RFC 3768 5.3.2, RFC 5798 5.2.2).
 * 5. `'bad-length'`: the length is not exactly header + Count × address size (+ 8 auth bytes on
 *    v2); a count that does not fit the bytes is this too (RFC 5798 7.1, keepalived: exact).
 * 6. `'bad-checksum'`: v2 over the message (RFC 3768 5.3.8); v3 with the pseudo-header of
 *    `ctx.family` from `ctx.src` and `ctx.dst` (RFC 5798 5.2.8) — or, with
 *    `options.checksumAsV2` on IPv4, over the message alone as well. Also when `ctx.src` or
 *    `ctx.dst` is not an address of `ctx.family` (the checksum cannot be verified).
 * 7. `'bad-type'`: a v2 Auth Type other than 0, 1 or 2 (RFC 3768 5.3.6: an unknown
 *    authentication type MUST be discarded; keepalived counts it as an invalid auth type).
 *
 * Not checked here (they need the instance's configuration, STYLE §D20): VRID, auth type and
 * password, advert interval, address list, unicast peer, and whether the version is the one
 * configured. A Count of 0, VRID 0 or interval 0 decode as such; the instance decides.
 * The v3 reserved bits are ignored (RFC 5798 5.2.7); v2 Authentication Data is ignored unless
 * Auth Type is 1 (RFC 2338 5.3.6.1).
 *
 * @param bytes the VRRP message: the IP payload, without the IPv4/IPv6 header, exactly as long as
 *   the IP packet says (no link-layer padding).
 * @param ctx the IP layer's facts: family, source and destination as text (the destination is
 *   the multicast group or, for unicast, this router's address: the v3 pseudo-header uses it),
 *   and the TTL / hop limit as received. IPv6 addresses without a zone (`%eth0`).
 */
export function decodeAdvert(bytes: Uint8Array, ctx: PacketContext, options: DecodeOptions = {}): DecodeResult {
  if (options.checkTtl !== false && ctx.ttl !== VRRP_TTL) {
    return reject('bad-ttl', `TTL/hop limit ${String(ctx.ttl)}, expected ${VRRP_TTL}`);
  }
  if (!(bytes instanceof Uint8Array) || bytes.length < VRRP_HEADER_LEN) {
    const len = bytes instanceof Uint8Array ? bytes.length : 0;
    return reject('too-short', `${len} bytes, the fixed header alone is ${VRRP_HEADER_LEN}`);
  }
  if (ctx.family !== 4 && ctx.family !== 6) {
    // A caller bug rather than the packet's; reported, not thrown, since decoding never throws.
    return reject('bad-version', `unknown address family ${String(ctx.family)} in the packet context`);
  }
  const family = ctx.family;

  const b0 = bytes[0] ?? 0;
  const version = b0 >> 4;
  if (version !== 2 && version !== 3) return reject('bad-version', `version ${version}, expected 2 or 3`);
  if (version === 2 && family === 6) return reject('bad-version', 'VRRPv2 over IPv6: RFC 3768 is IPv4 only');
  const type = b0 & 0x0f;
  if (type !== VRRP_TYPE_ADVERTISEMENT) {
    return reject('bad-type', `type ${type}, expected ${VRRP_TYPE_ADVERTISEMENT} (ADVERTISEMENT)`);
  }

  const count = bytes[3] ?? 0;
  const expected = messageLength(version, family, count);
  // keepalived 2.4 auth_hmac: a trailer is recognised by the length alone, and only where the
  // instance is configured for it (an unexpected one is a length error, as in keepalived).
  const signed = options.authTrailer === true && bytes.length === expected + AUTH_TRAILER_LEN;
  if (bytes.length !== expected && !signed) {
    return reject(
      'bad-length',
      `${bytes.length} bytes, expected ${expected} for VRRPv${version} with ${count} IPv${family} address(es)`,
    );
  }

  // Over IPv4 the checksum covers the VRRP message alone; over IPv6 the whole payload, trailer
  // included (keepalived's kernel computes it with IPV6_CHECKSUM).
  const covered = signed && family === 4 ? bytes.subarray(0, expected) : bytes;
  const checksumResult = checkChecksum(covered, version, ctx, options);
  if (checksumResult !== null) return reject('bad-checksum', checksumResult);
  const trailer = signed ? { trailer: bytes.subarray(expected) } : {};

  const addrLen = family === 4 ? 4 : 16;
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = VRRP_HEADER_LEN + i * addrLen;
    addresses.push(formatAddress(bytes.subarray(at, at + addrLen)));
  }
  const vrid = bytes[1] ?? 0;
  const priority = bytes[2] ?? 0;

  if (version === 3) {
    const maxAdverIntCs = (((bytes[4] ?? 0) << 8) | (bytes[5] ?? 0)) & V3_INTERVAL_MASK;
    return {
      ok: true,
      advert: { version, vrid, priority, advertIntervalMs: maxAdverIntCs * MS_PER_CENTISECOND, addresses },
      ...trailer,
    };
  }

  const authCode = bytes[4] ?? 0;
  const advertIntervalMs = (bytes[5] ?? 0) * MS_PER_SECOND;
  const base = { version, vrid, priority, advertIntervalMs, addresses } as const;
  switch (authCode) {
    case VRRP_AUTH_TYPE_NONE:
      return { ok: true, advert: { ...base, authType: 'none' }, ...trailer };
    case VRRP_AUTH_TYPE_PASS: {
      const field = bytes.subarray(expected - VRRP_AUTH_DATA_LEN, expected);
      return { ok: true, advert: { ...base, authType: 'pass', authData: decodeAuthData(field) }, ...trailer };
    }
    case VRRP_AUTH_TYPE_AH:
      return { ok: true, advert: { ...base, authType: 'ah' }, ...trailer };
    default:
      return reject('bad-type', `auth type ${authCode}, expected 0 (none), 1 (simple text) or 2 (AH)`);
  }
}

/** Verifies the checksum of a length-checked message; null when right, else why not. */
function checkChecksum(bytes: Uint8Array, version: 2 | 3, ctx: PacketContext, options: DecodeOptions): string | null {
  const received = `0x${(((bytes[6] ?? 0) << 8) | (bytes[7] ?? 0)).toString(16).padStart(4, '0')}`;
  if (version === 2) {
    if (verifyChecksum(bytes, { kind: 'message' }) === true) return null;
    return `VRRPv2 checksum ${received} does not match the message`;
  }
  const scope: ChecksumScope = { kind: 'pseudo-header', family: ctx.family, src: ctx.src, dst: ctx.dst };
  const withPseudo = verifyChecksum(bytes, scope);
  if (withPseudo === true) return null;
  // keepalived vrrp_v3_checksum_as_v2: the message alone, IPv4 only.
  const asV2 = options.checksumAsV2 === true && ctx.family === 4;
  if (asV2 && verifyChecksum(bytes, { kind: 'message' }) === true) return null;
  if (typeof withPseudo === 'string') return `cannot verify the VRRPv3 checksum: ${withPseudo}`;
  const pseudo = `the pseudo-header (src ${ctx.src}, dst ${ctx.dst}) and message`;
  return asV2
    ? `VRRPv3 checksum ${received} matches neither ${pseudo} nor the message alone`
    : `VRRPv3 checksum ${received} does not match ${pseudo}`;
}

/**
 * Encodes an advertisement as the VRRP message to send (the IP payload; the caller's socket adds
 * the IP header with protocol 112 and TTL / hop limit 255, RFC 5798 5.1.1.3). Pure.
 *
 * v2 (IPv4 only): Adver Int in whole seconds, Auth Type from `authType` (absent = none), the 8
 * Authentication Data bytes always present — zeros unless `authType: 'pass'`, then the password
 * NUL padded (RFC 3768 5.3.6, 5.3.10); the checksum over the message (RFC 3768 5.3.8).
 * v3: Max Adver Int in centiseconds, reserved bits zero, no auth fields (`authType`/`authData`
 * ignored, as keepalived ignores `authentication` with version 3), the checksum with the
 * pseudo-header built from `ctx` (RFC 5798 5.2.8), or over the message alone with
 * `options.checksumAsV2` on IPv4 (keepalived `vrrp_v3_checksum_as_v2`).
 *
 * Caller obligations (a violation throws a RangeError naming the value, STYLE §D21): version 2
 * or 3 and v2 only with family 4; `vrid` an integer 1..255; `priority` an integer 0..255;
 * `advertIntervalMs` a whole number of seconds 1..255 (v2) or of centiseconds 1..4095, i.e.
 * 10..40950 ms in steps of 10 (v3); at most 255 `addresses`, each valid text of `ctx.family`;
 * a `pass` password of at most 8 UTF-8 bytes; for v3, `ctx.src` (this router's primary address,
 * the IPv6 link-local one over IPv6, RFC 5798 5.1.2.1) and `ctx.dst` (the group, or the unicast
 * peer the message is sent to — one encoding per peer) valid addresses of `ctx.family`.
 *
 * @returns a new buffer with the message.
 */
export function encodeAdvert(advert: Advert, ctx: EncodeContext, options: EncodeOptions = {}): Uint8Array {
  const { version, vrid, priority, advertIntervalMs, addresses } = advert;
  const family = ctx.family;
  if (family !== 4 && family !== 6) throw new RangeError(`encodeAdvert: family ${String(family)}, expected 4 or 6`);
  if (version !== 2 && version !== 3) throw new RangeError(`encodeAdvert: version ${String(version)}, expected 2 or 3`);
  if (version === 2 && family === 6) throw new RangeError('encodeAdvert: VRRPv2 over IPv6: RFC 3768 is IPv4 only');
  if (!isIntIn(vrid, 1, 255)) throw new RangeError(`encodeAdvert: vrid ${String(vrid)}, expected an integer 1..255`);
  if (!isIntIn(priority, 0, 255)) {
    throw new RangeError(`encodeAdvert: priority ${String(priority)}, expected an integer 0..255`);
  }
  const intervalUnits = intervalToWire(version, advertIntervalMs);
  if (addresses.length > VRRP_MAX_ADDRESSES) {
    throw new RangeError(`encodeAdvert: ${addresses.length} addresses, at most ${VRRP_MAX_ADDRESSES} fit`);
  }

  const length = messageLength(version, family, addresses.length);
  const out = new Uint8Array(length);
  out[0] = (version << 4) | VRRP_TYPE_ADVERTISEMENT;
  out[1] = vrid;
  out[2] = priority;
  out[3] = addresses.length;
  if (version === 2) {
    out[4] = authTypeCode(advert.authType);
    out[5] = intervalUnits;
  } else {
    out[4] = (intervalUnits >> 8) & 0x0f;
    out[5] = intervalUnits & 0xff;
  }
  // Bytes 6–7, the checksum, stay zero until computed below.

  const parse = family === 4 ? parseIPv4 : parseIPv6;
  const addrLen = family === 4 ? 4 : 16;
  addresses.forEach((text, i) => {
    const bytes = parse(text);
    if (bytes === null) throw new RangeError(`encodeAdvert: address '${text}' is not an IPv${family} address`);
    out.set(bytes, VRRP_HEADER_LEN + i * addrLen);
  });
  if (version === 2 && advert.authType === 'pass') {
    out.set(encodeAuthData(advert.authData ?? ''), length - VRRP_AUTH_DATA_LEN);
  }

  const scope: ChecksumScope =
    version === 2 || (options.checksumAsV2 === true && family === 4)
      ? { kind: 'message' }
      : { kind: 'pseudo-header', family, src: ctx.src, dst: ctx.dst };
  const checksum = computeChecksum(out, scope);
  out[6] = checksum >> 8;
  out[7] = checksum & 0xff;
  return out;
}

function isIntIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** `advertIntervalMs` in the wire unit: seconds (v2, RFC 3768 5.3.7) or centiseconds (v3, RFC 5798 5.2.7). */
function intervalToWire(version: 2 | 3, ms: number): number {
  if (version === 2) {
    if (!isIntIn(ms, VRRP_V2_ADVERT_INTERVAL_MIN_MS, VRRP_V2_ADVERT_INTERVAL_MAX_MS) || ms % MS_PER_SECOND !== 0) {
      throw new RangeError(`encodeAdvert: VRRPv2 advertIntervalMs ${String(ms)}, expected whole seconds 1..255 s`);
    }
    return ms / MS_PER_SECOND;
  }
  if (!isIntIn(ms, VRRP_V3_ADVERT_INTERVAL_MIN_MS, VRRP_V3_ADVERT_INTERVAL_MAX_MS) || ms % MS_PER_CENTISECOND !== 0) {
    throw new RangeError(`encodeAdvert: VRRPv3 advertIntervalMs ${String(ms)}, expected a multiple of 10 in 10..40950`);
  }
  return ms / MS_PER_CENTISECOND;
}

function authTypeCode(authType: Advert['authType']): number {
  switch (authType) {
    case undefined:
    case 'none':
      return VRRP_AUTH_TYPE_NONE;
    case 'pass':
      return VRRP_AUTH_TYPE_PASS;
    case 'ah':
      return VRRP_AUTH_TYPE_AH;
    default:
      throw new RangeError(`encodeAdvert: authType '${String(authType satisfies never)}', expected none, pass or ah`);
  }
}
