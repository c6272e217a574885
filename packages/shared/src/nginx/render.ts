/**
 * The nginx renderer: one node's http-level nginx configuration from a cluster spec. Pure and
 * deterministic — the same spec gives the same bytes: objects render in spec order, optional
 * values render only when present (nginx's defaults apply otherwise), and nothing depends on the
 * clock or the environment. The output is meant to be `include`d in the `http {}` block of a main
 * config (see {@link renderNginxMain}).
 */
import { NginxVariableSchema } from '../spec/grammar.js';
import type { ClusterSpec } from '../spec/cluster.js';
import type {
  BalanceMethod,
  Listen,
  Location,
  ProxyHeader,
  UpstreamPool,
  UpstreamServer,
  VirtualServer,
} from '../spec/proxy.js';
import { bareToken, quoted, variable } from './quote.js';
import {
  renderRedirectLocations,
  renderServerProxyHostLines,
  renderUpgradeMaps,
  renderWebsocketLines,
  type ProxyHostRenderOptions,
} from './render-proxy-host.js';
import { serverBlocks, tlsContext, type TlsContext, type TlsRenderOptions } from './render-tls.js';

/** Options of {@link renderNginxConfig}: where the agent keeps files the config names. */
export type NginxRenderOptions = ProxyHostRenderOptions & TlsRenderOptions;

const INDENT = '    ';

/**
 * Formats milliseconds as an nginx time: whole seconds as `Ns`, anything else as `Nms`.
 *
 * @param ms - a non-negative integer number of milliseconds.
 */
export function nginxTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`invalid duration ${ms} ms`);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** `address:port` with IPv6 addresses in brackets, as nginx wants. */
function hostPort(address: string, port: number): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return `${bareToken(host, 'address')}:${port}`;
}

function methodLine(method: BalanceMethod): string | null {
  switch (method.type) {
    case 'round_robin':
      return null;
    case 'least_conn':
      return 'least_conn;';
    case 'ip_hash':
      return 'ip_hash;';
    case 'random':
      return 'random;';
    case 'hash':
      return `hash ${method.key.map((k) => variable(k, 'hash key')).join('')}${method.consistent ? ' consistent' : ''};`;
  }
}

function serverLine(s: UpstreamServer): string {
  const params = [hostPort(s.address, s.port)];
  if (s.weight !== undefined) params.push(`weight=${s.weight}`);
  if (s.maxFails !== undefined) params.push(`max_fails=${s.maxFails}`);
  if (s.failTimeoutMs !== undefined) params.push(`fail_timeout=${nginxTime(s.failTimeoutMs)}`);
  if (s.backup) params.push('backup');
  if (s.down) params.push('down');
  return `server ${params.join(' ')};`;
}

function renderUpstream(pool: UpstreamPool): string[] {
  const lines = [`upstream ${bareToken(pool.name, 'pool name')} {`];
  const m = methodLine(pool.method);
  if (m) lines.push(INDENT + m);
  for (const s of pool.servers) lines.push(INDENT + serverLine(s));
  if (pool.keepalive !== undefined) lines.push(`${INDENT}keepalive ${pool.keepalive};`);
  lines.push('}');
  return lines;
}

function listenLine(l: Listen, params: readonly string[] = []): string {
  const where = l.address === undefined ? String(l.port) : hostPort(l.address, l.port);
  return `listen ${[where, ...(l.defaultServer ? ['default_server'] : []), ...params].join(' ')};`;
}

function headerValue(h: ProxyHeader): string {
  // An allowed variable renders bare so nginx expands it; anything else is literal text.
  return NginxVariableSchema.safeParse(h.value).success
    ? variable(h.value, 'header value')
    : quoted(h.value, 'header value');
}

