/**
 * A VRRP advertisement as the engine sees it, independent of the wire version.
 *
 * `advertIntervalMs` is the one time unit inside: the codec converts from seconds (v2,
 * RFC 3768 5.3.7) or centiseconds (v3 Max Adver Int, RFC 5798 5.2.7) at the boundary.
 */
export type Advert = {
  version: 2 | 3;
  /** Virtual Router Identifier, 1..255. */
  vrid: number;
  /** 0 (master leaving, RFC 5798 6.4.3), 1..254, or 255 (address owner). */
  priority: number;
  /** Advertisement interval in milliseconds. */
  advertIntervalMs: number;
  /** The virtual addresses carried in the advert, in wire order, textual form. */
  addresses: string[];
  /** v2 only (RFC 3768 5.3.6). Absent on v3. */
  authType?: 'none' | 'pass';
  /** v2 simple-text password, at most 8 bytes; trailing NULs stripped. */
  authData?: string;
};

/** What the IP layer tells about a received (or to be sent) packet. */
export type PacketContext = {
  family: 4 | 6;
  /** Source address of the IP packet, textual. */
  src: string;
  /** Destination address of the IP packet, textual (224.0.0.18, ff02::12 or a unicast peer). */
  dst: string;
  /** IPv4 TTL or IPv6 hop limit as received. */
  ttl: number;
};

/** Why the codec rejected a packet: only what the bytes and the packet context show (STYLE §D20). */
export type CodecRejectReason =
  | 'too-short'
  | 'bad-length'
  | 'bad-version'
  | 'bad-type'
  | 'bad-checksum'
  | 'bad-ttl';

/** Why an instance dropped a decoded advert: what needs its configuration. */
export type InstanceRejectReason =
  | 'vrid-mismatch'
  | 'auth-failed'
  | 'interval-mismatch'
  | 'address-list-mismatch'
  | 'unknown-peer';

/** One union of both: the label set of the agent's drop counter. */
export type RejectReason = CodecRejectReason | InstanceRejectReason;

export type DecodeResult =
  | { ok: true; advert: Advert }
  | { ok: false; reason: CodecRejectReason; detail?: string };
