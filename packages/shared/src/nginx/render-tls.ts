/**
 * TLS termination in the nginx renderer (issue #17 items 1, 2 and 4): a virtual server with `tls`
 * renders as up to two `server` blocks — its plain listens (answering the ACME http-01 challenge,
 * then either the redirect to HTTPS or the server's own locations) and its ssl listens with the
 * certificate the agent wrote, the protocol/cipher defaults and HSTS. Two blocks because HSTS must
 * not be sent over plain HTTP (RFC 6797 7.2) and the redirect must not catch the challenge. What
 * nginx accepts depends on its version: {@link tlsContext} picks the family.
 */
import type { ClusterSpec } from '../spec/cluster.js';
import type { Listen, VirtualServer } from '../spec/proxy.js';
import { bareToken } from './quote.js';

/** Options of the TLS part of {@link renderNginxConfig}. */
export type TlsRenderOptions = {
  /**
   * Absolute folder where the agent writes `<certificate>.pem` (leaf + chain) and `<certificate>.key`
   * (the agent passes its own); absent = {@link DEF_TLS_DIR}, for the dashboard's preview, export
   * and drift record, which render without a node's state dir.
   */
  tlsDir?: string;
  /** RFC 8555 8.1 account key thumbprint (base64url, 43 characters): plain listens answer http-01 with it. */
  acmeThumbprint?: string;
  /** The node's nginx version, e.g. `1.22.1`; absent = the 1.22 rules. */
  nginxVersion?: string;
};

/** The default agent state dir's certificate folder (AgentConfig `stateDir` + `/tls`). */
export const DEF_TLS_DIR = '/var/lib/keepwatch/tls';

/** The checked options the server blocks are rendered with. */
export type TlsContext = {
  tlsDir: string;
  acmeThumbprint: string | null;
  /** nginx ≥ 1.25.1: `http2 on;` in the server; before it, the `listen … http2` parameter. */
  http2Directive: boolean;
};

/** The pieces of one virtual server that render.ts builds (everything but TLS). */
export type ServerParts = {
  /** The `listen` line of a socket with extra parameters (`ssl`, `http2`). */
  listen(l: Listen, params: readonly string[]): string;
  /** Lines every block of the server carries after its listens (`server_name`). */
  names: readonly string[];
  /** The server's own lines: its settings and locations. */
  body: readonly string[];
};

const INDENT = '    ';
/** When nginx made `http2` a directive and deprecated the listen parameter (CHANGES 1.25.1). */
const HTTP2_DIRECTIVE_SINCE = [1, 25, 1] as const;
/** The oldest nginx that takes what is rendered here: `ssl_protocols TLSv1.3` and `return 308` came in 1.13.0. */
const TLS_OLDEST = [1, 13, 0] as const;
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;
/**
 * Mozilla's "intermediate" server-side TLS profile (TLS 1.2 + 1.3): ECDHE key exchange with AEAD
 * ciphers only, the client choosing (it knows whether it has AES hardware). Mozilla's list also
 * has DHE suites, which need a dhparam file; without one nginx would not offer them anyway.
 */
const CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

type Version = readonly [number, number, number];

