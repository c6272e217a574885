// The cross-field rules of the proxy-host options (proxy-host.ts), called from the cluster spec's
// one superRefine (STYLE §D21): each names the field at fault.
import type { z } from 'zod';
import type { ClusterSpecObjectSchema } from './cluster.js';
import { unique, type Issue } from './cluster-rules.js';

/** Headers the WebSocket upgrade sets itself: a second `proxy_set_header` would send both. */
const WEBSOCKET_HEADERS = new Set(['upgrade', 'connection']);

/**
 * Proxy-host rules per virtual server: a location or a redirect at least; no two locations nginx
 * would call duplicate (a prefix redirect and a location on the same path); WebSocket locations
 * without their own Upgrade/Connection header; access lists that check something, with `all`
 * only as the last rule and each user once.
 */
export function checkProxyHosts(spec: z.infer<typeof ClusterSpecObjectSchema>, issue: Issue): void {
  spec.virtualServers.forEach((vs, i) => {
    const at = (...p: (string | number)[]) => ['virtualServers', i, ...p];
    const redirects = vs.redirects ?? [];
    if (vs.locations.length === 0 && redirects.length === 0)
      issue(at('locations'), 'a virtual server needs at least one location or redirect');
    // nginx: `location /a` twice is "duplicate location" ([emerg]); `location = /a` beside it is fine.
    const prefixes = new Set(vs.locations.map((l) => l.path));
    unique(
      redirects,
      (r) => `${r.match} ${r.path}`,
      (j) => at('redirects', j, 'path'),
      'redirect path',
      issue,
    );
    redirects.forEach((r, j) => {
      if (r.match === 'prefix' && prefixes.has(r.path))
        issue(
          at('redirects', j, 'path'),
          `location ${r.path} already proxies to a pool: use an exact match or another path`,
        );
    });
    vs.locations.forEach((loc, j) => {
      if (!loc.websocket) return;
      loc.headers.forEach((h, k) => {
        if (WEBSOCKET_HEADERS.has(h.name.toLowerCase()))
          issue(
            at('locations', j, 'headers', k, 'name'),
            `${h.name} is set by the WebSocket upgrade: remove this header`,
          );
      });
    });
    const access = vs.access;
    if (!access) return;
    if (access.rules.length === 0 && !access.basicAuth)
      issue(at('access'), 'an access list needs address rules or basic auth');
    access.rules.forEach((r, j) => {
      if (r.source === 'all' && j < access.rules.length - 1)
        issue(at('access', 'rules', j, 'source'), '"all" must be the last rule: the rules after it are never reached');
    });
    unique(
      access.basicAuth?.users ?? [],
      (u) => u.name,
      (j) => at('access', 'basicAuth', 'users', j, 'name'),
      'user',
      issue,
    );
  });
}
