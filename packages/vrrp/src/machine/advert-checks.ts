import type { Advert } from '../codec/types.js';
import type { Action } from './actions.js';
import { addressKey } from './address.js';
import type { ResolvedConfig } from './config.js';

/** The instance's own checks on a decoded advert (STYLE §D20, RFC 5798 7.1, RFC 3768 7.1). */
export type AdvertCheck =
  | { ok: false; drop: Extract<Action, { type: 'drop' }> }
  | { ok: true; warnings: Extract<Action, { type: 'advert-warning' }>[] };

/** v2 carries 8 bytes of password; anything longer was truncated by the sender. */
const V2_AUTH_BYTES = 8;

function sameAddressSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  // Fast path: the usual case is the same list spelled the same way (the codec formats canonically).
  if (a.every((x, i) => x === b[i])) return true;
  const keys = new Set(a.map(addressKey));
  return b.every((x) => keys.has(addressKey(x)));
}

/** Check what needs the configuration: each failure is a drop with its reason. */
export function checkAdvert(config: ResolvedConfig, advert: Advert, src: string, ttl: number | undefined): AdvertCheck {
  const drop = (reason: Extract<Action, { type: 'drop' }>['reason'], detail?: string): AdvertCheck => ({
    ok: false,
    drop: detail === undefined ? { type: 'drop', reason, src } : { type: 'drop', reason, src, detail },
  });
  // RFC 5798 7.1: TTL / hop limit must be 255 (the codec checks it; this guards a shell that
  // builds adverts itself).
  if (ttl !== undefined && ttl !== 255) return drop('bad-ttl', `ttl ${ttl}`);
  if (advert.version !== config.version)
    return drop('bad-version', `version ${advert.version}, ours ${config.version}`);
  if (advert.vrid !== config.vrid) return drop('vrid-mismatch', `vrid ${advert.vrid}, ours ${config.vrid}`);
  // keepalived unicast mode: only configured peers are heard.
  if (config.unicastPeers.length > 0 && !config.unicastPeers.some((p) => addressKey(p) === addressKey(src))) {
    return drop('unknown-peer');
  }
  if (config.version === 2) {
    // RFC 3768 7.1: authentication type and data must match the configuration.
    const want = config.auth ? 'pass' : 'none';
    if ((advert.authType ?? 'none') !== want)
      return drop('auth-failed', `auth type ${advert.authType ?? 'none'}, ours ${want}`);
    if (config.auth && (advert.authData ?? '') !== config.auth.password.slice(0, V2_AUTH_BYTES)) {
      return drop('auth-failed', 'password mismatch');
    }
    // RFC 3768 7.1: a v2 advert with another Advertisement Interval is discarded.
    if (advert.advertIntervalMs !== config.advertIntervalMs) {
      return drop('interval-mismatch', `interval ${advert.advertIntervalMs} ms, ours ${config.advertIntervalMs} ms`);
    }
  }
  // RFC 3768 7.1 says discard; keepalived (and RFC 5798 7.1 "MAY") logs the mismatch and still
  // processes the advert. We do as keepalived.
  const warnings: Extract<Action, { type: 'advert-warning' }>[] = [];
  if (!sameAddressSet(advert.addresses, config.vips)) {
    warnings.push({
      type: 'advert-warning',
      reason: 'address-list-mismatch',
      src,
      detail: `received [${advert.addresses.join(' ')}], ours [${config.vips.join(' ')}]`,
    });
  }
  return { ok: true, warnings };
}