function renderLocation(loc: Location, pools: ReadonlyMap<string, UpstreamPool>): string[] {
  const body: string[] = [`proxy_pass http://${bareToken(loc.pool, 'pool name')};`];
  const pool = pools.get(loc.pool);
  body.push(...renderWebsocketLines(loc, pool));
  if (pool?.keepalive !== undefined && !loc.websocket) {
    // nginx: upstream keepalive needs HTTP/1.1 and an empty Connection header towards the pool.
    body.push('proxy_http_version 1.1;');
    if (!loc.headers.some((h) => h.name.toLowerCase() === 'connection')) body.push('proxy_set_header Connection "";');
  }
  if (loc.proxyConnectTimeoutMs !== undefined)
    body.push(`proxy_connect_timeout ${nginxTime(loc.proxyConnectTimeoutMs)};`);
  if (loc.proxyReadTimeoutMs !== undefined) body.push(`proxy_read_timeout ${nginxTime(loc.proxyReadTimeoutMs)};`);
  if (loc.proxySendTimeoutMs !== undefined) body.push(`proxy_send_timeout ${nginxTime(loc.proxySendTimeoutMs)};`);
  for (const h of loc.headers) body.push(`proxy_set_header ${bareToken(h.name, 'header name')} ${headerValue(h)};`);
  return [`location ${bareToken(loc.path, 'location')} {`, ...body.map((l) => INDENT + l), '}'];
}

function renderServer(
  vs: VirtualServer,
  pools: ReadonlyMap<string, UpstreamPool>,
  opts: NginxRenderOptions,
  tls: TlsContext,
): string[][] {
  const names =
    vs.serverNames.length > 0
      ? [`server_name ${vs.serverNames.map((n) => bareToken(n, 'server name')).join(' ')};`]
      : [];
  const body = [
    ...renderServerProxyHostLines(vs, opts),
    ...vs.locations.flatMap((loc) => renderLocation(loc, pools)),
    ...renderRedirectLocations(vs),
  ];
  // TLS splits a server into its plain and its ssl block (render-tls.ts).
  return serverBlocks(vs, { listen: listenLine, names, body }, tls);
}

/**
 * Renders the http-level nginx configuration for one node: every upstream pool, then every
 * virtual server, in spec order.
 *
 * @param spec - a spec that passed {@link ClusterSpecSchema} (the renderer does not re-validate).
 * @param nodeName - the node the config is for; it must be in `spec.nodes`.
 * @param opts - where the agent keeps the files the config names (see {@link NginxRenderOptions}).
 * @returns the config text, ending with a newline. Same inputs, same bytes.
 * @throws Error when the node is not in the spec, or a value is unsafe (a validation bug).
 */
export function renderNginxConfig(spec: ClusterSpec, nodeName: string, opts: NginxRenderOptions = {}): string {
  if (!spec.nodes.some((n) => n.name === nodeName)) {
    throw new Error(`node ${JSON.stringify(nodeName)} is not in cluster ${JSON.stringify(spec.name)}`);
  }
  const pools = new Map(spec.pools.map((p) => [p.name, p]));
  const tls = tlsContext(spec, nodeName, opts);
  const blocks: string[][] = [
    [
      `# Rendered by Keepwatch for node ${bareToken(nodeName, 'node name')} of cluster ${bareToken(spec.name, 'cluster name')}.`,
      '# Do not edit: the agent overwrites this file.',
    ],
    ...renderUpgradeMaps(spec),
    ...spec.pools.map(renderUpstream),
    ...spec.virtualServers.flatMap((vs) => renderServer(vs, pools, opts, tls)),
  ];
  return blocks.map((b) => b.join('\n')).join('\n\n') + '\n';
}

/** nginx's default `proxy_read_timeout` and `proxy_send_timeout`. */
const NGINX_PROXY_TIMEOUT_MS = 60_000;
/** What an old worker gets beyond the longest proxy timeout to finish the response it is writing. */
export const WORKER_SHUTDOWN_MARGIN_MS = 10_000;
/** `worker_shutdown_timeout` when no spec says otherwise: nginx's proxy timeouts plus the margin. */
export const DEF_WORKER_SHUTDOWN_TIMEOUT_MS = NGINX_PROXY_TIMEOUT_MS + WORKER_SHUTDOWN_MARGIN_MS;

/**
 * `worker_shutdown_timeout` for a spec: after a reload, old workers finish their requests and then
 * exit — but a long-lived connection (keepalive, WebSocket, a stalled upstream) keeps one alive
 * forever without it. The longest proxy read/send timeout of any location (nginx's 60 s where
 * unset) is how long the spec lets a request wait on its upstream, so a request within its own
 * limits is never cut; the margin lets it finish writing. Derived, not a spec field: a separate
 * knob could be set below the proxy timeouts and cut requests the spec allows.
 */
