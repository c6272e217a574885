// keepalived 2.4 `auth_hmac`: signed adverts (a subpath of its own, since it needs node:crypto
// and the package's main entry is also bundled for the browser).
export {
  AUTH_HMAC_KEY_MAX,
  AUTH_HMAC_KEY_MIN,
  AUTH_HMAC_TYPE_SHA256,
  parseTrailer,
  signAdvert,
  verifyTrailer,
  type AuthTrailer,
  type HmacKey,
  type TrailerFailure,
} from './trailer.js';
export {
  clockSequence,
  defaultTimeWindowS,
  freshness,
  nextSendSequence,
  ReplayMarks,
  seqAfter,
  MULTICAST_SENDERS,
  type AuthFailure,
  type AuthHmacConfig,
  type AuthHmacMode,
} from './sequence.js';
export { AuthHmacEndpoint, type AuthVerdict } from './receiver.js';
