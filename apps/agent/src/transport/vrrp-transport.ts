import {
  canonicalAddress,
  decodeAdvert,
  encodeAdvert,
  VRRP_MULTICAST_V4,
  VRRP_MULTICAST_V6,
  type Advert,
  type RejectReason,
} from '@keepwatch/vrrp';
import { signAdvert, type AuthHmacEndpoint } from '@keepwatch/vrrp/auth-hmac';
import type { Logger } from '../log.js';
import { LogThrottle } from '../log-throttle/throttle.js';
import type { WarmAdvert } from '../state/warm-format.js';
import type { AgentMetrics } from '../metrics.js';
import type { NativeNet, RawPacket } from './native.js';
import { VrrpSocket } from './vrrp-socket.js';

/** One instance on the wire: where it talks, from which address, to whom, and who hears its adverts. */
export type VrrpEndpoint = {
  name: string;
  vrid: number;
  family: 4 | 6;
  ifname: string;
  /** The source of its adverts (see VrrpSocket.send). */
  src: string;
  /** Its unicast peers; empty means multicast (224.0.0.18 / ff02::12). */
  unicastPeers: readonly string[];
  /** keepalived 2.4 `auth_hmac`: signs what it sends, verifies what it receives (off: no config). */
  auth: AuthHmacEndpoint;
  /** A decoded advert for this instance's VRID (the instance checks the rest). */
  onAdvert(advert: Advert, src: string, ttl: number): void;
};

export type TransportHooks = {
  /** Runs before the sockets open: the start-up replay hands the wire over (warm-start/replay.ts). */
  beforeStart?: () => void;
  /** Each advert as sent (not priority 0): the warm-restart file keeps a master's (state/warm.ts). */
  advertSent?: (instance: string, advert: WarmAdvert) => void;
};

type Group = { socket: VrrpSocket; endpoints: VrrpEndpoint[]; byVrid: Map<number, VrrpEndpoint> };

/**
 * The VRRP wire for this node's instances: one raw socket per interface and family, shared by the
 * instances on it (a VRID names one virtual router per interface and family — the spec enforces
 * it), so the kernel copies each packet once. Each decoded advert goes to the instance of its
 * VRID; a packet the codec rejects, or one for a VRID no instance here runs, is counted as a drop
 * for the instances on that socket (they are the ones it reached).
 */
export class VrrpTransport {
  private readonly groups = new Map<string, Group>();
  private readonly endpoints = new Map<string, { group: Group; endpoint: VrrpEndpoint }>();
  /** Drop lines per instance, reason and source: one per 10 s (the drop counter stays exact). */
  private readonly dropLog = new LogThrottle();

  constructor(
    private readonly net: NativeNet,
    private readonly metrics: AgentMetrics,
    private readonly log: Logger,
    private readonly hooks: TransportHooks = {},
  ) {}

  /** Opens the sockets for `endpoints` (after a `stop()`, or the first time). */
  start(endpoints: readonly VrrpEndpoint[]): void {
    this.hooks.beforeStart?.();
    const byKey = new Map<string, VrrpEndpoint[]>();
    for (const e of endpoints) {
      const key = `${e.ifname}/${e.family}`;
      const list = byKey.get(key) ?? [];
      if (list.some((x) => x.vrid === e.vrid)) throw new Error(`VRID ${e.vrid} twice on ${e.ifname} (IPv${e.family})`);
      byKey.set(key, [...list, e]);
    }
    for (const [key, list] of byKey) {
      const { ifname, family } = list[0]!;
      const multicast = list.some((e) => e.unicastPeers.length === 0);
      const group: Group = {
        socket: new VrrpSocket(
          this.net,
          { family, ifname, multicast },
          (packet) => this.received(group, packet),
          (err) => this.log.error({ err, ifname, family }, 'vrrp socket error'),
        ),
        endpoints: list,
        byVrid: new Map(list.map((e) => [e.vrid, e])),
      };
      this.groups.set(key, group);
      for (const endpoint of list) this.endpoints.set(endpoint.name, { group, endpoint });
      group.socket.start();
    }
  }

