import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeChecksum, onesComplementSum, pseudoHeader, verifyChecksum } from './checksum.js';

const hex = (text: string): Uint8Array => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));

describe('codec checksum', () => {
  describe('onesComplementSum', () => {
    it('sums the RFC 1071 3 example bytes to 0xddf2', () => {
      expect(onesComplementSum([hex('0001f203f4f5f6f7')])).toBe(0xddf2);
    });

    it('pads an odd trailing byte with a zero byte (RFC 1071 4.1)', () => {
      expect(onesComplementSum([hex('0001f2')])).toBe(0xf201);
    });

    it('gives the same sum however the bytes are split into chunks', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(64), fc.nat(64), (bytes, i, j) => {
          const [a, b] = [Math.min(i, j, bytes.length), Math.min(Math.max(i, j), bytes.length)];
          const chunks = [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)];
          expect(onesComplementSum(chunks)).toBe(onesComplementSum([bytes]));
        }),
      );
    });
  });

  describe('pseudoHeader', () => {
    it('lays out the IPv4 pseudo-header as src, dst, zero, protocol 112, 16-bit length (RFC 5798 5.2.8)', () => {
      const header = pseudoHeader({ kind: 'pseudo-header', family: 4, src: '198.51.100.11', dst: '224.0.0.18' }, 12);
      expect(header).toEqual(hex('c633640be0000012' + '00' + '70' + '000c'));
    });

    it('lays out the IPv6 pseudo-header as src, dst, 32-bit length, three zeros, next header 112 (RFC 2460 8.1)', () => {
      const header = pseudoHeader({ kind: 'pseudo-header', family: 6, src: 'fe80::1', dst: 'ff02::12' }, 24);
      expect(header).toEqual(
        hex('fe800000000000000000000000000001' + 'ff020000000000000000000000000012' + '00000018' + '000000' + '70'),
      );
    });

    it('is empty when the checksum covers the message alone (RFC 3768 5.3.8)', () => {
      expect(pseudoHeader({ kind: 'message' }, 20)).toEqual(new Uint8Array(0));
    });

    it('says which address does not parse instead of throwing', () => {
      expect(pseudoHeader({ kind: 'pseudo-header', family: 4, src: 'fe80::1', dst: '224.0.0.18' }, 12)).toMatch(
        /source 'fe80::1' is not an IPv4 address/,
      );
    });
  });

  describe('computeChecksum and verifyChecksum', () => {
    it('computes the checksum keepalived put on a captured VRRPv2 advert', () => {
      const message = hex('2133640101010000c63364643131313100000000');
      expect(computeChecksum(message, { kind: 'message' })).toBe(0xeccf);
    });

    it('verifies a message once its computed checksum is written in', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 8, maxLength: 64 }), (bytes) => {
          const message = bytes.slice();
          message[6] = 0;
          message[7] = 0;
          const checksum = computeChecksum(message, { kind: 'message' });
          message[6] = checksum >> 8;
          message[7] = checksum & 0xff;
          expect(verifyChecksum(message, { kind: 'message' })).toBe(true);
        }),
      );
    });

    it('throws a RangeError on the send path when an address does not parse', () => {
      expect(() =>
        computeChecksum(new Uint8Array(12), { kind: 'pseudo-header', family: 6, src: 'fe80::1', dst: 'x' }),
      ).toThrow(RangeError);
    });
  });
});
