import { constants } from 'node:os';
import type { NativeNet } from '../transport/native.js';

/** One virtual address on an interface. */
export type Vip = {
  address: string;
  /** Prefix length (default /32 for IPv4, /128 for IPv6, as keepalived). */
  prefix: number;
  dev: string;
  family: 4 | 6;
};

/** What the actuator needs of the addon: rtnetlink address requests and interface indexes. */
export type AddressNet = Pick<NativeNet, 'addrChange' | 'addrList' | 'interfaceInfo'>;

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));
const EADDRNOTAVAIL = constants.errno.EADDRNOTAVAIL;

function cidr(v: Vip): string {
  return `${v.address}/${v.prefix}`;
}

/**
 * Adds and removes VIPs through rtnetlink (native/netlink.cc) — no `ip` process per address, so a
 * takeover is not delayed by a spawn. An add replaces (idempotent, as `ip addr replace`); IPv6
 * VIPs are added `nodad`, so they can be used (and their unsolicited neighbour advertisement
 * sent) at once instead of after duplicate address detection.
 */
export class VipActuator {
  constructor(private readonly net: AddressNet) {}

  /** The interface's index, or null when it does not exist (it then holds nothing). */
  private index(dev: string): number | null {
    try {
      return this.net.interfaceInfo(dev).index;
    } catch {
      return null;
    }
  }

  async add(vips: readonly Vip[]): Promise<void> {
    for (const v of vips) {
      const index = this.index(v.dev);
      if (index === null) throw new Error(`add ${cidr(v)}: interface ${v.dev} does not exist`);
      const errno = this.net.addrChange(true, v.family, index, v.address, v.prefix, v.family === 6);
      if (errno !== 0) throw new Error(`add ${cidr(v)} on ${v.dev}: ${ERRNO_NAMES.get(errno) ?? `errno ${errno}`}`);
    }
    return Promise.resolve();
  }

  /** Removes VIPs; one that is not there (or whose interface is gone) is not an error. */
  async remove(vips: readonly Vip[]): Promise<void> {
    const errors: string[] = [];
    for (const v of vips) {
      const index = this.index(v.dev);
      if (index === null) continue;
      const errno = this.net.addrChange(false, v.family, index, v.address, v.prefix, false);
      if (errno !== 0 && errno !== EADDRNOTAVAIL)
        errors.push(`remove ${cidr(v)} from ${v.dev}: ${ERRNO_NAMES.get(errno) ?? `errno ${errno}`}`);
    }
    if (errors.length) throw new Error(errors.join('; '));
    return Promise.resolve();
  }

  /** Which of `vips` the interfaces hold now. */
  async present(vips: readonly Vip[]): Promise<Vip[]> {
    const held = new Set<string>();
    for (const dev of new Set(vips.map((v) => v.dev))) {
      const index = this.index(dev);
      if (index === null) continue;
      for (const a of this.net.addrList(0, index)) held.add(`${dev} ${a.address.toLowerCase()}`);
    }
    return Promise.resolve(vips.filter((v) => held.has(`${v.dev} ${v.address.toLowerCase()}`)));
  }
}
