import type { AddressNet } from './addresses.js';

/**
 * The address an instance advertises from: keepalived uses the interface's primary IPv4 address
 * (RFC 5798 5.1.1.1) and, for IPv6, its link-local address (RFC 5798 5.1.2.1). VIPs are never
 * chosen, even when one sits first on the interface. Read through rtnetlink, in the kernel's order.
 */
export function primaryAddressOf(
  net: AddressNet,
): (ifname: string, family: 4 | 6, exclude: readonly string[]) => Promise<string> {
  return (ifname, family, exclude) => {
    let index: number;
    try {
      index = net.interfaceInfo(ifname).index;
    } catch (e) {
      return Promise.reject(new Error(`interface ${ifname}: ${(e as Error).message}`));
    }
    const skip = new Set(exclude.map((a) => a.toLowerCase()));
    const wanted = family === 4 ? 'global' : 'link';
    const found = net.addrList(family, index).find((a) => a.scope === wanted && !skip.has(a.address.toLowerCase()));
    if (found) return Promise.resolve(found.address);
    return Promise.reject(
      new Error(
        `interface ${ifname} has no ${family === 4 ? 'IPv4 address' : 'IPv6 link-local address'} to advertise from (set unicastSrcIp)`,
      ),
    );
  };
}
