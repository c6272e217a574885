import { describe, expect, it } from 'vitest';
import capturedVectors from './__fixtures__/vrrp-vectors.json' with { type: 'json' };
import extraCaptures from './__fixtures__/keepalived-extra-vectors.json' with { type: 'json' };
import { parseAddress } from './address.js';
import { decodeAdvert, encodeAdvert } from './advert.js';
import type { Advert, CodecRejectReason, DecodeOptions, EncodeContext, PacketContext } from './types.js';

const hex = (text: string): Uint8Array => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * An independent RFC 1071 checksum for cross-checking: concatenate, pad to even, add 16-bit words
 * as plain integers, fold the carries, complement. Deliberately unlike checksum.ts.
 */
function referenceChecksum(parts: Uint8Array[]): number {
  const all = parts.flatMap((p) => Array.from(p));
  if (all.length % 2 === 1) all.push(0);
  let sum = 0;
  for (let i = 0; i < all.length; i += 2) sum += (all[i] ?? 0) * 256 + (all[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return 0xffff - sum;
}

/** The RFC 5798 5.2.8 pseudo-header written out field by field, for the cross-check. */
function referencePseudoHeader(family: 4 | 6, src: string, dst: string, length: number): Uint8Array {
  const s = parseAddress(src)?.bytes ?? [];
  const d = parseAddress(dst)?.bytes ?? [];
  const fields =
    family === 4
      ? [...s, ...d, 0, 112, length >> 8, length & 0xff]
      : [...s, ...d, 0, 0, length >> 8, length & 0xff, 0, 0, 0, 112];
  return Uint8Array.from(fields);
}

/** The message with its checksum field zeroed, as the sum is defined over it. */
function zeroChecksum(message: Uint8Array): Uint8Array {
  const copy = message.slice();
  copy[6] = 0;
  copy[7] = 0;
  return copy;
}

const checksumOf = (message: Uint8Array): number => ((message[6] ?? 0) << 8) | (message[7] ?? 0);

// ---- the keepalived 2.2.7 captures of ../shared/testdata, copied in as fixtures ----

type VrrpVectorFields = {
  kind: 'vrrp';
  vrrp_version: 2 | 3;
  vrid: number;
  priority: number;
  addrs: string[];
  adver_int_s?: number;
  max_adver_int_cs?: number;
  auth_type?: number;
  auth_data_text?: string;
  ip_src: string;
  ip_dst: string;
  ip_ttl: number;
  vrrp_hex: string;
};
type Vector = { desc: string; file: string; index: number; fields: { kind: string } };

const advertVectors = (capturedVectors as Vector[])
  .filter((v): v is Vector & { fields: VrrpVectorFields } => v.fields.kind === 'vrrp')
  .map((v) => ({ name: `${v.file} #${v.index}: ${v.desc}`, fields: v.fields }));

/** The advert a capture's listed fields describe, in the codec's units. */
function expectedAdvert(f: VrrpVectorFields): Advert {
  const common = { vrid: f.vrid, priority: f.priority, addresses: f.addrs };
  if (f.vrrp_version === 3) return { version: 3, ...common, advertIntervalMs: (f.max_adver_int_cs ?? 0) * 10 };
  const advert: Advert = { version: 2, ...common, advertIntervalMs: (f.adver_int_s ?? 0) * 1000, authType: 'none' };
  if (f.auth_type === 1) return { ...advert, authType: 'pass', authData: f.auth_data_text ?? '' };
  return advert;
}

/** The fields of the captured lb1 adverts (VRID 51, 1 s, the reference scenario's VIP). */
const FIXTURE_V2: Advert = {
  version: 2,
  vrid: 51,
  priority: 100,
  advertIntervalMs: 1000,
  addresses: ['198.51.100.100'],
};

const contextOf = (f: VrrpVectorFields): PacketContext => ({ family: 4, src: f.ip_src, dst: f.ip_dst, ttl: f.ip_ttl });

describe('codec advert', () => {
  describe('keepalived 2.2.7 captures (testdata/vrrp-vectors.json)', () => {
    it('holds v2 and v3 adverts and the ARP frames for the agent', () => {
      expect(advertVectors.map((v) => v.fields.vrrp_version).sort()).toEqual([2, 2, 2, 3, 3, 3, 3, 3, 3]);
      expect(capturedVectors.filter((v) => v.fields.kind === 'arp')).toHaveLength(6);
    });

    it.each(advertVectors)('$name decodes to the captured fields', ({ fields }) => {
      expect(decodeAdvert(hex(fields.vrrp_hex), contextOf(fields))).toEqual({
        ok: true,
        advert: expectedAdvert(fields),
      });
    });

    it.each(advertVectors)('$name encodes from the captured fields to the same bytes', ({ fields }) => {
      const { family, src, dst } = contextOf(fields);
      expect(toHex(encodeAdvert(expectedAdvert(fields), { family, src, dst }))).toBe(fields.vrrp_hex);
    });
  });

  describe('more keepalived 2.2.7 captures (IPv6, unicast, several VIPs, v2 without auth, priority 255)', () => {
    const cases = extraCaptures.vectors.map((v) => ({
      name: v.desc,
      bytes: v.vrrp_hex,
      ctx: { family: v.family as 4 | 6, src: v.ip_src, dst: v.ip_dst, ttl: v.ip_ttl },
      advert: v.advert as Advert,
    }));

    it.each(cases)('$name decodes to the configured values', ({ bytes, ctx, advert }) => {
      expect(decodeAdvert(hex(bytes), ctx)).toEqual({ ok: true, advert });
    });

    it.each(cases)('$name encodes to the same bytes', ({ bytes, ctx, advert }) => {
      expect(toHex(encodeAdvert(advert, ctx))).toBe(bytes);
    });

    it.each(cases)('$name carries the checksum an independent RFC 1071 computation gives', ({ bytes, ctx, advert }) => {
      const message = hex(bytes);
      const pseudo = advert.version === 3 ? [referencePseudoHeader(ctx.family, ctx.src, ctx.dst, message.length)] : [];
      expect(checksumOf(message)).toBe(referenceChecksum([...pseudo, zeroChecksum(message)]));
    });
  });

  describe('decodeAdvert', () => {
    const V4_CTX: PacketContext = { family: 4, src: '198.51.100.11', dst: '224.0.0.18', ttl: 255 };
    const V6_CTX: PacketContext = { family: 6, src: 'fe80::1', dst: 'ff02::12', ttl: 255 };

    type RejectCase = {
      name: string;
      bytes: Uint8Array;
      ctx: PacketContext;
      options?: DecodeOptions;
      reason: CodecRejectReason;
    };
    it.each<RejectCase>([
      {
        name: 'a TTL of 254 is bad-ttl (RFC 5798 5.1.1.3, 7.1)',
        bytes: Uint8Array.from([0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x35, 0x01, 0xc6, 0x33, 0x64, 0x64]),
        ctx: { ...V4_CTX, ttl: 254 },
        reason: 'bad-ttl',
      },
      {
        name: 'a TTL of 64 on VRRPv2 is bad-ttl (RFC 3768 7.1)',
        bytes: Uint8Array.from([
          0x21, 0x33, 0x64, 0x01, 0x01, 0x01, 0xec, 0xcf, 0xc6, 0x33, 0x64, 0x64, 0x31, 0x31, 0x31, 0x31, 0, 0, 0, 0,
        ]),
        ctx: { ...V4_CTX, ttl: 64 },
        reason: 'bad-ttl',
      },
      {
        name: 'a hop limit of 1 over IPv6 is bad-ttl (RFC 5798 5.1.2.3)',
        bytes: Uint8Array.from([
          0x31, 0x01, 0x64, 0x01, 0x00, 0x64, 0x3e, 0xc0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
        ]),
        ctx: { ...V6_CTX, ttl: 1 },
        reason: 'bad-ttl',
      },
      {
        name: 'an empty payload is too-short',
        bytes: Uint8Array.from([]),
        ctx: V4_CTX,
        reason: 'too-short',
      },
      {
        name: 'seven bytes, less than the fixed header, are too-short',
        bytes: Uint8Array.from([0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x35]),
        ctx: V4_CTX,
        reason: 'too-short',
      },
      {
        name: 'version 1 is bad-version (RFC 5798 7.1)',
        bytes: Uint8Array.from([0x11, 0x33, 0x64, 0x01, 0x00, 0x64, 0x35, 0x01, 0xc6, 0x33, 0x64, 0x64]),
        ctx: V4_CTX,
        reason: 'bad-version',
      },
      {
        name: 'version 4 is bad-version (RFC 5798 7.1)',
        bytes: Uint8Array.from([0x41, 0x33, 0x64, 0x01, 0x00, 0x64, 0x35, 0x01, 0xc6, 0x33, 0x64, 0x64]),
        ctx: V4_CTX,
        reason: 'bad-version',
      },
      {
        name: 'VRRPv2 over IPv6 is bad-version (RFC 3768 is IPv4 only)',
        bytes: Uint8Array.from([
          0x21, 0x01, 0x64, 0x01, 0x00, 0x01, 0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
          0, 0, 0, 0, 0, 0, 0, 0,
        ]),
        ctx: V6_CTX,
        reason: 'bad-version',
      },
      {
        name: 'type 2 is bad-type (RFC 5798 5.2.2)',
        bytes: Uint8Array.from([0x32, 0x33, 0x64, 0x01, 0x00, 0x64, 0x35, 0x01, 0xc6, 0x33, 0x64, 0x64]),
        ctx: V4_CTX,
        reason: 'bad-type',
      },
      {
        name: 'type 0 on VRRPv2 is bad-type (RFC 3768 5.3.2)',
        bytes: Uint8Array.from([
          0x20, 0x33, 0x64, 0x01, 0x01, 0x01, 0xec, 0xcf, 0xc6, 0x33, 0x64, 0x64, 0x31, 0x31, 0x31, 0x31, 0, 0, 0, 0,
        ]),
        ctx: V4_CTX,
        reason: 'bad-type',
      },
      {
        name: 'a v2 auth type 3 is bad-type (RFC 3768 5.3.6: unknown types are discarded)',
        bytes: Uint8Array.from([
          0x21, 0x33, 0x64, 0x01, 0x03, 0x01, 0xea, 0xcf, 0xc6, 0x33, 0x64, 0x64, 0x31, 0x31, 0x31, 0x31, 0, 0, 0, 0,
        ]),
        ctx: V4_CTX,
        reason: 'bad-type',
      },
      {
        name: 'a v3 count of 2 with one IPv4 address is bad-length (RFC 5798 7.1)',
        bytes: Uint8Array.from([0x31, 0x33, 0x64, 0x02, 0x00, 0x64, 0x35, 0x01, 0xc6, 0x33, 0x64, 0x64]),
        ctx: V4_CTX,
        reason: 'bad-length',
      },
      {
        name: 'a v3 count of 0 with one IPv4 address is bad-length',
        bytes: Uint8Array.from([0x31, 0x33, 0x64, 0x00, 0x00, 0x64, 0x35, 0x01, 0xc6, 0x33, 0x64, 0x64]),
        ctx: V4_CTX,
        reason: 'bad-length',
      },
      {
        name: 'a v3 advert with a trailing byte is bad-length',
        bytes: Uint8Array.from([0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x35, 0x01, 0xc6, 0x33, 0x64, 0x64, 0x00]),
        ctx: V4_CTX,
        reason: 'bad-length',
      },
      {
        name: 'a v3 IPv6 advert holding a 4-byte address is bad-length',
        bytes: Uint8Array.from([0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x35, 0x01, 0xc6, 0x33, 0x64, 0x64]),
        ctx: V6_CTX,
        reason: 'bad-length',
      },
      {
        name: 'a v2 count of 2 with one address is bad-length (RFC 3768 7.1)',
        bytes: Uint8Array.from([
          0x21, 0x33, 0x64, 0x02, 0x01, 0x01, 0xec, 0xce, 0xc6, 0x33, 0x64, 0x64, 0x31, 0x31, 0x31, 0x31, 0, 0, 0, 0,
        ]),
        ctx: V4_CTX,
        reason: 'bad-length',
      },
      {
        name: 'a v2 advert without its 8 auth bytes is bad-length (RFC 3768 5.3.10)',
        bytes: Uint8Array.from([0x21, 0x33, 0x64, 0x01, 0x00, 0x01, 0x00, 0x00, 0xc6, 0x33, 0x64, 0x64]),
        ctx: V4_CTX,
        reason: 'bad-length',
      },
      {
        name: 'a v2 checksum off by one is bad-checksum (RFC 3768 5.3.8)',
        bytes: Uint8Array.from([
          0x21, 0x33, 0x64, 0x01, 0x01, 0x01, 0xec, 0xce, 0xc6, 0x33, 0x64, 0x64, 0x31, 0x31, 0x31, 0x31, 0, 0, 0, 0,
        ]),
        ctx: V4_CTX,
        reason: 'bad-checksum',
      },
      {
        name: 'a v2 advert with a changed password byte is bad-checksum',
        bytes: Uint8Array.from([
          0x21, 0x33, 0x64, 0x01, 0x01, 0x01, 0xec, 0xcf, 0xc6, 0x33, 0x64, 0x64, 0x31, 0x31, 0x31, 0x32, 0, 0, 0, 0,
        ]),
        ctx: V4_CTX,
        reason: 'bad-checksum',
      },
      {
        name: 'a v3 checksum from another source address is bad-checksum (RFC 5798 5.2.8 pseudo-header)',
        bytes: Uint8Array.from([0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x35, 0x01, 0xc6, 0x33, 0x64, 0x64]),
        ctx: { ...V4_CTX, src: '198.51.100.12' },
        reason: 'bad-checksum',
      },
      {
        name: 'a unicast v3 checksum checked against the multicast group is bad-checksum',
        bytes: Uint8Array.from([0x31, 0x09, 0x96, 0x01, 0x00, 0x32, 0xf1, 0xbf, 0xc0, 0x00, 0x02, 0x6e]),
        ctx: { family: 4, src: '192.0.2.11', dst: '224.0.0.18', ttl: 255 },
        reason: 'bad-checksum',
      },
      {
        name: 'a v3 checksum over the message alone is bad-checksum unless asked for',
        bytes: Uint8Array.from([0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x3f, 0xcf, 0xc6, 0x33, 0x64, 0x64]),
        ctx: V4_CTX,
        reason: 'bad-checksum',
      },
      {
        name: 'a v3 checksum over the message alone is bad-checksum over IPv6 even with checksumAsV2',
        bytes: Uint8Array.from([
          0x31, 0x01, 0x64, 0x01, 0x00, 0x64, 0x3c, 0xdf, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
        ]),
        ctx: V6_CTX,
        options: { checksumAsV2: true },
        reason: 'bad-checksum',
      },
      {
        name: 'a v3 advert whose context source is not an address is bad-checksum (cannot verify)',
        bytes: Uint8Array.from([0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x35, 0x01, 0xc6, 0x33, 0x64, 0x64]),
        ctx: { ...V4_CTX, src: 'lb1' },
        reason: 'bad-checksum',
      },
    ])('$name', ({ bytes, ctx, options, reason }) => {
      const result = decodeAdvert(bytes, ctx, options);
      expect(result).toMatchObject({ ok: false, reason });
      expect(result.ok ? '' : result.detail).toMatch(/\w/);
    });

    it('names the offending values in the detail', () => {
      const bytes = Uint8Array.from([0x31, 0x33, 0x64, 0x02, 0x00, 0x64, 0x35, 0x01, 0xc6, 0x33, 0x64, 0x64]);
      const result = decodeAdvert(bytes, V4_CTX);
      expect(result).toEqual({
        ok: false,
        reason: 'bad-length',
        detail: '12 bytes, expected 16 for VRRPv3 with 2 IPv4 address(es)',
      });
    });

    it('checks the TTL before anything else, as RFC 5798 7.1 lists it first', () => {
      expect(decodeAdvert(Uint8Array.from([]), { ...V4_CTX, ttl: 1 })).toMatchObject({ reason: 'bad-ttl' });
    });

    it('accepts any TTL with checkTtl false, as keepalived does for unicast peers', () => {
      const bytes = Uint8Array.from([0x31, 0x09, 0x96, 0x01, 0x00, 0x32, 0xf1, 0xbf, 0xc0, 0x00, 0x02, 0x6e]);
      const ctx: PacketContext = { family: 4, src: '192.0.2.11', dst: '192.0.2.12', ttl: 62 };
      expect(decodeAdvert(bytes, ctx, { checkTtl: false })).toMatchObject({ ok: true });
    });

    it('accepts a v3 IPv4 checksum over the message alone with checksumAsV2 (keepalived vrrp_v3_checksum_as_v2)', () => {
      const bytes = Uint8Array.from([0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x3f, 0xcf, 0xc6, 0x33, 0x64, 0x64]);
      expect(decodeAdvert(bytes, V4_CTX, { checksumAsV2: true })).toEqual({
        ok: true,
        advert: { version: 3, vrid: 51, priority: 100, advertIntervalMs: 1000, addresses: ['198.51.100.100'] },
      });
    });

    it('still accepts the pseudo-header checksum with checksumAsV2, so mixed peers interoperate', () => {
      const bytes = Uint8Array.from([0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x35, 0x01, 0xc6, 0x33, 0x64, 0x64]);
      expect(decodeAdvert(bytes, V4_CTX, { checksumAsV2: true })).toMatchObject({ ok: true });
    });

    it('ignores the v3 reserved bits (RFC 5798 5.2.7)', () => {
      const bytes = Uint8Array.from([0x31, 0x33, 0x64, 0x01, 0x50, 0x64, 0xe5, 0x00, 0xc6, 0x33, 0x64, 0x64]);
      expect(decodeAdvert(bytes, V4_CTX)).toMatchObject({ ok: true, advert: { advertIntervalMs: 1000 } });
    });

    it('ignores the authentication data of a v2 advert without authentication (RFC 2338 5.3.6.1)', () => {
      const bytes = hex('213364010001ae8ec6336464deadbeef01020304');
      expect(decodeAdvert(bytes, V4_CTX)).toEqual({
        ok: true,
        advert: { ...FIXTURE_V2, authType: 'none' },
      });
    });

    it('reports v2 auth type 2 as ah, for the instance to refuse (RFC 2338 5.3.6.3)', () => {
      const bytes = hex('2133640102014e32c63364640000000000000000');
      expect(decodeAdvert(bytes, V4_CTX)).toEqual({
        ok: true,
        advert: { ...FIXTURE_V2, authType: 'ah' },
      });
    });

    it('decodes a v3 advert without addresses, leaving the address list check to the instance', () => {
      expect(decodeAdvert(hex('3133640000645f9e'), V4_CTX)).toEqual({
        ok: true,
        advert: { version: 3, vrid: 51, priority: 100, advertIntervalMs: 1000, addresses: [] },
      });
    });

    it('reads the largest v3 Max Adver Int, 4095 cs, as 40950 ms, and priority 255 (RFC 5798 5.2.7, 5.2.4)', () => {
      const ctx: PacketContext = { family: 4, src: '192.0.2.1', dst: '224.0.0.18', ttl: 255 };
      expect(decodeAdvert(hex('31feff010fff5a6ec0000201'), ctx)).toEqual({
        ok: true,
        advert: { version: 3, vrid: 254, priority: 255, advertIntervalMs: 40950, addresses: ['192.0.2.1'] },
      });
    });

    it('reads a decoded IPv6 address in the RFC 5952 form', () => {
      const bytes = hex('3101640100643ec020010db8000000000000000000000001');
      expect(decodeAdvert(bytes, V6_CTX)).toMatchObject({ ok: true, advert: { addresses: ['2001:db8::1'] } });
    });

    it('accepts a Uint8Array view into a larger buffer, as a socket read gives', () => {
      const frame = hex('00000000' + '3133640100643501c6336464' + 'ffff');
      expect(decodeAdvert(frame.subarray(4, 16), V4_CTX)).toMatchObject({ ok: true, advert: { vrid: 51 } });
    });
  });

  describe('encodeAdvert', () => {
    const V4: EncodeContext = { family: 4, src: '192.0.2.11', dst: '224.0.0.18' };
    const V6: EncodeContext = { family: 6, src: 'fe80::1', dst: 'ff02::12' };
    const v3: Advert = { version: 3, vrid: 1, priority: 100, advertIntervalMs: 1000, addresses: ['2001:db8::1'] };

    it('writes a hand-built IPv6 v3 advert with the RFC 2460 8.1 pseudo-header checksum', () => {
      // fe80::1 → ff02::12, VRID 1, priority 100, 100 cs, 2001:db8::1: 24 bytes, checksum 0x3ec0,
      // worked out by hand from RFC 5798 5.2 and checked with a separate script.
      expect(toHex(encodeAdvert(v3, V6))).toBe('3101640100643ec020010db8000000000000000000000001');
    });

    it('writes the IPv6 checksum an independent RFC 1071 computation gives', () => {
      const message = encodeAdvert(v3, V6);
      const pseudo = referencePseudoHeader(6, 'fe80::1', 'ff02::12', message.length);
      expect(checksumOf(message)).toBe(referenceChecksum([pseudo, zeroChecksum(message)]));
    });

    it('uses the unicast destination in the pseudo-header of a unicast advert (RFC 5798 5.2.8)', () => {
      const advert: Advert = { version: 3, vrid: 9, priority: 150, advertIntervalMs: 500, addresses: ['192.0.2.110'] };
      const unicast = encodeAdvert(advert, { ...V4, dst: '192.0.2.12' });
      const multicast = encodeAdvert(advert, V4);
      expect(checksumOf(unicast)).toBe(
        referenceChecksum([referencePseudoHeader(4, '192.0.2.11', '192.0.2.12', 12), zeroChecksum(unicast)]),
      );
      expect(checksumOf(unicast)).not.toBe(checksumOf(multicast));
    });

    it('writes several VIPs in the given order with their count', () => {
      const addresses = ['192.0.2.3', '192.0.2.1', '192.0.2.2'];
      const advert: Advert = { version: 3, vrid: 5, priority: 100, advertIntervalMs: 100, addresses };
      const message = encodeAdvert(advert, V4);
      expect(message[3]).toBe(3);
      expect(toHex(message.subarray(8))).toBe('c0000203c0000201c0000202');
    });

    it('writes 8 zero auth bytes on a v2 advert without authentication (RFC 3768 5.3.10)', () => {
      const advert: Advert = { version: 2, vrid: 8, priority: 255, advertIntervalMs: 2000, addresses: ['192.0.2.100'] };
      const message = encodeAdvert(advert, V4);
      expect(message).toHaveLength(20);
      expect(message[4]).toBe(0);
      expect(toHex(message.subarray(12))).toBe('0000000000000000');
    });

    it('writes priority 255 for the address owner (RFC 3768 5.3.4)', () => {
      const advert: Advert = { version: 2, vrid: 8, priority: 255, advertIntervalMs: 1000, addresses: ['192.0.2.100'] };
      expect(encodeAdvert(advert, V4)[2]).toBe(255);
    });

    it('writes priority 0 for a master that is leaving (RFC 5798 5.2.4)', () => {
      expect(encodeAdvert({ ...v3, priority: 0 }, V6)[2]).toBe(0);
    });

    it('writes the v3 checksum over the message alone with checksumAsV2 on IPv4 (keepalived vrrp_v3_checksum_as_v2)', () => {
      const advert: Advert = {
        version: 3,
        vrid: 51,
        priority: 100,
        advertIntervalMs: 1000,
        addresses: ['198.51.100.100'],
      };
      const ctx: EncodeContext = { family: 4, src: '198.51.100.11', dst: '224.0.0.18' };
      expect(toHex(encodeAdvert(advert, ctx, { checksumAsV2: true }))).toBe('3133640100643fcfc6336464');
    });

    it('keeps the pseudo-header on IPv6 even with checksumAsV2, which is IPv4 only', () => {
      expect(encodeAdvert(v3, V6, { checksumAsV2: true })).toEqual(encodeAdvert(v3, V6));
    });

    it('writes the password NUL padded for v2 simple text authentication', () => {
      const advert: Advert = { ...FIXTURE_V2, authType: 'pass', authData: 'ab' };
      expect(toHex(encodeAdvert(advert, V4).subarray(12))).toBe('6162000000000000');
    });

    it('ignores auth fields on a v3 advert, as keepalived ignores authentication with version 3', () => {
      expect(encodeAdvert({ ...v3, authType: 'pass', authData: 'secret' }, V6)).toEqual(encodeAdvert(v3, V6));
    });

    it('writes the v3 interval in centiseconds (RFC 5798 5.2.7)', () => {
      const message = encodeAdvert({ ...v3, advertIntervalMs: 40950 }, V6);
      expect(toHex(message.subarray(4, 6))).toBe('0fff');
    });

    type ThrowCase = { name: string; advert: Advert; ctx: EncodeContext };
    const v2: Advert = { version: 2, vrid: 1, priority: 100, advertIntervalMs: 1000, addresses: ['192.0.2.1'] };
    it.each<ThrowCase>([
      { name: 'VRRPv2 over IPv6 (RFC 3768 is IPv4 only)', advert: { ...v2, addresses: ['2001:db8::1'] }, ctx: V6 },
      { name: 'VRID 0', advert: { ...v2, vrid: 0 }, ctx: V4 },
      { name: 'VRID 256', advert: { ...v2, vrid: 256 }, ctx: V4 },
      { name: 'priority 256', advert: { ...v2, priority: 256 }, ctx: V4 },
      { name: 'priority -1', advert: { ...v2, priority: -1 }, ctx: V4 },
      { name: 'a fractional priority', advert: { ...v2, priority: 1.5 }, ctx: V4 },
      { name: 'a v2 interval that is not whole seconds', advert: { ...v2, advertIntervalMs: 1500 }, ctx: V4 },
      { name: 'a v2 interval of 0', advert: { ...v2, advertIntervalMs: 0 }, ctx: V4 },
      { name: 'a v2 interval above 255 s', advert: { ...v2, advertIntervalMs: 256000 }, ctx: V4 },
      { name: 'a v3 interval that is not whole centiseconds', advert: { ...v3, advertIntervalMs: 15 }, ctx: V6 },
      { name: 'a v3 interval above 4095 cs', advert: { ...v3, advertIntervalMs: 40960 }, ctx: V6 },
      { name: 'an IPv6 VIP in an IPv4 advert', advert: { ...v2, addresses: ['2001:db8::1'] }, ctx: V4 },
      { name: 'a VIP that is not an address', advert: { ...v3, addresses: ['vip'] }, ctx: V6 },
      { name: 'more than 255 VIPs', advert: { ...v3, addresses: new Array<string>(256).fill('2001:db8::1') }, ctx: V6 },
      { name: 'a password longer than 8 bytes', advert: { ...v2, authType: 'pass', authData: 'password1' }, ctx: V4 },
      { name: 'a v3 source that is not an address of the family', advert: v3, ctx: { ...V6, src: '192.0.2.1' } },
    ])('throws a RangeError on $name', ({ advert, ctx }) => {
      expect(() => encodeAdvert(advert, ctx)).toThrow(RangeError);
    });
  });
});
