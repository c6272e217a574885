// VRRPv2 simple text password (RFC 2338 5.3.6.2, kept by keepalived as `auth_type PASS`): the
// Authentication Data field holds up to 8 bytes of the password, padded with NULs. RFC 3768 5.3.6
// removed authentication from the protocol but reserved the type numbers for it, so keepalived
// peers still send it.
//
// A password is text here, sent as UTF-8 (keepalived copies the bytes of its config file, which
// are UTF-8 in practice).

import { VRRP_AUTH_DATA_LEN } from './constants.js';

const utf8Encoder = new TextEncoder();
// Not fatal: the bytes are untrusted, and invalid UTF-8 becomes U+FFFD rather than an exception.
// ignoreBOM keeps a leading EF BB BF as a character instead of silently dropping it.
const utf8Decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * The part of a configured password that goes on the wire: the longest prefix (whole characters)
 * whose UTF-8 form fits the 8-byte field, without trailing NULs. This is what a decoded
 * `authData` is compared against. keepalived too uses only the first 8 bytes of `auth_pass`
 * (it would cut a multi-byte character in half where this keeps it whole).
 */
export function significantAuthPassword(password: string): string {
  let out = '';
  let used = 0;
  for (const ch of password) {
    const len = utf8Encoder.encode(ch).length;
    if (used + len > VRRP_AUTH_DATA_LEN) break;
    out += ch;
    used += len;
  }
  return out.replace(/\0+$/, '');
}

/**
 * The 8-byte Authentication Data field for a simple text password: UTF-8, NUL padded.
 *
 * @throws RangeError when the password's UTF-8 form is longer than 8 bytes (the caller must
 *   validate, or cut it with {@link significantAuthPassword}).
 */
export function encodeAuthData(password: string): Uint8Array {
  const bytes = utf8Encoder.encode(password);
  if (bytes.length > VRRP_AUTH_DATA_LEN) {
    throw new RangeError(`authData: the password is ${bytes.length} bytes in UTF-8, at most ${VRRP_AUTH_DATA_LEN} fit`);
  }
  const out = new Uint8Array(VRRP_AUTH_DATA_LEN);
  out.set(bytes, 0);
  return out;
}

/**
 * The password text in an Authentication Data field: trailing NULs stripped, UTF-8 decoded
 * (invalid sequences become U+FFFD). NULs inside the password are kept, so `ab\0cd` and `ab`
 * stay different, as keepalived's byte-wise comparison has it. Never throws.
 */
export function decodeAuthData(field: Uint8Array): string {
  let end = field.length;
  while (end > 0 && field[end - 1] === 0) end--;
  return utf8Decoder.decode(field.subarray(0, end));
}
