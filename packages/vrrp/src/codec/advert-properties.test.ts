import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalAddress, formatIPv4, formatIPv6, parseAddress } from './address.js';
import { decodeAdvert, encodeAdvert } from './advert.js';
import { VRRP_MULTICAST_V4, VRRP_MULTICAST_V6 } from './constants.js';
import { CODEC_REJECT_REASONS } from './reject-reason.js';
import type { Advert, DecodeOptions, DecodeResult, EncodeContext, PacketContext } from './types.js';

// ---- generators ----

const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map(formatIPv4);
const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map(formatIPv6);
const vrid = fc.integer({ min: 1, max: 255 });
const priority = fc.integer({ min: 0, max: 255 });
/** Up to 255 addresses (the count is one byte), mostly few. */
const addressList = (address: fc.Arbitrary<string>): fc.Arbitrary<string[]> =>
  fc.oneof(
    { weight: 9, arbitrary: fc.array(address, { maxLength: 8 }) },
    { weight: 1, arbitrary: fc.array(address, { maxLength: 255 }) },
  );

/** Passwords that fit the 8-byte field as UTF-8 and survive a UTF-8 round trip, without trailing NULs. */
const password = fc
  .string({ unit: 'binary', maxLength: 8 })
  .filter((s) => new TextDecoder().decode(new TextEncoder().encode(s)) === s)
  .filter((s) => new TextEncoder().encode(s).length <= 8 && !s.endsWith('\0'));

/** v2 is IPv4 only (RFC 3768); whole seconds 1..255 (RFC 3768 5.3.7). */
const v2Advert: fc.Arbitrary<Advert> = fc
  .record({
    vrid,
    priority,
    seconds: fc.integer({ min: 1, max: 255 }),
    addresses: addressList(ipv4),
    auth: fc.oneof(
      fc.constant({ authType: 'none' as const }),
      fc.constant({ authType: 'ah' as const }),
      password.map((authData) => ({ authType: 'pass' as const, authData })),
    ),
  })
  .map(({ seconds, auth, ...rest }) => ({ version: 2, ...rest, advertIntervalMs: seconds * 1000, ...auth }));

/** v3: centiseconds 1..4095 (RFC 5798 5.2.7), i.e. ms multiples of 10. */
const v3Advert = (address: fc.Arbitrary<string>): fc.Arbitrary<Advert> =>
  fc
    .record({ vrid, priority, centiseconds: fc.integer({ min: 1, max: 4095 }), addresses: addressList(address) })
    .map(({ centiseconds, ...rest }) => ({ version: 3, ...rest, advertIntervalMs: centiseconds * 10 }));

/** Multicast group or a unicast peer as destination. */
const ctx4: fc.Arbitrary<EncodeContext> = fc.record({
  family: fc.constant(4 as const),
  src: ipv4,
  dst: fc.oneof(fc.constant(VRRP_MULTICAST_V4), ipv4),
});
const ctx6: fc.Arbitrary<EncodeContext> = fc.record({
  family: fc.constant(6 as const),
  src: ipv6,
  dst: fc.oneof(fc.constant(VRRP_MULTICAST_V6), ipv6),
});

const anyAdvertWithContext = fc.oneof(
  fc.record({ advert: v2Advert, ctx: ctx4, checksumAsV2: fc.boolean() }),
  fc.record({ advert: v3Advert(ipv4), ctx: ctx4, checksumAsV2: fc.boolean() }),
  fc.record({ advert: v3Advert(ipv6), ctx: ctx6, checksumAsV2: fc.boolean() }),
);

/** Anything a caller might pass as a context, valid or not. */
const anyContext: fc.Arbitrary<PacketContext> = fc.record({
  family: fc.constantFrom(4 as const, 6 as const),
  src: fc.oneof(ipv4, ipv6, fc.string(), fc.ipV6(), fc.ipV4Extended()),
  dst: fc.oneof(fc.constantFrom(VRRP_MULTICAST_V4, VRRP_MULTICAST_V6), ipv4, ipv6, fc.string()),
  ttl: fc.oneof(fc.constant(255), fc.integer(), fc.double()),
});
const anyOptions: fc.Arbitrary<DecodeOptions> = fc.record(
  { checksumAsV2: fc.boolean(), checkTtl: fc.boolean() },
  { requiredKeys: [] },
);

