import { describe, expect, it } from 'vitest';
import { decodeAuthData, encodeAuthData, significantAuthPassword } from './auth.js';

const hex = (text: string): Uint8Array => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));

describe('codec auth (VRRPv2 simple text password, RFC 2338 5.3.6.2)', () => {
  it('pads a short password with NULs to 8 bytes', () => {
    expect(encodeAuthData('1111')).toEqual(hex('3131313100000000'));
  });

  it('fills all 8 bytes with an 8-byte password', () => {
    expect(encodeAuthData('abcdefgh')).toEqual(hex('6162636465666768'));
  });

  it('writes a password as UTF-8', () => {
    expect(encodeAuthData('pä')).toEqual(hex('70c3a40000000000'));
  });

  it('throws a RangeError on a password longer than 8 bytes in UTF-8', () => {
    expect(() => encodeAuthData('pässwörd')).toThrow(RangeError);
  });

  it('strips trailing NULs when decoding', () => {
    expect(decodeAuthData(hex('3131313100000000'))).toBe('1111');
  });

  it('keeps NULs inside the password, so ab\\0cd differs from ab', () => {
    expect(decodeAuthData(hex('6162006364000000'))).toBe('ab\0cd');
  });

  it('decodes invalid UTF-8 to U+FFFD without throwing', () => {
    expect(decodeAuthData(hex('ff61000000000000'))).toBe('\ufffda');
  });

  it('keeps a leading byte order mark as a character', () => {
    expect(decodeAuthData(hex('efbbbf6100000000'))).toBe('\ufeffa');
  });

  it('cuts a configured password to the whole characters that fit 8 bytes, as sent on the wire', () => {
    expect(significantAuthPassword('secretpassword')).toBe('secretpa');
    expect(significantAuthPassword('pässwörd')).toBe('pässwö');
    expect(significantAuthPassword('1111')).toBe('1111');
  });
});
