/**
 * The nginx renderer's proxy-host parts (issue #17 item 3; spec/proxy-host.ts): WebSocket
 * upgrades, redirects, access lists with basic auth, and the request body limit. render.ts calls
 * these at its hooks; each renders nothing for a spec without the option.
 */
import type { ClusterSpec } from '../spec/cluster.js';
import type { AccessList, BasicAuth, Redirect } from '../spec/proxy-host.js';
import { REDIRECT_SUFFIX } from '../spec/proxy-host.js';
import type { Location, UpstreamPool, VirtualServer } from '../spec/proxy.js';
import { bareToken, quoted } from './quote.js';

const INDENT = '    ';

/** Options of the proxy-host parts. */
export type ProxyHostRenderOptions = {
  /**
   * Where the agent writes each virtual server's htpasswd file ({@link htpasswdPath}); default
   * {@link DEF_AUTH_DIR}. nginx's workers read it on each request, so it must be readable by
   * nginx's worker user.
   */
  authDir?: string;
};

/**
 * The htpasswd folder of an agent with the default state dir (`/var/lib/keepwatch`): what the
 * dashboard renders for previews and exports, which do not know a node's configured state dir.
 */
export const DEF_AUTH_DIR = '/var/lib/keepwatch/nginx-auth';

/**
 * The `Connection` value for a WebSocket location: `upgrade` when the client asked for one, else
 * `close` (nginx's own example) — or, towards a pool with upstream keepalive, empty, so the
 * connection stays reusable. Prefixed: a distribution's nginx.conf may define `$connection_upgrade`
 * itself, and a second `map` of the same variable fails `nginx -t`.
 */
const UPGRADE_VARIABLE = {
  close: '$keepwatch_connection_upgrade',
  keepalive: '$keepwatch_connection_upgrade_keepalive',
};

/** The http-level `map` blocks the spec's WebSocket locations use, each once (none without WebSocket). */
export function renderUpgradeMaps(spec: ClusterSpec): string[][] {
  const pools = new Map(spec.pools.map((p) => [p.name, p]));
  const kinds = new Set(
    spec.virtualServers.flatMap((vs) =>
      vs.locations.filter((l) => l.websocket).map((l) => upgradeKind(pools.get(l.pool))),
    ),
  );
  const map = (kind: 'close' | 'keepalive', otherwise: string) => [
    `# WebSocket (RFC 6455 4.1): pass the client's upgrade request on; other requests ${kind === 'close' ? 'close' : 'keep the upstream connection'}.`,
    `map $http_upgrade ${UPGRADE_VARIABLE[kind]} {`,
    `${INDENT}default upgrade;`,
    `${INDENT}'' ${otherwise};`,
    '}',
  ];
  const out: string[][] = [];
  if (kinds.has('close')) out.push(map('close', 'close'));
  if (kinds.has('keepalive')) out.push(map('keepalive', "''"));
  return out;
}

function upgradeKind(pool: UpstreamPool | undefined): 'close' | 'keepalive' {
  return pool?.keepalive !== undefined ? 'keepalive' : 'close';
}

/**
 * A WebSocket location's lines (instead of the keepalive pair render.ts writes otherwise): HTTP/1.1
 * towards the pool, and the hop-by-hop Upgrade and Connection headers passed on, which nginx
 * drops by default (RFC 9110 7.6.1).
 */
export function renderWebsocketLines(loc: Location, pool: UpstreamPool | undefined): string[] {
  if (!loc.websocket) return [];
  return [
    'proxy_http_version 1.1;',
    'proxy_set_header Upgrade $http_upgrade;',
    `proxy_set_header Connection ${UPGRADE_VARIABLE[upgradeKind(pool)]};`,
  ];
}