export function workerShutdownTimeoutMs(spec: ClusterSpec): number {
  const timeouts = spec.virtualServers.flatMap((vs) =>
    vs.locations.flatMap((l) => [
      l.proxyReadTimeoutMs ?? NGINX_PROXY_TIMEOUT_MS,
      l.proxySendTimeoutMs ?? NGINX_PROXY_TIMEOUT_MS,
    ]),
  );
  const longest = timeouts.length > 0 ? timeouts.reduce((a, b) => Math.max(a, b)) : NGINX_PROXY_TIMEOUT_MS;
  return longest + WORKER_SHUTDOWN_MARGIN_MS;
}

/**
 * The main-context part of a node's config, for a file the distribution's nginx.conf includes at
 * top level (the agent's `nginx.mainContextPath`): what cannot go in the http-level file.
 *
 * @param spec - a spec that passed {@link ClusterSpecSchema}.
 * @returns the file's text, ending with a newline.
 */
export function renderNginxMainContext(spec: ClusterSpec): string {
  return [
    `# Rendered by Keepwatch for cluster ${bareToken(spec.name, 'cluster name')}: main-context directives.`,
    '# Do not edit: the agent overwrites this file.',
    `worker_shutdown_timeout ${nginxTime(workerShutdownTimeoutMs(spec))};`,
    '',
  ].join('\n');
}

/** Paths and settings for {@link renderNginxMain}. All paths absolute. */
export type NginxMainOptions = {
  /** `pid` file. */
  pidPath: string;
  /** `error_log` file. */
  errorLogPath: string;
  /** The rendered http-level config, included inside `http {}`. */
  includePath: string;
  /** Directory for the `*_temp_path` directories, so nginx never writes to the distribution's paths. */
  tempDir: string;
  /** `access_log` file; absent = `off`. */
  accessLogPath?: string;
  /** `worker_processes`; default 1 (round robin is per worker, so 1 gives strict alternation). */
  workerProcesses?: number;
  /** `worker_shutdown_timeout` in ms (see {@link workerShutdownTimeoutMs}); default {@link DEF_WORKER_SHUTDOWN_TIMEOUT_MS}. */
  workerShutdownTimeoutMs?: number;
};

/**
 * Renders a self-contained main nginx config that includes the rendered http-level config, with
 * every writable path under the given locations. For the lab and for hosts where the agent owns
 * nginx entirely; with a distribution's nginx the agent writes only the included file.
 *
 * @param o - paths and settings; every path must be absolute.
 * @returns the config text, ending with a newline.
 */
export function renderNginxMain(o: NginxMainOptions): string {
  const p = (path: string, what: string): string => {
    if (!path.startsWith('/')) throw new Error(`${what} must be absolute: ${JSON.stringify(path)}`);
    return bareToken(path, what);
  };
  const temp = p(o.tempDir.replace(/\/+$/, ''), 'tempDir');
  const workers = o.workerProcesses ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > 1024)
    throw new Error(`invalid workerProcesses ${workers}`);
  const shutdownMs = o.workerShutdownTimeoutMs ?? DEF_WORKER_SHUTDOWN_TIMEOUT_MS;
  if (!Number.isInteger(shutdownMs) || shutdownMs < 1000 || shutdownMs > 86_400_000 + WORKER_SHUTDOWN_MARGIN_MS)
    throw new Error(`invalid workerShutdownTimeoutMs ${shutdownMs}`);
  return [
    '# Rendered by Keepwatch.',
    `worker_processes ${workers};`,
    // Old workers of a reload exit after this even with connections open (issue #17 item 5).
    `worker_shutdown_timeout ${nginxTime(shutdownMs)};`,
    `pid ${p(o.pidPath, 'pidPath')};`,
    `error_log ${p(o.errorLogPath, 'errorLogPath')};`,
    '',
    'events {',
    `${INDENT}worker_connections 1024;`,
    '}',
    '',
    'http {',
    `${INDENT}access_log ${o.accessLogPath === undefined ? 'off' : p(o.accessLogPath, 'accessLogPath')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${INDENT}${t}_temp_path ${temp}/${t};`),
    `${INDENT}include ${p(o.includePath, 'includePath')};`,
    '}',
    '',
  ].join('\n');
}
