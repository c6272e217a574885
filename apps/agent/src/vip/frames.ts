import { onesComplementSum } from '@keepwatch/vrrp';

/**
 * Link-layer announcements a new master sends for its VIPs, as whole Ethernet frames for the
 * AF_PACKET socket: gratuitous ARP for IPv4 (RFC 5227 3 / RFC 5798 6.4.1: "broadcast a gratuitous
 * ARP request containing the virtual router MAC address for each IP address"; the agent, like
 * keepalived without use_vmac, announces the interface's own MAC) and an unsolicited neighbour
 * advertisement for IPv6 (RFC 4861 7.2.6, Override flag set). Pure functions of their inputs.
 */

const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;
const ICMPV6 = 58;
const ND_NEIGHBOR_ADVERT = 136;
const ND_OPT_TARGET_LLADDR = 2;
/** ff02::1, all-nodes. */
const ALL_NODES = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01];

/** A MAC address `aa:bb:cc:dd:ee:ff` as 6 bytes; throws on anything else. */
export function parseMac(mac: string): Uint8Array {
  const parts = mac.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p)))
    throw new Error(`bad MAC address ${JSON.stringify(mac)}`);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/**
 * A gratuitous ARP request for `ip` (4 bytes) from `mac`, byte for byte as keepalived 2.2.7 sends
 * it: broadcast, opcode 1, sender = target = the VIP, target hardware address all ones.
 */
export function garpFrame(mac: string, ip: Uint8Array): Uint8Array {
  if (ip.length !== 4) throw new Error('garpFrame needs a 4-byte IPv4 address');
  const m = parseMac(mac);
  const f = new Uint8Array(42);
  f.set(BROADCAST, 0);
  f.set(m, 6);
  f[12] = ETHERTYPE_ARP >> 8;
  f[13] = ETHERTYPE_ARP & 0xff;
  f.set([0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01], 14); // Ethernet, IPv4, hlen, plen, request
  f.set(m, 22);
  f.set(ip, 28);
  f.set(BROADCAST, 32);
  f.set(ip, 38);
  return f;
}

/**
 * An unsolicited neighbour advertisement for `ip` (16 bytes) from `mac`: to all-nodes, hop limit
 * 255, from the VIP itself, Override set (so neighbours replace a cached entry), with the target
 * link-layer address option.
 */
export function unsolicitedNaFrame(mac: string, ip: Uint8Array): Uint8Array {
  if (ip.length !== 16) throw new Error('unsolicitedNaFrame needs a 16-byte IPv6 address');
  const m = parseMac(mac);
  const icmp = new Uint8Array(32);
  icmp[0] = ND_NEIGHBOR_ADVERT;
  icmp[4] = 0x20; // R=0 S=0 O=1
  icmp.set(ip, 8);
  icmp[24] = ND_OPT_TARGET_LLADDR;
  icmp[25] = 1; // in units of 8 bytes
  icmp.set(m, 26);
  const pseudo = new Uint8Array(40 + icmp.length);
  pseudo.set(ip, 0);
  pseudo.set(ALL_NODES, 16);
  pseudo[35] = icmp.length; // upper-layer length (32)
  pseudo[39] = ICMPV6;
  pseudo.set(icmp, 40);
  const sum = ~onesComplementSum([pseudo]) & 0xffff;
  icmp[2] = sum >> 8;
  icmp[3] = sum & 0xff;

  const f = new Uint8Array(14 + 40 + icmp.length);
  f.set([0x33, 0x33, 0x00, 0x00, 0x00, 0x01], 0); // multicast MAC of ff02::1
  f.set(m, 6);
  f[12] = ETHERTYPE_IPV6 >> 8;
  f[13] = ETHERTYPE_IPV6 & 0xff;
  f[14] = 0x60;
  f[18] = 0;
  f[19] = icmp.length;
  f[20] = ICMPV6;
  f[21] = 255; // RFC 4861 7.1.2: hop limit 255
  f.set(ip, 22);
  f.set(ALL_NODES, 38);
  f.set(icmp, 54);
  return f;
}