/** A byte count as nginx reads it (`ngx_parse_offset`): `g`, `m` or `k` when exact, else bytes. */
export function nginxSize(bytes: number): string {
  if (!Number.isInteger(bytes) || bytes < 0) throw new Error(`invalid size ${bytes} bytes`);
  if (bytes === 0) return '0';
  for (const [unit, size] of [
    ['g', 1024 ** 3],
    ['m', 1024 ** 2],
    ['k', 1024],
  ] as const)
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

/** The htpasswd file of virtual server `name` in `authDir`. */
export function htpasswdPath(authDir: string, name: string): string {
  return `${authDir.endsWith('/') ? authDir.slice(0, -1) : authDir}/${name}.htpasswd`;
}

/**
 * An htpasswd file's text: `name:hash` per line, as nginx's auth_basic reads it (hashes checked
 * with the system's crypt(3)). Hashes only — the spec never holds a password.
 */
export function renderHtpasswd(auth: BasicAuth): string {
  return auth.users.map((u) => `${bareToken(u.name, 'user name')}:${hashToken(u.passwordHash)}\n`).join('');
}

/** A crypt(3) hash: `$`, `.`, `/`, `=` and alphanumerics only (the spec's grammar; checked again here). */
function hashToken(hash: string): string {
  if (!/^[$./=A-Za-z0-9]+$/.test(hash)) throw new Error('refusing to render a password hash: not a crypt(3) string');
  return hash;
}

function accessLines(vs: VirtualServer, access: AccessList, opts: ProxyHostRenderOptions): string[] {
  const lines: string[] = [];
  const rules = access.rules;
  if (rules.length > 0 && access.basicAuth && access.satisfy === 'any') lines.push('satisfy any;');
  for (const r of rules) lines.push(`${r.action} ${bareToken(r.source, 'access rule source')};`);
  // The list ends in `deny all` unless it says what happens to everyone else itself.
  if (rules.length > 0 && rules[rules.length - 1]?.source !== 'all') lines.push('deny all;');
  if (access.basicAuth) {
    const dir = opts.authDir ?? DEF_AUTH_DIR;
    if (!dir.startsWith('/')) throw new Error(`authDir must be absolute: ${JSON.stringify(dir)}`);
    lines.push(`auth_basic ${quoted(access.basicAuth.realm, 'basic auth realm')};`);
    lines.push(`auth_basic_user_file ${bareToken(htpasswdPath(dir, vs.name), 'htpasswd path')};`);
  }
  return lines;
}

/**
 * A virtual server's server-level lines: the body limit and the access list. They apply to every
 * location of the server; a redirect answers before the access phase (nginx's rewrite phase
 * runs first), so a host redirect needs no credentials.
 */
export function renderServerProxyHostLines(vs: VirtualServer, opts: ProxyHostRenderOptions): string[] {
  const lines: string[] = [];
  if (vs.clientMaxBodySizeBytes !== undefined)
    lines.push(`client_max_body_size ${nginxSize(vs.clientMaxBodySizeBytes)};`);
  if (vs.access) lines.push(...accessLines(vs, vs.access, opts));
  return lines;
}

/** A redirect target as one nginx string: the text quoted, `$request_uri` kept as the variable. */
function redirectTarget(to: string): string {
  const suffix = to.endsWith(REDIRECT_SUFFIX);
  const text = suffix ? to.slice(0, -REDIRECT_SUFFIX.length) : to;
  const q = quoted(text, 'redirect target');
  return suffix ? `${q.slice(0, -1)}${REDIRECT_SUFFIX}"` : q;
}

function renderRedirect(r: Redirect): string[] {
  const match = r.match === 'exact' ? '= ' : '';
  return [
    `location ${match}${bareToken(r.path, 'redirect path')} {`,
    `${INDENT}return ${r.code} ${redirectTarget(r.to)};`,
    '}',
  ];
}

/** A virtual server's redirect locations, in spec order. */
export function renderRedirectLocations(vs: VirtualServer): string[] {
  return (vs.redirects ?? []).flatMap(renderRedirect);
}
