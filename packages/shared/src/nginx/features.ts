/**
 * What a spec needs of a node's nginx, against what that nginx reported (issue #17 item 4): the
 * renderer emits directives some builds lack (no `http_v2_module`) and some versions do not know
 * yet (RHEL 8's 1.14 has no `random` balancing). The dashboard refuses such a change before it
 * reaches the node, naming the node and the field, rather than letting `nginx -t` fail there.
 */
import { nginxAtLeast, type NginxBuildInfo } from './build-info.js';

/** A spec path, as zod issue paths are (`['virtualServers', 0, 'tls', 'http2']`). */
export type SpecPath = (string | number)[];

/** One thing the spec asks of a node's nginx that it lacks. */
export interface NginxFeatureIssue {
  path: SpecPath;
  message: string;
}

/**
 * The parts of a cluster spec this reads. Structural, and optional wherever a field belongs to a
 * newer spec (TLS, proxy-host options), so a ClusterSpec of any version fits.
 */
export interface NginxFeatureSpec {
  pools: readonly {
    name: string;
    method: { type: string; consistent?: boolean };
    keepalive?: number | undefined;
  }[];
  virtualServers: readonly {
    name: string;
    listen: readonly { ssl?: boolean | undefined }[];
    locations: readonly { path: string; websocket?: boolean | undefined }[];
    tls?: { http2?: boolean | undefined; redirectHttp?: boolean | undefined } | undefined;
    redirects?: readonly { code?: number | undefined }[] | undefined;
    access?: { rules?: readonly unknown[] | undefined; basicAuth?: unknown } | undefined;
  }[];
}

/** A feature the spec uses: what nginx must have for it, and how the user can do without it. */
interface Need {
  path: SpecPath;
  /** The feature in the user's words (`HTTP/2`, `balance method random`). */
  what: string;
  /** The module the rendered directives come from, when it can be left out of a build. */
  module?: string;
  /** The first nginx version with the rendered directive or parameter. */
  since?: string;
  /** What to turn off instead (`turn HTTP/2 off for virtual server "web"`). */
  instead: string;
}

/** The module of each balancing method other than round robin (all built by default). */
const METHOD_NEED: Readonly<Record<string, { module: string; since?: string }>> = {
  least_conn: { module: 'http_upstream_least_conn_module', since: '1.3.1' },
  ip_hash: { module: 'http_upstream_ip_hash_module' },
  hash: { module: 'http_upstream_hash_module', since: '1.7.2' },
  random: { module: 'http_upstream_random_module', since: '1.15.1' },
};

function poolNeeds(spec: NginxFeatureSpec): Need[] {
  return spec.pools.flatMap((p, i) => {
    const needs: Need[] = [];
    const m = METHOD_NEED[p.method.type];
    if (m) {
      const what = `balance method ${p.method.type}${p.method.consistent ? ' consistent' : ''}`;
      needs.push({
        path: ['pools', i, 'method'],
        what,
        ...m,
        instead: `use another balance method for pool "${p.name}"`,
      });
    }
    if (p.keepalive !== undefined) {
      needs.push({
        path: ['pools', i, 'keepalive'],
        what: 'upstream keepalive',
        module: 'http_upstream_keepalive_module',
        since: '1.1.4',
        instead: `remove keepalive from pool "${p.name}"`,
      });
    }
    return needs;
  });
}

function tlsNeeds(vs: NginxFeatureSpec['virtualServers'][number], at: SpecPath): Need[] {
  const needs: Need[] = [];
  const server = `virtual server "${vs.name}"`;
  const ssl = vs.listen.findIndex((l) => l.ssl === true);
  if (ssl >= 0) {
    needs.push({
      path: [...at, 'listen', ssl, 'ssl'],
      // `ssl_protocols TLSv1.2 TLSv1.3`: nginx takes TLSv1.3 from 1.13.0 (render-tls.ts refuses older).
      what: 'TLS as rendered (TLSv1.3)',
      module: 'http_ssl_module',
      since: '1.13.0',
      instead: `turn TLS off for ${server}`,
    });
  }
  const tls = vs.tls;
  if (!tls) return needs;
  if (tls.http2 !== false && ssl >= 0) {
    needs.push({
      path: [...at, 'tls', 'http2'],
      what: 'HTTP/2',
      module: 'http_v2_module',
      instead: `turn HTTP/2 off for ${server}`,
    });
  }
  // Versions before 1.13.0 are refused for TLS as a whole, so neither `return 308` (1.13.0) nor
  // HSTS's `add_header … always` (1.7.5) needs its own version check.
  if (tls.redirectHttp === true) {
    needs.push({
      path: [...at, 'tls', 'redirectHttp'],
      what: 'the HTTP to HTTPS redirect',
      module: 'http_rewrite_module',
      instead: `turn the HTTPS redirect off for ${server}`,
    });
  }
  return needs;
}

