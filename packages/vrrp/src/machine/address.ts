// The machine's address comparisons, on the codec's parser. Unlike the codec's
// `compareAddresses`, these never throw: an advert's source comes from the shell, and an odd one
// must not crash the instance (it simply never wins a tie-break it should not).
import { compareAddressBytes, parseAddress } from '../codec/address.js';

/** Bytes of an IPv4 or IPv6 address in text form, or null when it is neither. */
export function addressBytes(text: string): Uint8Array | null {
  return parseAddress(text)?.bytes ?? null;
}

/**
 * The tie-break order of two addresses (RFC 5798 6.4.3), on the codec's `compareAddressBytes`:
 * negative, 0 or positive. Unparseable or mixed-family pairs compare as text.
 */
export function tieBreakOrder(a: string, b: string): number {
  const x = addressBytes(a);
  const y = addressBytes(b);
  if (!x || !y || x.length !== y.length) return a < b ? -1 : a > b ? 1 : 0;
  return compareAddressBytes(x, y);
}

/** A canonical key for set membership ("2001:DB8:0::1" = "2001:db8::1"). */
export function addressKey(text: string): string {
  const b = addressBytes(text);
  return b ? b.join('.') : text.toLowerCase();
}
