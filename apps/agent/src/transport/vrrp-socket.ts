import type { NativeNet, RawPacket, Watcher } from './native.js';

/** Where a VRRP socket listens: one interface and family, shared by every instance on it. */
export type VrrpSocketOptions = {
  family: 4 | 6;
  /** The interface (SO_BINDTODEVICE, multicast membership, egress). */
  ifname: string;
  /** Join 224.0.0.18 / ff02::12: on when any instance on it is not unicast-only (keepalived `unicast_peer`). */
  multicast: boolean;
};

/** Most packets read per readable event, so one busy socket cannot starve the loop. */
const MAX_READS_PER_WAKE = 64;

/**
 * A raw IP protocol 112 socket bound to one interface. Every packet is handed to `onPacket` with
 * what the kernel reported (TTL / hop limit, source, destination): the codec checks them.
 * `start()` opens it; `stop()` closes it. One socket serves every instance of a family on an
 * interface: VrrpTransport hands each advert to the instance of its VRID.
 */
export class VrrpSocket {
  private fd = -1;
  private ifindex = 0;
  private watcher: Watcher | null = null;

  constructor(
    private readonly net: NativeNet,
    readonly options: VrrpSocketOptions,
    private readonly onPacket: (packet: RawPacket) => void,
    private readonly onError: (error: Error) => void,
  ) {}

  start(): void {
    if (this.fd >= 0) return;
    const { family, ifname, multicast } = this.options;
    this.ifindex = this.net.interfaceInfo(ifname).index;
    this.fd = this.net.openVrrp(family, ifname, multicast);
    this.watcher = new this.net.Watcher(this.fd, (status) => this.readable(status));
  }

  private readable(status: number): void {
    if (status < 0) {
      this.onError(new Error(`poll error ${status} on the VRRP socket of ${this.options.ifname}`));
      return;
    }
    for (let i = 0; i < MAX_READS_PER_WAKE && this.fd >= 0; i++) {
      let packet: RawPacket | null;
      try {
        packet = this.net.recvVrrp(this.fd, this.options.family);
      } catch (e) {
        this.onError(e as Error);
        return;
      }
      if (packet === null) return;
      try {
        this.onPacket(packet);
      } catch (e) {
        this.onError(e as Error);
      }
    }
  }

  /**
   * Sends one VRRP message (without IP header) from `src` to `dst` with TTL / hop limit 255.
   * `src`: the instance's primary IPv4 address (keepalived `mcast_src_ip` / `unicast_src_ip`) or
   * its IPv6 link-local address (RFC 5798 5.1.2.1).
   */
  send(src: string, dst: string, message: Uint8Array): void {
    if (this.fd < 0) throw new Error(`VRRP socket on ${this.options.ifname} is not open`);
    this.net.sendVrrp(
      this.fd,
      this.options.family,
      this.ifindex,
      src,
      dst,
      Buffer.from(message.buffer, message.byteOffset, message.byteLength),
    );
  }

  stop(): void {
    this.watcher?.stop();
    this.watcher = null;
    if (this.fd >= 0) this.net.closeFd(this.fd);
    this.fd = -1;
  }
}