function proxyHostNeeds(vs: NginxFeatureSpec['virtualServers'][number], at: SpecPath): Need[] {
  const needs: Need[] = [];
  const server = `virtual server "${vs.name}"`;
  vs.locations.forEach((loc, j) => {
    if (loc.websocket !== true) return;
    // `map $http_upgrade $connection_upgrade` at http level; upgrades are proxied from 1.3.13.
    needs.push({
      path: [...at, 'locations', j, 'websocket'],
      what: 'WebSocket',
      module: 'http_map_module',
      since: '1.3.13',
      instead: `turn WebSocket off for location "${loc.path}" of ${server}`,
    });
  });
  const redirects = vs.redirects ?? [];
  if (redirects.length > 0) {
    needs.push({
      path: [...at, 'redirects'],
      what: 'redirects',
      module: 'http_rewrite_module',
      instead: `remove the redirects of ${server}`,
    });
  }
  redirects.forEach((r, k) => {
    // nginx's `return` took the 308 code only from 1.13.0.
    if ((r.code ?? 308) !== 308) return;
    needs.push({
      path: [...at, 'redirects', k, 'code'],
      what: 'redirect code 308',
      since: '1.13.0',
      instead: `use code 301 for redirect ${k + 1} of ${server}`,
    });
  });
  const access = vs.access;
  if (access?.rules !== undefined && access.rules.length > 0) {
    needs.push({
      path: [...at, 'access', 'rules'],
      what: 'address rules',
      module: 'http_access_module',
      instead: `remove the address rules of ${server}`,
    });
  }
  if (access?.basicAuth !== undefined) {
    needs.push({
      path: [...at, 'access', 'basicAuth'],
      what: 'basic auth',
      module: 'http_auth_basic_module',
      instead: `remove basic auth from ${server}`,
    });
  }
  return needs;
}

/** Every feature of the spec that a build or a version of nginx may lack, in spec order. */
function needsOf(spec: NginxFeatureSpec): Need[] {
  return [
    ...poolNeeds(spec),
    ...spec.virtualServers.flatMap((vs, i) => [
      ...tlsNeeds(vs, ['virtualServers', i]),
      ...proxyHostNeeds(vs, ['virtualServers', i]),
    ]),
  ];
}

/**
 * The features of `spec` that the nginx of node `nodeName` (as it reported itself: `info`) lacks,
 * each with its spec path and a message naming the node, the missing module or version, and what
 * to do instead: `node "lb2" runs nginx 1.14.1, which has no http_v2_module: turn HTTP/2 off for
 * virtual server "web" or upgrade nginx on lb2`. Empty when the node's nginx has everything.
 *
 * @param spec - a valid cluster spec (any version).
 * @param nodeName - the node, for the messages.
 * @param info - what the node's agent reported of its nginx (`nginx -V`).
 */
export function nginxFeatureIssues(
  spec: NginxFeatureSpec,
  nodeName: string,
  info: NginxBuildInfo,
): NginxFeatureIssue[] {
  const modules = new Set(info.modules);
  const runs = `node "${nodeName}" runs nginx ${info.version}`;
  const or = `or upgrade nginx on ${nodeName}`;
  const issues: NginxFeatureIssue[] = [];
  for (const n of needsOf(spec)) {
    if (n.since !== undefined && !nginxAtLeast(info.version, n.since)) {
      issues.push({
        path: n.path,
        message: `${runs}, which is older than ${n.since} (${n.what} needs it): ${n.instead} ${or}`,
      });
    } else if (n.module !== undefined && !modules.has(n.module)) {
      issues.push({ path: n.path, message: `${runs}, which has no ${n.module}: ${n.instead} ${or}` });
    }
  }
  return issues;
}
