import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeAdvert, encodeAdvert } from '../codec/advert.js';
import type { Advert, EncodeContext } from '../codec/types.js';
import { parseTrailer, signAdvert, verifyTrailer } from './trailer.js';

const KEY1 = Uint8Array.from({ length: 32 }, (_, i) => i);
const KEY2 = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const keys = new Map([[1, KEY1]]);
const SEQ = (0x6750_1234n << 32n) | (0x8000n << 16n) | 7n;

const cases: { name: string; advert: Advert; ctx: EncodeContext }[] = [
  {
    name: 'VRRPv2 over IPv4',
    advert: { version: 2, vrid: 51, priority: 100, advertIntervalMs: 1000, addresses: ['192.0.2.100'] },
    ctx: { family: 4, src: '192.0.2.10', dst: '224.0.0.18' },
  },
  {
    name: 'VRRPv3 over IPv4, unicast',
    advert: { version: 3, vrid: 51, priority: 100, advertIntervalMs: 100, addresses: ['192.0.2.100'] },
    ctx: { family: 4, src: '192.0.2.10', dst: '192.0.2.11' },
  },
  {
    name: 'VRRPv3 over IPv6',
    advert: { version: 3, vrid: 7, priority: 200, advertIntervalMs: 100, addresses: ['2001:db8::100'] },
    ctx: { family: 6, src: 'fe80::1', dst: 'ff02::12' },
  },
];

const rx = (ctx: EncodeContext) => ({ ...ctx, ttl: 255 });

describe('auth_hmac trailer', () => {
  describe.each(cases)('$name', ({ advert, ctx }) => {
    const signed = signAdvert(encodeAdvert(advert, ctx), ctx, { id: 1, key: KEY1 }, SEQ);

    it('is the message followed by 28 bytes that decode as the trailer, with a valid checksum', () => {
      const decoded = decodeAdvert(signed, rx(ctx), { authTrailer: true });
      expect(decoded).toMatchObject({ ok: true, advert: { vrid: advert.vrid, priority: advert.priority } });
      expect(decoded.ok && decoded.trailer?.length).toBe(28);
      expect(parseTrailer(signed.subarray(signed.length - 28))).toMatchObject({
        type: 1,
        keyId: 1,
        reserved: 0,
        seq: SEQ,
      });
    });

    it('is a length error to an instance without auth_hmac, as in keepalived', () => {
      expect(decodeAdvert(signed, rx(ctx))).toMatchObject({ ok: false, reason: 'bad-length' });
    });

    it('verifies with the key its id names', () => {
      expect(verifyTrailer(signed, ctx.family, ctx.src, keys)).toMatchObject({ ok: true });
    });

    it('fails with another key under the same id', () => {
      expect(verifyTrailer(signed, ctx.family, ctx.src, new Map([[1, KEY2]]))).toMatchObject({
        reason: 'auth-bad-hmac',
      });
    });

    it('fails for a key id the receiver does not hold', () => {
      expect(verifyTrailer(signed, ctx.family, ctx.src, new Map([[2, KEY1]]))).toMatchObject({
        reason: 'auth-unknown-key',
      });
    });

    it('fails when claimed from another source (the source is bound into the HMAC)', () => {
      const other = ctx.family === 4 ? '192.0.2.99' : 'fe80::99';
      expect(verifyTrailer(signed, ctx.family, other, keys)).toMatchObject({ reason: 'auth-bad-hmac' });
    });

    it('fails when the priority byte is changed', () => {
      const forged = Uint8Array.from(signed);
      forged[2] = 255;
      expect(verifyTrailer(forged, ctx.family, ctx.src, keys)).toMatchObject({ reason: 'auth-bad-hmac' });
    });

    it('is malformed with another scheme or reserved bits set', () => {
      const t2 = Uint8Array.from(signed);
      t2[signed.length - 28] = 2;
      expect(verifyTrailer(t2, ctx.family, ctx.src, keys)).toMatchObject({ reason: 'auth-malformed' });
      const r = Uint8Array.from(signed);
      r[signed.length - 25] = 1;
      expect(verifyTrailer(r, ctx.family, ctx.src, keys)).toMatchObject({ reason: 'auth-malformed' });
    });
  });

  it("is HMAC-SHA256 over the pseudo header, the message with a zero checksum, the trailer's first 12 bytes and 16 zeros", () => {
    const { advert, ctx } = cases[1]!;
    const message = encodeAdvert(advert, ctx);
    const signed = signAdvert(message, ctx, { id: 1, key: KEY1 }, SEQ);
    const pseudo = new Uint8Array(20);
    pseudo.set([4, 3, 51, 0, 192, 0, 2, 10]);
    const zeroed = Uint8Array.from(message);
    zeroed.set([0, 0], 6);
    const mac = createHmac('sha256', KEY1)
      .update(pseudo)
      .update(zeroed)
      .update(signed.subarray(message.length, message.length + 12))
      .update(new Uint8Array(16))
      .digest()
      .subarray(0, 16);
    expect(Buffer.from(signed.subarray(signed.length - 16)).equals(mac)).toBe(true);
  });
});
