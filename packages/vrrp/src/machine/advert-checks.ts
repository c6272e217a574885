import type { Advert } from '../codec/types.js';
import type { Action } from './actions.js';
import { addressKey } from './address.js';
import type { AdvertAuth, ResolvedConfig } from './config.js';
import type { InstanceState } from './state.js';

/** The instance's own checks on a decoded advert (STYLE §D20, RFC 5798 7.1, RFC 3768 7.1). */
export type AdvertCheck =
  | { ok: false; drop: Extract<Action, { type: 'drop' }> }
  | { ok: true; warnings: Extract<Action, { type: 'advert-warning' }>[] };

/** v2 carries 8 bytes of password; anything longer was truncated by the sender. */
const V2_AUTH_BYTES = 8;

export function sameAddressSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  // Fast path: the usual case is the same list spelled the same way (the codec formats canonically).
  if (a.every((x, i) => x === b[i])) return true;
  const keys = new Set(a.map(addressKey));
  return b.every((x) => keys.has(addressKey(x)));
}

/** v2 settings accepted besides the configured ones (a rollout in progress, `previousAccepted`). */
export type AlsoAccepted = Readonly<{
  auth: AdvertAuth | null;
  advertIntervalMs: number;
  vips: readonly string[];
}> | null;

function authMatches(auth: AdvertAuth | null, advert: Advert): boolean {
  if ((advert.authType ?? 'none') !== (auth ? 'pass' : 'none')) return false;
  return !auth || (advert.authData ?? '') === auth.password.slice(0, V2_AUTH_BYTES);
}

/**
 * Check what needs the configuration: each failure is a drop with its reason. `also` (v2) is a
 * password and an interval accepted as well as the configured ones.
 */
export function checkAdvert(
  config: ResolvedConfig,
  advert: Advert,
  src: string,
  ttl: number | undefined,
  also: AlsoAccepted = null,
): AdvertCheck {
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
    if (!authMatches(config.auth, advert) && !(also && authMatches(also.auth, advert))) {
      if ((advert.authType ?? 'none') !== want)
        return drop('auth-failed', `auth type ${advert.authType ?? 'none'}, ours ${want}`);
      return drop('auth-failed', 'password mismatch');
    }
    // RFC 3768 7.1: a v2 advert with another Advertisement Interval is discarded.
    if (advert.advertIntervalMs !== config.advertIntervalMs && advert.advertIntervalMs !== also?.advertIntervalMs) {
      return drop('interval-mismatch', `interval ${advert.advertIntervalMs} ms, ours ${config.advertIntervalMs} ms`);
    }
  }
  const warnings: Extract<Action, { type: 'advert-warning' }>[] = [];
  const listOk =
    sameAddressSet(advert.addresses, config.vips) || (also !== null && sameAddressSet(advert.addresses, also.vips));
  if (!listOk) {
    const detail = `received [${advert.addresses.join(' ')}], ours [${config.vips.join(' ')}]`;
    // RFC 3768 7.1: a v2 advert whose address list differs is dropped unless it comes from the
    // address owner (priority 255) — crafted lists moved the VIP before (issue #15 finding 6).
    if (config.version === 2 && advert.priority !== 255) return drop('address-list-mismatch', detail);
    // v3 (RFC 5798 7.1 "MAY", RFC 9568): an advert naming no address at all is ignored; another
    // mismatch is logged and the advert processed, as keepalived does.
    if (advert.addresses.length === 0) return drop('address-list-mismatch', 'the advert names no address');
    warnings.push({
      type: 'advert-warning',
      reason: 'address-list-mismatch',
      src,
      detail,
    });
  }
  return { ok: true, warnings };
}

/** Whether an accepted v2 advert carries this configuration's own password, interval and address list. */
export function speaksConfig(config: ResolvedConfig, advert: Advert): boolean {
  return (
    authMatches(config.auth, advert) &&
    advert.advertIntervalMs === config.advertIntervalMs &&
    sameAddressSet(advert.addresses, config.vips)
  );
}

/** `checkAdvert` for a received advert, with the previous v2 settings while they are still accepted. */
export function checkReceived(
  state: InstanceState,
  event: { advert: Advert; src: string; ttl?: number | undefined },
  now: number,
): AdvertCheck {
  const p = state.previousAccepted;
  const also = p && p.until > now ? p : null;
  return checkAdvert(state.config, event.advert, event.src, event.ttl, also);
}
