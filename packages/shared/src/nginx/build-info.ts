/**
 * What a node's nginx is (issue #17 item 4): its version and the modules built into it, read from
 * `nginx -V` by the agent and reported to the hub, so the renderer emits what that version takes
 * and the dashboard refuses a feature the node's nginx lacks (see features.ts). Pure: the agent
 * runs the binary, this reads its text.
 */
import { z } from 'zod';

/** An nginx version, `major.minor.patch` (`1.22.1`). */
export const NginxVersionSchema = z
  .string()
  .regex(/^\d{1,4}\.\d{1,4}\.\d{1,4}$/, { message: 'must be an nginx version like 1.22.1' });

/**
 * A module name as `nginx -V` shows it: `http_ssl_module`, `stream`, or the folder name of an
 * `--add-module` / `--add-dynamic-module` (`ngx_brotli`).
 */
export const NginxModuleSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { message: 'must be a module name like http_ssl_module' });

/** The version and modules of a node's nginx binary. */
export const NginxBuildInfoSchema = z.strictObject({
  version: NginxVersionSchema,
  /**
   * Modules built in, sorted: the default-built ones (auth_basic, proxy, map, upstream_hash…) less
   * `--without-…`, plus `--with-…` and added ones. `=dynamic` ones count: they are built, and the
   * distribution's packages load them.
   */
  modules: z.array(NginxModuleSchema).max(256),
  /** The OpenSSL version nginx runs with (`3.0.11`); absent without OpenSSL (or with LibreSSL). */
  openssl: z
    .string()
    .regex(/^\d[0-9A-Za-z.-]{0,31}$/)
    .optional(),
});
/** The version and modules of a node's nginx. */
export type NginxBuildInfo = z.infer<typeof NginxBuildInfoSchema>;

/** Outcome of {@link parseNginxV}. */
export type ParseNginxVResult = { ok: true; info: NginxBuildInfo } | { ok: false; reason: string };

/**
 * The http modules nginx builds unless told `--without-<name>` (nginx's auto/options), with the
 * version each first appeared in where that is after 1.0.
 */
const DEFAULT_HTTP_MODULES: readonly (readonly [string, string?])[] = [
  ['http_access_module'],
  ['http_auth_basic_module'],
  ['http_autoindex_module'],
  ['http_browser_module'],
  ['http_charset_module'],
  ['http_empty_gif_module'],
  ['http_fastcgi_module'],
  ['http_geo_module'],
  ['http_grpc_module', '1.13.10'],
  ['http_gzip_module'],
  ['http_limit_conn_module'],
  ['http_limit_req_module'],
  ['http_map_module'],
  ['http_memcached_module'],
  ['http_mirror_module', '1.13.4'],
  ['http_proxy_module'],
  ['http_referer_module'],
  ['http_rewrite_module'],
  ['http_scgi_module'],
  ['http_split_clients_module'],
  ['http_ssi_module'],
  ['http_upstream_hash_module', '1.7.2'],
  ['http_upstream_ip_hash_module'],
  ['http_upstream_keepalive_module', '1.1.4'],
  ['http_upstream_least_conn_module', '1.3.1'],
  ['http_upstream_random_module', '1.15.1'],
  ['http_upstream_zone_module', '1.9.0'],
  ['http_userid_module'],
  ['http_uwsgi_module'],
];

/**
 * Compares two nginx versions numerically (`1.9.5` < `1.22.1`).
 *
 * @returns negative when `a` is older, 0 when equal, positive when newer.
 */
