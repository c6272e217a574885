/**
 * The draft of the proxy-host fields of the "New virtual server" form (vs-proxy-host-fields.tsx)
 * and the spec fields it gives: WebSocket, redirects, access list, body size. Users come with a
 * password: the server hashes it (services/basic-auth.ts) and never stores it.
 */
import type { RouterOutputs } from '~/trpc/client';
import { lines } from './object-drafts';

type VirtualServer = RouterOutputs['virtualServers']['list'][number]['virtualServer'];
type Redirect = NonNullable<VirtualServer['redirects']>[number];
type BasicAuthUser = NonNullable<NonNullable<VirtualServer['access']>['basicAuth']>['users'][number];

export interface ProxyHostDraft {
  websocket: boolean;
  /** One per line: `[=] PATH CODE TARGET` (`=`: that path only). */
  redirects: string;
  /** One per line: `allow|deny ADDRESS[/PREFIX]|all`. */
  rules: string;
  /** One per line: `NAME PASSWORD`. */
  users: string;
  realm: string;
  satisfyAny: boolean;
  /** `10m`, `512k`, `1g`, bytes, `0` (no limit), or empty (nginx's 1m). */
  bodySize: string;
}

export const initProxyHost = (): ProxyHostDraft => ({
  websocket: false,
  redirects: '',
  rules: '',
  users: '',
  realm: '',
  satisfyAny: false,
  bodySize: '',
});

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** "10m" → 10485760; NaN for anything else (the server names the field). */
export function parseSize(text: string): number {
  const m = /^([0-9]{1,15})([kmg]?)$/i.exec(text.trim());
  return m ? Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? NaN) : NaN;
}

function parseRedirect(line: string): Redirect {
  const words = line.trim().split(/\s+/);
  const exact = words[0] === '=';
  const [path = '', code = '', to = ''] = exact ? words.slice(1) : words;
  return { path, match: exact ? 'exact' : 'prefix', code: Number(code) as Redirect['code'], to };
}

/** The spec fields of the draft (locations get `websocket`); absent ones are left out. */
export function buildProxyHost(
  d: ProxyHostDraft,
  locations: VirtualServer['locations'],
): Pick<VirtualServer, 'locations' | 'redirects' | 'access' | 'clientMaxBodySizeBytes'> {
  const rules = lines(d.rules).map((l) => {
    const [action = '', source = ''] = l.trim().split(/\s+/);
    return { action: action as 'allow' | 'deny', source };
  });
  // A password, not a hash: the API hashes it on the server (typed as the stored user for the form).
  const users = lines(d.users).map((l) => {
    const [name = '', ...rest] = l.trim().split(/\s+/);
    return { name, password: rest.join(' ') } as unknown as BasicAuthUser;
  });
  const basicAuth = users.length ? { realm: d.realm.trim() || 'Restricted', users } : undefined;
  const redirects = lines(d.redirects).map(parseRedirect);
  return {
    locations: d.websocket ? locations.map((l) => ({ ...l, websocket: true })) : locations,
    ...(redirects.length ? { redirects } : {}),
    ...(rules.length || basicAuth
      ? { access: { rules, ...(basicAuth ? { basicAuth } : {}), satisfy: d.satisfyAny ? 'any' : 'all' } }
      : {}),
    ...(d.bodySize.trim() !== '' ? { clientMaxBodySizeBytes: parseSize(d.bodySize) } : {}),
  };
}