/** A result is one of the two typed shapes, never anything else. */
function expectWellFormed(result: DecodeResult, family: 4 | 6): void {
  if (result.ok) {
    expect([2, 3]).toContain(result.advert.version);
    for (const address of result.advert.addresses) expect(parseAddress(address)?.family).toBe(family);
  } else {
    expect(CODEC_REJECT_REASONS).toContain(result.reason);
    expect(result.detail).toMatch(/\w/);
  }
}

describe('codec advert properties (fast-check)', () => {
  it('decode never throws on arbitrary bytes and arbitrary contexts, and returns a typed result', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), anyContext, anyOptions, (bytes, ctx, options) => {
        expectWellFormed(decodeAdvert(bytes, ctx, options), ctx.family);
      }),
      { numRuns: 2000 },
    );
  });

  it('decode never throws on valid adverts with bytes changed, cut or appended', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(400), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(400) }),
      fc.record({ kind: fc.constant('append' as const), extra: fc.uint8Array({ maxLength: 20 }) }),
    );
    fc.assert(
      fc.property(
        anyAdvertWithContext,
        fc.array(mutation, { maxLength: 4 }),
        ({ advert, ctx, checksumAsV2 }, mutations) => {
          let bytes = encodeAdvert(advert, ctx, { checksumAsV2 });
          for (const m of mutations) {
            if (m.kind === 'set') {
              bytes = bytes.slice();
              if (bytes.length > 0) bytes[m.at % bytes.length] = m.value;
            } else if (m.kind === 'cut') {
              bytes = bytes.slice(0, m.at % (bytes.length + 1));
            } else {
              bytes = Uint8Array.from([...bytes, ...m.extra]);
            }
          }
          expectWellFormed(decodeAdvert(bytes, { ...ctx, ttl: 255 }, { checksumAsV2 }), ctx.family);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('decode(encode(advert)) gives back the advert, for v2 and v3 over IPv4 and IPv6, multicast and unicast', () => {
    fc.assert(
      fc.property(anyAdvertWithContext, ({ advert, ctx, checksumAsV2 }) => {
        const bytes = encodeAdvert(advert, ctx, { checksumAsV2 });
        expect(decodeAdvert(bytes, { ...ctx, ttl: 255 }, { checksumAsV2 })).toEqual({ ok: true, advert });
      }),
      { numRuns: 1000 },
    );
  });

  it('an advert survives the round trip with its addresses in the canonical spelling, whatever spelling went in', () => {
    fc.assert(
      fc.property(v3Advert(fc.ipV6()), ctx6, (advert, ctx) => {
        const decoded = decodeAdvert(encodeAdvert(advert, ctx), { ...ctx, ttl: 255 });
        expect(decoded).toEqual({ ok: true, advert: { ...advert, addresses: advert.addresses.map(canonicalAddress) } });
      }),
    );
  });

  it('a single changed bit in an encoded advert is never accepted, except in the fields RFCs say to ignore', () => {
    fc.assert(
      fc.property(anyAdvertWithContext, fc.nat(), fc.integer({ min: 0, max: 7 }), ({ advert, ctx }, at, bit) => {
        const bytes = encodeAdvert(advert, ctx).slice();
        const i = at % bytes.length;
        // Ignored by design: the v3 reserved bits (RFC 5798 5.2.7) and v2 Authentication Data
        // without a password (RFC 2338 5.3.6.1).
        const reservedBits = advert.version === 3 && i === 4 && bit >= 4;
        const unusedAuthData = advert.version === 2 && advert.authType !== 'pass' && i >= bytes.length - 8;
        fc.pre(!reservedBits && !unusedAuthData);
        bytes[i] = (bytes[i] ?? 0) ^ (1 << bit);
        expect(decodeAdvert(bytes, { ...ctx, ttl: 255 })).toMatchObject({ ok: false });
      }),
      { numRuns: 1000 },
    );
  });
});
