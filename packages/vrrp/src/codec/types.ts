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
  /**
   * v2 only (RFC 3768 5.3.6). Absent on v3. Decoding always sets it on v2. `'ah'` is Auth Type 2
   * (RFC 2338 IP Authentication Header): the codec reports it as a fact and cannot check it; the
   * instance drops it unless configured for it (`'auth-failed'`). Auth types above 2 are rejected
   * by the codec as `'bad-type'`. Encoding treats an absent value as `'none'`.
   */
  authType?: 'none' | 'pass' | 'ah';
  /**
   * v2 simple-text password (`authType: 'pass'` only), at most 8 bytes in UTF-8; trailing NULs
   * stripped on decode. Ignored on encode for other auth types and on v3.
   */
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

/** Where an advert is sent: the packet context without the TTL, which is always 255 on send. */
export type EncodeContext = Pick<PacketContext, 'family' | 'src' | 'dst'>;

/** Options of `decodeAdvert`. */
export type DecodeOptions = {
  /**
   * keepalived `vrrp_v3_checksum_as_v2`: on v3 over IPv4, also accept a checksum computed over
   * the message alone, without the pseudo-header. Both forms are then accepted. Default false.
   * No effect on v2 or IPv6.
   */
  checksumAsV2?: boolean;
  /**
   * Reject a TTL / hop limit other than 255 (RFC 3768 7.1, RFC 5798 7.1). Default true.
   * keepalived skips this check for instances with unicast peers, whose adverts may cross
   * routers; pass false to do the same.
   */
  checkTtl?: boolean;
  /**
   * The instance runs keepalived 2.4's `auth_hmac`: a packet exactly 28 bytes longer than its
   * message carries the authenticated trailer, returned in `trailer` (verified by
   * `@keepwatch/vrrp/auth-hmac`). Default false: such a packet is `'bad-length'`.
   */
  authTrailer?: boolean;
};

/** Options of `encodeAdvert`. */
export type EncodeOptions = {
  /**
   * keepalived `vrrp_v3_checksum_as_v2`: on v3 over IPv4, compute the checksum over the message
   * alone, without the pseudo-header. Default false. No effect on v2 or IPv6.
   */
  checksumAsV2?: boolean;
};

/** Why the codec rejected a packet: only what the bytes and the packet context show (STYLE §D20). */
export type CodecRejectReason = 'too-short' | 'bad-length' | 'bad-version' | 'bad-type' | 'bad-checksum' | 'bad-ttl';

/** Why an instance dropped a decoded advert: what needs its configuration. */
export type InstanceRejectReason =
  | 'vrid-mismatch'
  | 'auth-failed'
  | 'interval-mismatch'
  | 'address-list-mismatch'
  | 'unknown-peer'
  /** Sent unicast to a multicast instance, or multicast to a unicast one (keepalived drops both). */
  | 'destination-mismatch'
  /** A priority-0 or lower-priority advert a master already answered within this advert interval. */
  | 'answer-rate-limited'
  /** auth_hmac (keepalived 2.4), enforce mode: an advert without the trailer. */
  | 'auth-missing'
  /** auth_hmac: a trailer of another scheme, or reserved bits set. */
  | 'auth-malformed'
  /** auth_hmac: a key id this instance does not hold. */
  | 'auth-unknown-key'
  /** auth_hmac: the HMAC does not match (wrong key, or the packet was changed). */
  | 'auth-bad-hmac'
  /** auth_hmac, anti_replay time: the timestamp is outside the freshness window. */
  | 'auth-stale'
  /** auth_hmac: a sequence not above the last one accepted from that sender. */
  | 'auth-replay';

/** One union of both: the label set of the agent's drop counter. */
export type RejectReason = CodecRejectReason | InstanceRejectReason;

/**
 * What `decodeAdvert` returns: the advert, or why the bytes were rejected. `detail` is a short
 * human text with the offending values (for logs); the codec always sets it on a rejection.
 */
export type DecodeResult =
  | { ok: true; advert: Advert; /** The auth_hmac trailer, when `authTrailer` and present. */ trailer?: Uint8Array }
  | { ok: false; reason: CodecRejectReason; detail?: string };
