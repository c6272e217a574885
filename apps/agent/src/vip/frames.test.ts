import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { garpFrame, parseMac, unsolicitedNaFrame } from './frames.js';

type ArpVector = { desc: string; frame_hex: string; fields: { arp_sha: string; arp_spa: string } };
const vectors = JSON.parse(
  readFileSync(new URL('./__fixtures__/garp-vectors.json', import.meta.url), 'utf8'),
) as ArpVector[];
const v4 = (a: string) => Uint8Array.from(a.split('.').map(Number));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('gratuitous ARP', () => {
  it.each(vectors.map((v) => ({ name: v.desc, ...v })))('is byte for byte what keepalived 2.2.7 sent: $name', (v) => {
    expect(hex(garpFrame(v.fields.arp_sha, v4(v.fields.arp_spa)))).toBe(v.frame_hex);
  });

  it('refuses an address that is not 4 bytes', () => {
    expect(() => garpFrame('02:00:00:00:00:01', new Uint8Array(16))).toThrow(/4-byte/);
  });
});

describe('unsolicited neighbour advertisement (RFC 4861 7.2.6)', () => {
  const ip = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00]); // 2001:db8::100
  const f = unsolicitedNaFrame('02:00:00:00:00:01', ip);

  it('goes to all-nodes with hop limit 255 from the VIP', () => {
    expect(hex(f.subarray(0, 6))).toBe('333300000001');
    expect(f[21]).toBe(255);
    expect(hex(f.subarray(22, 38))).toBe(hex(ip));
    expect(hex(f.subarray(38, 54))).toBe('ff020000000000000000000000000001');
  });

  it('sets the Override flag and carries the target link-layer address', () => {
    expect(f[54]).toBe(136);
    expect(f[58]).toBe(0x20);
    expect(hex(f.subarray(62, 78))).toBe(hex(ip));
    expect(hex(f.subarray(78, 86))).toBe('0201020000000001');
  });

  it('has a valid ICMPv6 checksum over the pseudo-header', () => {
    const icmp = f.subarray(54);
    const pseudo = new Uint8Array(40 + icmp.length);
    pseudo.set(f.subarray(22, 38), 0);
    pseudo.set(f.subarray(38, 54), 16);
    pseudo[35] = icmp.length;
    pseudo[39] = 58;
    pseudo.set(icmp, 40);
    let sum = 0;
    for (let i = 0; i < pseudo.length; i += 2) sum += (pseudo[i]! << 8) | pseudo[i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
  });

  it('parses MAC addresses strictly', () => {
    expect(Array.from(parseMac('be:cb:e9:f2:95:1c'))).toEqual([0xbe, 0xcb, 0xe9, 0xf2, 0x95, 0x1c]);
    expect(() => parseMac('be:cb:e9:f2:95')).toThrow(/bad MAC/);
  });
});
