// Textual IPv4 / IPv6 addresses to bytes and back, pure and small, for the wire format and the
// equal-priority tie-break (RFC 5798 6.4.3).
//
// Parsing never throws: invalid text gives `null` (a typed "no"), so the codec can turn it into a
// rejection. Formatting takes bytes the caller already holds (length 4 or 16) and throws a
// RangeError otherwise, since a wrong length there is a bug, not untrusted input (STYLE §D21).

/** An address as bytes in network order, with its family. */
export type ParsedAddress = { family: 4 | 6; bytes: Uint8Array };

const IPV4_OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * Parses dotted-decimal IPv4 text (`192.0.2.1`) into 4 bytes.
 *
 * Strict: exactly four decimal octets 0..255 and no leading zeros (`010` is ambiguous between
 * octal and decimal in other tools), no whitespace, no shorthand forms (`127.1`).
 *
 * @returns the 4 bytes, or `null` when `text` is not such an address. Never throws.
 */
export function parseIPv4(text: string): Uint8Array | null {
  if (typeof text !== 'string' || text.length > 15) return null;
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    if (!IPV4_OCTET.test(part)) return null;
    out[i] = Number(part);
  }
  return out;
}

/** Parses one side of `::` into 16-bit groups; an IPv4 tail is allowed when `allowV4Tail`. */
function parseGroups(text: string, allowV4Tail: boolean): number[] | null {
  if (text === '') return [];
  const items = text.split(':');
  const groups: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i] ?? '';
    if (allowV4Tail && i === items.length - 1 && item.includes('.')) {
      // RFC 4291 2.2 form 3: the low 32 bits in dotted decimal (`::ffff:192.0.2.1`).
      const v4 = parseIPv4(item);
      if (v4 === null) return null;
      groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      continue;
    }
    if (!IPV6_GROUP.test(item)) return null;
    groups.push(parseInt(item, 16));
  }
  return groups;
}

/**
 * Parses IPv6 text in any RFC 4291 2.2 form (full, `::`-compressed, with an embedded IPv4 tail,
 * any letter case) into 16 bytes.
 *
 * A zone index (`fe80::1%eth0`) is not an address and is rejected: strip it before calling.
 *
 * @returns the 16 bytes, or `null` when `text` is not such an address. Never throws.
 */
export function parseIPv6(text: string): Uint8Array | null {
  // 45 characters is the longest form (`ffff:…:ffff:255.255.255.255`); this also bounds the work.
  if (typeof text !== 'string' || text.length < 2 || text.length > 45) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  let groups: number[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0] ?? '', false);
    const tail = parseGroups(halves[1] ?? '', true);
    if (head === null || tail === null) return null;
    // RFC 4291 2.2: `::` stands for one or more groups of zeros.
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return null;
    groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  } else {
    const all = parseGroups(text, true);
    if (all === null) return null;
    groups = all;
  }
  if (groups.length !== 8) return null;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/**
 * Parses IPv4 or IPv6 text (a `:` selects IPv6).
 *
 * @returns the family and bytes, or `null` when `text` is neither. Never throws.
 */
export function parseAddress(text: string): ParsedAddress | null {
  if (typeof text !== 'string') return null;
  if (text.includes(':')) {
    const bytes = parseIPv6(text);
    return bytes === null ? null : { family: 6, bytes };
  }
  const bytes = parseIPv4(text);
  return bytes === null ? null : { family: 4, bytes };
}

/**
 * Formats 4 bytes as dotted-decimal IPv4.
 *
 * @throws RangeError when `bytes` is not 4 bytes long (a caller bug).
 */
export function formatIPv4(bytes: Uint8Array): string {
  if (bytes.length !== 4) throw new RangeError(`formatIPv4: expected 4 bytes, got ${bytes.length}`);
  return Array.from(bytes).join('.');
}

/**
 * Formats 16 bytes as IPv6 text in the RFC 5952 canonical form: lower case, no leading zeros in a
 * group (4.1), the longest run of two or more zero groups compressed to `::`, the first one on a
 * tie (4.2), a lone zero group not compressed (4.2.2); an IPv4-mapped address as `::ffff:a.b.c.d`
 * (5).
 *
 * @throws RangeError when `bytes` is not 16 bytes long (a caller bug).
 */
export function formatIPv6(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`formatIPv6: expected 16 bytes, got ${bytes.length}`);
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));

  // RFC 5952 5: IPv4-mapped addresses (::ffff:0:0/96) keep the IPv4 part in dotted decimal.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIPv4(bytes.subarray(12, 16))}`;
  }

  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    // Strictly longer only: on a tie the first run wins (RFC 5952 4.2.3).
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestLen < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/**
 * Formats an address's bytes: 4 bytes as IPv4, 16 as IPv6 (RFC 5952).
 *
 * @throws RangeError for any other length (a caller bug).
 */
export function formatAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return formatIPv4(bytes);
  if (bytes.length === 16) return formatIPv6(bytes);
  throw new RangeError(`formatAddress: expected 4 or 16 bytes, got ${bytes.length}`);
}

/**
 * The canonical spelling of an address (IPv4 dotted decimal, IPv6 per RFC 5952), so that two
 * spellings of one address compare equal as strings (`2001:DB8:0::1` → `2001:db8::1`).
 *
 * @returns the canonical text, or `null` when `text` is not an address. Never throws.
 */
export function canonicalAddress(text: string): string | null {
  const parsed = parseAddress(text);
  return parsed === null ? null : formatAddress(parsed.bytes);
}

/**
 * The one address order (RFC 5798 6.4.3 tie-break): two addresses' bytes of one family compared
 * as unsigned big-endian numbers. `compareAddresses` and the machine's tie-break both use it.
 *
 * @returns -1 when `x` < `y`, 0 when equal, 1 when `x` > `y`; a shorter (IPv4) array sorts first.
 */
export function compareAddressBytes(x: Uint8Array, y: Uint8Array): -1 | 0 | 1 {
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  for (let i = 0; i < x.length; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * Compares two addresses of one family as unsigned big-endian numbers (byte strings), the order
 * of RFC 5798 6.4.3's tie-break: on equal priority, the advert from the higher primary address
 * wins. Usable directly as an `Array.prototype.sort` comparator.
 *
 * @returns -1 when `a` < `b`, 0 when equal, 1 when `a` > `b`.
 * @throws RangeError when either is not a valid address, or the families differ (the tie-break
 *   only ever compares addresses of one instance's family; anything else is a caller bug).
 */
export function compareAddresses(a: string, b: string): -1 | 0 | 1 {
  const x = parseAddress(a);
  const y = parseAddress(b);
  if (x === null) throw new RangeError(`compareAddresses: not an IP address: '${a}'`);
  if (y === null) throw new RangeError(`compareAddresses: not an IP address: '${b}'`);
  if (x.family !== y.family) {
    throw new RangeError(`compareAddresses: different families: '${a}' (IPv${x.family}) and '${b}' (IPv${y.family})`);
  }
  return compareAddressBytes(x.bytes, y.bytes);
}
