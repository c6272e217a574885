export type {
  Advert,
  PacketContext,
  CodecRejectReason,
  InstanceRejectReason,
  RejectReason,
  DecodeResult,
} from './codec/types.js';