export function compareNginxVersion(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether nginx `version` is `min` or later. */
export function nginxAtLeast(version: string, min: string): boolean {
  return compareNginxVersion(version, min) >= 0;
}

/**
 * The words of `configure arguments:`, as the shell split them when nginx was configured: single-
 * or double-quoted parts (`--with-cc-opt='-g -O2'`) stay in one word, without their quotes.
 */
function splitArguments(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | null = null;
  for (const c of line) {
    if (quote !== null) {
      if (c === quote) quote = null;
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The nginx version of the `nginx version:` line; forks name it beside their own (`Tengine/2.3.3 (nginx/1.18.0)`). */
function versionOf(line: string): string | null {
  const own = /nginx\/(\d{1,4}\.\d{1,4}\.\d{1,4})/.exec(line);
  if (own?.[1]) return own[1];
  // OpenResty numbers its releases after the nginx core they carry, plus one more part.
  const resty = /^nginx version: openresty\/(\d{1,4}\.\d{1,4}\.\d{1,4})/.exec(line);
  return resty?.[1] ?? null;
}

/** The OpenSSL version nginx runs with: `(running with OpenSSL X …)` when shown, else `built with OpenSSL X`. */
function opensslOf(line: string): string | undefined {
  const running = /\(running with OpenSSL (\d[0-9A-Za-z.-]{0,31})/.exec(line);
  if (running?.[1]) return running[1];
  return /^built with OpenSSL (\d[0-9A-Za-z.-]{0,31})/.exec(line)?.[1];
}

/** The last folder of a module path (`../ngx_brotli/` → `ngx_brotli`), or null when it is not a usable name. */
function folderName(path: string): string | null {
  const name =
    path
      .split('/')
      .filter((p) => p !== '')
      .pop() ?? '';
  return NginxModuleSchema.safeParse(name).success ? name : null;
}

/** The modules that `configure arguments` give an nginx of `version`. */
function modulesOf(args: readonly string[], version: string): string[] {
  const modules = new Set(
    DEFAULT_HTTP_MODULES.filter(([, since]) => since === undefined || nginxAtLeast(version, since)).map(([m]) => m),
  );
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? '' : arg.slice(eq + 1);
    if (flag === '--without-http') {
      // No http server at all: none of its modules.
      for (const m of [...modules]) if (m.startsWith('http_')) modules.delete(m);
    } else if (flag.startsWith('--without-') && flag.endsWith('_module')) {
      modules.delete(flag.slice('--without-'.length));
    } else if (
      flag.startsWith('--with-') &&
      (flag.endsWith('_module') || flag === '--with-stream' || flag === '--with-mail')
    ) {
      // `--with-X_module` and `--with-X_module=dynamic` alike: built.
      modules.add(flag.slice('--with-'.length));
    } else if (flag === '--add-module' || flag === '--add-dynamic-module') {
      const name = folderName(value);
      if (name) modules.add(name);
    }
  }
  return [...modules].filter((m) => NginxModuleSchema.safeParse(m).success).sort();
}

/**
 * Reads the output of `nginx -V` (nginx writes it to stderr): the version line, the OpenSSL
 * line and `configure arguments:`. An nginx built with no arguments prints no such line and has
 * only the default modules.
 *
 * @param text - what `nginx -V` printed.
 * @returns the build info, or why the text is not `nginx -V` output.
 */
export function parseNginxV(text: string): ParseNginxVResult {
  const lines = text.split('\n').map((l) => l.trim());
  const versionLine = lines.find((l) => l.startsWith('nginx version:'));
  if (versionLine === undefined) return { ok: false, reason: 'no "nginx version:" line in the output of nginx -V' };
  const version = versionOf(versionLine);
  if (version === null)
    return { ok: false, reason: `no nginx version in ${JSON.stringify(versionLine.slice(0, 200))}` };
  const argsLine = lines.find((l) => l.startsWith('configure arguments:'));
  const args = argsLine === undefined ? [] : splitArguments(argsLine.slice('configure arguments:'.length));
  const openssl = lines.map(opensslOf).find((v) => v !== undefined);
  const info = { version, modules: modulesOf(args, version), ...(openssl === undefined ? {} : { openssl }) };
  const parsed = NginxBuildInfoSchema.safeParse(info);
  if (!parsed.success)
    return { ok: false, reason: `unusable nginx -V output: ${parsed.error.issues[0]?.message ?? ''}` };
  return { ok: true, info: parsed.data };
}
