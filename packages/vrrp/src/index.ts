export type {
  Advert,
  PacketContext,
  CodecRejectReason,
  InstanceRejectReason,
  RejectReason,
  DecodeResult,
  DecodeOptions,
  EncodeContext,
  EncodeOptions,
} from './codec/types.js';
// Codec (RFC 3768 / RFC 5798 wire format).
export { decodeAdvert, encodeAdvert } from './codec/advert.js';
export { significantAuthPassword } from './codec/auth.js';
export { onesComplementSum } from './codec/checksum.js';
export { CODEC_REJECT_REASONS } from './codec/reject-reason.js';
export {
  VRRP_PROTOCOL,
  VRRP_MULTICAST_V4,
  VRRP_MULTICAST_V6,
  VRRP_TTL,
  VRRP_AUTH_DATA_LEN,
  AUTH_TRAILER_LEN,
  VRRP_MAX_ADDRESSES,
  VRRP_V2_ADVERT_INTERVAL_MIN_MS,
  VRRP_V2_ADVERT_INTERVAL_MAX_MS,
  VRRP_V3_ADVERT_INTERVAL_MIN_MS,
  VRRP_V3_ADVERT_INTERVAL_MAX_MS,
} from './codec/constants.js';
export type { ParsedAddress } from './codec/address.js';
export {
  parseIPv4,
  parseIPv6,
  parseAddress,
  formatIPv4,
  formatIPv6,
  formatAddress,
  canonicalAddress,
  compareAddresses,
  compareAddressBytes,
} from './codec/address.js';

// State machine (one VRRP instance; see README: shell contract).
export * from './machine/index.js';
// Simulation: an in-memory segment of routers with a fake clock (tests, benchmarks).
export * from './sim/index.js';
// Injected ports.
export type { Clock, Rng } from './ports.js';
