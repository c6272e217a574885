import { parseAddress } from '@keepwatch/vrrp';
import type { Logger } from '../log.js';
import type { NativeNet } from '../transport/native.js';
import type { Vip } from './addresses.js';
import { garpFrame, unsolicitedNaFrame } from './frames.js';

/**
 * Sends `count` gratuitous ARPs (IPv4) or unsolicited neighbour advertisements (IPv6) for each VIP
 * from its device's MAC (AF_PACKET), so the segment's caches point here. A frame that cannot be
 * sent is logged; the next burst (garp_master_delay / refresh) tries again.
 */
export function announceVips(net: NativeNet, log: Logger, vips: readonly Vip[], count: number): void {
  for (const vip of vips) {
    const bytes = parseAddress(vip.address)?.bytes ?? new Uint8Array(0);
    let frame: Buffer;
    try {
      const mac = net.interfaceInfo(vip.dev).mac;
      frame = Buffer.from(vip.family === 4 ? garpFrame(mac, bytes) : unsolicitedNaFrame(mac, bytes));
    } catch (e) {
      log.warn({ err: e, vip: vip.address }, 'announcement not sent');
      continue;
    }
    for (let i = 0; i < count; i++) {
      try {
        net.sendFrame(vip.dev, frame);
      } catch (e) {
        log.warn({ err: e, vip: vip.address }, 'announcement not sent');
      }
    }
  }
}