function parseVersion(v: string, node: string): Version {
  const m = /^(\d{1,4})\.(\d{1,4})\.(\d{1,4})$/.exec(v);
  if (!m) throw new Error(`nginx version ${JSON.stringify(v)} of node ${node} is not major.minor.patch`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** `dir` without trailing slashes (a loop: a `/\/+$/` pattern backtracks polynomially). */
function withoutTrailingSlashes(dir: string): string {
  let end = dir.length;
  while (end > 1 && dir[end - 1] === '/') end--;
  return dir.slice(0, end);
}

const atLeast = (v: Version, min: Version) =>
  v[0] !== min[0] ? v[0] > min[0] : v[1] !== min[1] ? v[1] > min[1] : v[2] >= min[2];

/**
 * Checks the TLS options against the spec for one node.
 *
 * @throws Error for a malformed thumbprint or version, a relative `tlsDir`, or a node whose nginx
 *   is too old for TLS — the message names the node.
 */
export function tlsContext(spec: ClusterSpec, node: string, o: TlsRenderOptions): TlsContext {
  const version = parseVersion(o.nginxVersion ?? '1.22.1', node);
  if (o.acmeThumbprint !== undefined && !THUMBPRINT.test(o.acmeThumbprint))
    throw new Error('acmeThumbprint must be 43 base64url characters (RFC 8555 8.1, RFC 7638)');
  if (o.tlsDir !== undefined && !o.tlsDir.startsWith('/'))
    throw new Error(`tlsDir must be absolute: ${JSON.stringify(o.tlsDir)}`);
  if (spec.virtualServers.some((vs) => vs.tls) && !atLeast(version, TLS_OLDEST))
    throw new Error(
      `node ${node} runs nginx ${o.nginxVersion}, older than 1.13.0: it cannot serve TLS as rendered (TLSv1.3, return 308)`,
    );
  return {
    tlsDir: bareToken(withoutTrailingSlashes(o.tlsDir ?? DEF_TLS_DIR), 'tlsDir'),
    acmeThumbprint: o.acmeThumbprint ?? null,
    http2Directive: atLeast(version, HTTP2_DIRECTIVE_SINCE),
  };
}

/** RFC 8555 8.3: the key authorization for any token, answered without state so every node (whichever holds the VIP) can. */
function acmeLocation(ctx: TlsContext): string[] {
  if (ctx.acmeThumbprint === null) return [];
  return [
    'location ~ "^/\\.well-known/acme-challenge/([-_A-Za-z0-9]+)$" {',
    `${INDENT}default_type text/plain;`,
    `${INDENT}return 200 "$1.${bareToken(ctx.acmeThumbprint, 'ACME thumbprint')}";`,
    '}',
  ];
}

function tlsLines(vs: VirtualServer, ctx: TlsContext): string[] {
  const tls = vs.tls!;
  const file = `${ctx.tlsDir}/${bareToken(tls.certificate, 'certificate name')}`;
  const lines = [
    ...(tls.http2 && ctx.http2Directive ? ['http2 on;'] : []),
    `ssl_certificate ${file}.pem;`,
    `ssl_certificate_key ${file}.key;`,
    'ssl_protocols TLSv1.2 TLSv1.3;',
    `ssl_ciphers ${CIPHERS};`,
    'ssl_prefer_server_ciphers off;',
    // One cache for every server (same name and size); tickets off: without key rotation they
    // would undo forward secrecy (Mozilla's profile).
    'ssl_session_cache shared:kw_ssl:10m;',
    'ssl_session_timeout 1d;',
    'ssl_session_tickets off;',
  ];
  if (tls.hsts) {
    const value = `max-age=${tls.hsts.maxAgeS}${tls.hsts.includeSubdomains ? '; includeSubDomains' : ''}`;
    // `always`: error responses carry it too (RFC 6797 8.1 applies to every response).
    lines.push(`add_header Strict-Transport-Security "${value}" always;`);
  }
  return lines;
}

const block = (lines: readonly string[]) => ['server {', ...lines.map((l) => INDENT + l), '}'];

/**
 * The `server` blocks of one virtual server: one for a server without `tls` (the ACME location
 * added when it has plain listens); for a server with `tls`, its plain listens (if any) in a block
 * of their own, then its ssl listens.
 */
export function serverBlocks(vs: VirtualServer, parts: ServerParts, ctx: TlsContext): string[][] {
  const title = `# virtual server ${bareToken(vs.name, 'virtual server name')}`;
  const plain = vs.listen.filter((l) => !l.ssl);
  const plainLines = (body: readonly string[]) => [
    ...plain.map((l) => parts.listen(l, [])),
    ...parts.names,
    ...acmeLocation(ctx),
    ...body,
  ];
  if (!vs.tls) return [block([title, ...plainLines(parts.body)])];
  const blocks: string[][] = [];
  if (plain.length > 0) {
    // 308 keeps the method and body (RFC 9110 15.4.9), unlike 301 for a POST.
    const redirect = ['location / {', `${INDENT}return 308 https://$host$request_uri;`, '}'];
    blocks.push(block([`${title}: plain HTTP`, ...plainLines(vs.tls.redirectHttp ? redirect : parts.body)]));
  }
  const listenParams = vs.tls.http2 && !ctx.http2Directive ? ['ssl', 'http2'] : ['ssl'];
  const ssl = vs.listen.filter((l) => l.ssl).map((l) => parts.listen(l, listenParams));
  blocks.push(block([title, ...ssl, ...parts.names, ...tlsLines(vs, ctx), ...parts.body]));
  return blocks;
}