  /** Sends an instance's advert to the group, or to each of its unicast peers. */
  send(name: string, advert: Advert): void {
    const entry = this.endpoints.get(name);
    if (!entry) throw new Error(`no VRRP endpoint ${name}`);
    const { endpoint, group } = entry;
    const { family, src } = endpoint;
    const destinations = endpoint.unicastPeers.length
      ? endpoint.unicastPeers
      : [family === 4 ? VRRP_MULTICAST_V4 : VRRP_MULTICAST_V6];
    const packets: WarmAdvert['packets'] = [];
    // One signature per advert: every unicast copy carries the same sequence, as keepalived's.
    const signing = endpoint.auth.signing(Date.now());
    for (const dst of destinations) {
      const plain = encodeAdvert(advert, { family, src, dst });
      const message = signing ? signAdvert(plain, { family, src, dst }, signing.key, signing.seq) : plain;
      packets.push({ dst, hex: Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString('hex') });
      try {
        group.socket.send(src, dst, message);
      } catch (e) {
        this.log.warn({ err: e, instance: name, dst }, 'advert not sent');
      }
    }
    // A priority-0 advert is a release, not a claim a restart could repeat.
    if (advert.priority > 0)
      this.hooks.advertSent?.(name, {
        family,
        ifname: endpoint.ifname,
        src,
        intervalMs: advert.advertIntervalMs,
        packets,
        ...(signing && endpoint.auth.config
          ? {
              sign: {
                keyId: signing.key.id,
                keyHex: Buffer.from(signing.key.key).toString('hex'),
                seq: signing.seq.toString(),
                antiReplay: endpoint.auth.config.antiReplay,
                timeWindowS: endpoint.auth.config.timeWindowS,
              },
            }
          : {}),
      });
  }

  /** Closes every socket and forgets the instances. */
  stop(): void {
    for (const group of this.groups.values()) group.socket.stop();
    this.groups.clear();
    this.endpoints.clear();
  }

  private received(group: Group, packet: RawPacket): void {
    const family = group.socket.options.family;
    const authTrailer = group.byVrid.get(packet.data[1] ?? 0)?.auth.expectsTrailer === true;
    const ctx = { family, src: packet.src, dst: packet.dst, ttl: packet.ttl };
    const decoded = decodeAdvert(packet.data, ctx, { authTrailer });
    if (!decoded.ok) return this.dropped(group, packet, decoded.reason, decoded.detail);
    const endpoint = group.byVrid.get(decoded.advert.vrid);
    if (!endpoint) return this.dropped(group, packet, 'vrid-mismatch', `VRID ${decoded.advert.vrid} does not run here`);
    // As keepalived: a multicast instance takes only multicast adverts, a unicast one only unicast.
    const unicastInstance = endpoint.unicastPeers.length > 0;
    if (isMulticast(packet.dst, family) === unicastInstance) {
      const detail = `${unicastInstance ? 'multicast' : 'unicast'} advert to ${packet.dst} for a ${unicastInstance ? 'unicast' : 'multicast'} instance`;
      return this.dropped({ ...group, endpoints: [endpoint] }, packet, 'destination-mismatch', detail);
    }
    if (endpoint.auth.expectsTrailer) {
      const only = { ...group, endpoints: [endpoint] };
      // keepalived: a signed unicast advert must come from a configured peer (it anchors the replay mark).
      if (unicastInstance && !endpoint.unicastPeers.some((p) => sameAddress(p, packet.src)))
        return this.dropped(only, packet, 'unknown-peer', `${packet.src} is not a unicast peer`);
      const verdict = endpoint.auth.verify(packet.data, decoded.trailer !== undefined, family, packet.src, Date.now());
      if (!verdict.ok) return this.dropped(only, packet, verdict.reason, undefined);
    }
    this.metrics.advertsReceived.inc({ instance: endpoint.name });
    endpoint.onAdvert(decoded.advert, packet.src, packet.ttl);
  }

  private dropped(group: Group, packet: RawPacket, reason: RejectReason, detail: string | undefined): void {
    for (const e of group.endpoints) {
      this.metrics.dropped.inc({ instance: e.name, reason });
      const d = this.dropLog.decide(`${e.name} ${reason} ${packet.src}`, performance.now());
      if (d.log)
        this.log.debug(
          { instance: e.name, vrid: e.vrid, reason, detail, src: packet.src, suppressed: d.suppressed },
          'packet dropped',
        );
    }
  }
}

/** 224.0.0.0/4 or ff00::/8. */
function isMulticast(address: string, family: 4 | 6): boolean {
  if (family === 6) return address.toLowerCase().startsWith('ff');
  const first = Number(address.split('.', 1)[0]);
  return first >= 224 && first <= 239;
}

function sameAddress(a: string, b: string): boolean {
  return (canonicalAddress(a) ?? a) === (canonicalAddress(b) ?? b);
}
