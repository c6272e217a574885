import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalAddress,
  compareAddresses,
  formatAddress,
  formatIPv4,
  formatIPv6,
  parseAddress,
  parseIPv4,
  parseIPv6,
} from './address.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const toHex = (b: Uint8Array | null): string => Array.from(b ?? [], (x) => x.toString(16).padStart(2, '0')).join('');

describe('codec address', () => {
  describe('parseIPv4', () => {
    it.each<{ text: string; expected: number[] }>([
      { text: '192.0.2.1', expected: [192, 0, 2, 1] },
      { text: '0.0.0.0', expected: [0, 0, 0, 0] },
      { text: '255.255.255.255', expected: [255, 255, 255, 255] },
      { text: '224.0.0.18', expected: [224, 0, 0, 18] },
    ])('reads $text as four bytes', ({ text, expected }) => {
      expect(parseIPv4(text)).toEqual(Uint8Array.from(expected));
    });

    it.each<{ name: string; text: string }>([
      { name: 'an empty string', text: '' },
      { name: 'three octets', text: '192.0.2' },
      { name: 'five octets', text: '192.0.2.1.5' },
      { name: 'an octet above 255', text: '192.0.2.256' },
      { name: 'a leading zero (octal in other tools)', text: '192.0.2.01' },
      { name: 'a negative octet', text: '192.0.-2.1' },
      { name: 'an empty octet', text: '192..2.1' },
      { name: 'whitespace', text: ' 192.0.2.1' },
      { name: 'a prefix length', text: '192.0.2.1/32' },
      { name: 'hex', text: '0xc0.0.2.1' },
      { name: 'an IPv6 address', text: '::1' },
    ])('returns null for $name', ({ text }) => {
      expect(parseIPv4(text)).toBeNull();
    });
  });

  describe('parseIPv6', () => {
    it.each<{ text: string; expected: string }>([
      { text: '::', expected: '00000000000000000000000000000000' },
      { text: '::1', expected: '00000000000000000000000000000001' },
      { text: 'ff02::12', expected: 'ff020000000000000000000000000012' },
      { text: '2001:db8::1', expected: '20010db8000000000000000000000001' },
      { text: '2001:DB8:0:0:0:0:0:1', expected: '20010db8000000000000000000000001' },
      { text: '2001:0db8:0000:0000:0000:0000:0000:0001', expected: '20010db8000000000000000000000001' },
      { text: 'fe80::', expected: 'fe800000000000000000000000000000' },
      { text: '1:2:3:4:5:6:7::', expected: '00010002000300040005000600070000' },
      { text: '::2:3:4:5:6:7:8', expected: '00000002000300040005000600070008' },
      { text: '::ffff:192.0.2.1', expected: '00000000000000000000ffffc0000201' },
      { text: '64:ff9b::198.51.100.7', expected: '0064ff9b0000000000000000c6336407' },
      { text: '0:0:0:0:0:ffff:192.0.2.1', expected: '00000000000000000000ffffc0000201' },
    ])('reads $text (RFC 4291 2.2)', ({ text, expected }) => {
      expect(toHex(parseIPv6(text))).toBe(expected);
    });

    it.each<{ name: string; text: string }>([
      { name: 'an empty string', text: '' },
      { name: 'a lone colon', text: ':' },
      { name: 'three colons', text: ':::' },
      { name: 'two double colons', text: '1::2::3' },
      { name: 'a leading single colon', text: ':1::2' },
      { name: 'a trailing single colon', text: '1::2:' },
      { name: 'a group of five digits', text: '12345::1' },
      { name: 'a non-hex digit', text: 'g::1' },
      { name: 'nine groups', text: '1:2:3:4:5:6:7:8:9' },
      { name: 'seven groups without ::', text: '1:2:3:4:5:6:7' },
      { name: ':: standing for no group', text: '1:2:3:4:5:6:7:8::' },
      { name: 'a zone index', text: 'fe80::1%eth0' },
      { name: 'a prefix length', text: '2001:db8::/32' },
      { name: 'an IPv4 part not at the end', text: '::192.0.2.1:1' },
      { name: 'an IPv4 part before ::', text: '192.0.2.1::' },
      { name: 'a bad IPv4 tail', text: '::ffff:192.0.2.300' },
      { name: 'brackets', text: '[::1]' },
      { name: 'an IPv4 address', text: '192.0.2.1' },
    ])('returns null for $name', ({ text }) => {
      expect(parseIPv6(text)).toBeNull();
    });
  });

  describe('formatIPv6', () => {
    it.each<{ rule: string; text: string; expected: string }>([
      { rule: '4.1: no leading zeros', text: '2001:0db8:0000:0000:0000:0000:0000:0001', expected: '2001:db8::1' },
      { rule: '4.2.1: the longest zero run compressed', text: '2001:db8:0:0:0:0:2:1', expected: '2001:db8::2:1' },
      {
        rule: '4.2.2: a single zero group not compressed',
        text: '2001:db8:0:1:1:1:1:1',
        expected: '2001:db8:0:1:1:1:1:1',
      },
      { rule: '4.2.3: the longer of two runs', text: '2001:0:0:1:0:0:0:1', expected: '2001:0:0:1::1' },
      { rule: '4.2.3: the first of two equal runs', text: '2001:db8:0:0:1:0:0:1', expected: '2001:db8::1:0:0:1' },
      { rule: '4.3: lower case', text: '2001:DB8::ABCD', expected: '2001:db8::abcd' },
      { rule: '5: IPv4-mapped in dotted decimal', text: '::ffff:c000:0201', expected: '::ffff:192.0.2.1' },
      { rule: '4.2: all zeros', text: '0:0:0:0:0:0:0:0', expected: '::' },
      { rule: '4.2: a trailing run', text: 'fe80:0:0:0:0:0:0:0', expected: 'fe80::' },
      { rule: '4.2: the multicast group', text: 'FF02:0:0:0:0:0:0:12', expected: 'ff02::12' },
    ])('writes the RFC 5952 $rule form', ({ text, expected }) => {
      const parsed = parseIPv6(text);
      expect(parsed).not.toBeNull();
      expect(formatIPv6(parsed ?? new Uint8Array(16))).toBe(expected);
    });

    it('throws a RangeError on a byte array that is not 16 long', () => {
      expect(() => formatIPv6(new Uint8Array(4))).toThrow(RangeError);
    });

    it('reads back every formatted address as the same bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (raw) => {
          expect(parseIPv6(formatIPv6(raw))).toEqual(raw);
        }),
      );
    });

    it('gives one spelling for every spelling of an address (fast-check ipV6 texts)', () => {
      fc.assert(
        fc.property(fc.ipV6(), (text) => {
          const parsed = parseIPv6(text);
          expect(parsed).not.toBeNull();
          const canonical = formatIPv6(parsed ?? new Uint8Array(16));
          expect(canonical).toBe(canonical.toLowerCase());
          expect(canonical).not.toMatch(/(^|:)0[0-9a-f]/);
          expect(parseIPv6(canonical)).toEqual(parsed);
          expect(formatIPv6(parseIPv6(canonical) ?? new Uint8Array(16))).toBe(canonical);
        }),
      );
    });
  });

  describe('formatIPv4', () => {
    it('writes dotted decimal', () => {
      expect(formatIPv4(bytes(198, 51, 100, 100))).toBe('198.51.100.100');
    });

    it('reads back every formatted address as the same bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (raw) => {
          expect(parseIPv4(formatIPv4(raw))).toEqual(raw);
        }),
      );
    });

    it('formats every fast-check ipV4 text back to itself', () => {
      fc.assert(
        fc.property(fc.ipV4(), (text) => {
          expect(formatIPv4(parseIPv4(text) ?? new Uint8Array(4))).toBe(text);
        }),
      );
    });

    it('throws a RangeError on a byte array that is not 4 long', () => {
      expect(() => formatIPv4(new Uint8Array(16))).toThrow(RangeError);
    });
  });

  describe('parseAddress and formatAddress', () => {
    it('tells the family by the text', () => {
      expect(parseAddress('192.0.2.1')?.family).toBe(4);
      expect(parseAddress('2001:db8::1')?.family).toBe(6);
    });

    it('formats by the byte length', () => {
      expect(formatAddress(bytes(192, 0, 2, 1))).toBe('192.0.2.1');
      expect(formatAddress(parseIPv6('2001:db8::1') ?? new Uint8Array(0))).toBe('2001:db8::1');
      expect(() => formatAddress(new Uint8Array(5))).toThrow(RangeError);
    });

    it('never throws on arbitrary text, returning null or a parsed address', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
          const parsed = parseAddress(text);
          if (parsed !== null) expect(parsed.bytes.length).toBe(parsed.family === 4 ? 4 : 16);
        }),
      );
    });

    it('canonicalises spellings of one address to one string, and non-addresses to null', () => {
      expect(canonicalAddress('2001:DB8:0::1')).toBe('2001:db8::1');
      expect(canonicalAddress('192.0.2.1')).toBe('192.0.2.1');
      expect(canonicalAddress('vip.example')).toBeNull();
    });
  });

  describe('compareAddresses', () => {
    it.each<{ name: string; a: string; b: string; expected: -1 | 0 | 1 }>([
      { name: 'a higher IPv4 address is greater', a: '198.51.100.12', b: '198.51.100.11', expected: 1 },
      { name: 'IPv4 compares numerically, not as text', a: '192.0.2.9', b: '192.0.2.10', expected: -1 },
      { name: 'the first differing byte decides', a: '10.255.255.255', b: '11.0.0.0', expected: -1 },
      { name: 'bytes compare unsigned', a: '128.0.0.0', b: '127.255.255.255', expected: 1 },
      { name: 'equal addresses compare equal', a: '192.0.2.1', b: '192.0.2.1', expected: 0 },
      { name: 'IPv6 compares numerically', a: 'fe80::2', b: 'fe80::10', expected: -1 },
      { name: 'IPv6 bytes compare unsigned', a: 'fe80::8000', b: 'fe80::7fff', expected: 1 },
      { name: 'two spellings of one IPv6 address are equal', a: 'FE80:0::1', b: 'fe80::1', expected: 0 },
    ])('$name (RFC 5798 6.4.3 tie-break order)', ({ a, b, expected }) => {
      expect(compareAddresses(a, b)).toBe(expected);
      expect(compareAddresses(b, a)).toBe(0 - expected);
    });

    it('sorts addresses as unsigned big-endian numbers', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 4, maxLength: 4 }),
          fc.uint8Array({ minLength: 4, maxLength: 4 }),
          (x, y) => {
            const asNumber = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
            expect(compareAddresses(formatIPv4(x), formatIPv4(y))).toBe(Math.sign(asNumber(x) - asNumber(y)));
          },
        ),
      );
    });

    it('throws a RangeError on addresses of different families', () => {
      expect(() => compareAddresses('192.0.2.1', '::ffff:192.0.2.1')).toThrow(RangeError);
    });

    it('throws a RangeError on text that is not an address', () => {
      expect(() => compareAddresses('192.0.2.1', 'lb1')).toThrow(/not an IP address: 'lb1'/);
    });
  });
});
