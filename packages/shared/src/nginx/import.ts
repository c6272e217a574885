/**
 * nginx config → upstream pools and virtual servers, for adopting an existing load balancer such
 * as the reference scenario's `lb.conf` (an `upstream` plus a `server` whose location does
 * `proxy_pass http://UPSTREAM`). Only what the spec can express is imported; every other
 * directive is reported by name and line.
 */
import type { ClusterSpecInput } from '../spec/cluster.js';
import type { UnsupportedKeyword, ImportIssue } from '../keepalived/import.js';

type Directive = { name: string; args: string[]; line: number; block?: Directive[] };

type Pools = NonNullable<ClusterSpecInput['pools']>;
type VirtualServers = NonNullable<ClusterSpecInput['virtualServers']>;

/** The result of {@link importNginxConfig}; `unsupported` and `notes` are filled either way. */
export type ImportNginxResult =
  | { ok: true; pools: Pools; virtualServers: VirtualServers; unsupported: UnsupportedKeyword[]; notes: string[] }
  | { ok: false; errors: ImportIssue[]; unsupported: UnsupportedKeyword[]; notes: string[] };

/** nginx's tokenizer in brief: words, quoted strings, `;`, `{`, `}`, `#` comments. */
function parse(text: string, file: string, errors: ImportIssue[]): Directive[] {
  const root: Directive[] = [];
  const stack: Directive[][] = [root];
  let words: { text: string; line: number }[] = [];
  let line = 1;
  let i = 0;
  const cur = (): Directive[] => stack[stack.length - 1] ?? root;
  const emit = (block: boolean): void => {
    const [head, ...rest] = words;
    words = [];
    if (!head) {
      if (block) errors.push({ file, line, message: '"{" without a directive' });
      return;
    }
    const d: Directive = { name: head.text, args: rest.map((w) => w.text), line: head.line };
    cur().push(d);
    if (block) {
      d.block = [];
      stack.push(d.block);
    }
  };
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === ';') {
      if (words.length === 0) errors.push({ file, line, message: 'unexpected ";"' });
      emit(false);
      i++;
    } else if (c === '{') {
      emit(true);
      i++;
    } else if (c === '}') {
      if (words.length > 0)
        errors.push({ file, line, message: `directive "${words[0]?.text ?? ''}" is not terminated by ";"` });
      words = [];
      if (stack.length === 1) errors.push({ file, line, message: 'unexpected "}"' });
      else stack.pop();
      i++;
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) {
        errors.push({ file, line, message: 'unterminated quoted string' });
        break;
      }
      words.push({ text: text.slice(i + 1, end), line });
      line += (text.slice(i, end).match(/\n/g) ?? []).length;
      i = end + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s;{}#"']/.test(text[j] ?? ' ')) j++;
      words.push({ text: text.slice(i, j), line });
      i = j;
    }
  }
  if (words.length > 0)
    errors.push({ file, line, message: `directive "${words[0]?.text ?? ''}" is not terminated by ";"` });
  if (stack.length > 1) errors.push({ file, line, message: 'unexpected end of file: a block is not closed' });
  return root;
}

/** nginx time (`10s`, `500ms`, `1m`, bare seconds) → ms, or undefined when it is not one. */
function timeMs(v: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return n * unit;
}

/** `host:port`, `[v6]:port`, `host` (port 80) → parts. */
function splitHostPort(v: string): { address: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(v);
  if (!m) return undefined;
  return { address: m[1] ?? m[2] ?? '', port: m[3] === undefined ? 80 : Number(m[3]) };
}

/**
 * Imports upstreams and proxying servers from an nginx config (http-level, or a full config with
 * an `http {}` block).
 *
 * @param text - the config text.
 * @param options - `file` names the text in positions.
 * @returns pools and virtual servers as spec input (validate them with the spec), or errors.
 */
export function importNginxConfig(text: string, options: { file?: string } = {}): ImportNginxResult {
  const file = options.file ?? 'nginx.conf';
  const errors: ImportIssue[] = [];
  const unsupported: UnsupportedKeyword[] = [];
  const notes: string[] = [];
  const skip = (d: Directive, context: string) => unsupported.push({ keyword: d.name, file, line: d.line, context });
  const bad = (d: Directive, message: string) => errors.push({ file, line: d.line, message: `${d.name}: ${message}` });
  const top = parse(text, file, errors);
  if (errors.length > 0) return { ok: false, errors, unsupported, notes };

  let http = top;
  const httpBlock = top.find((d) => d.name === 'http');
  if (httpBlock?.block) {
    for (const d of top) if (d !== httpBlock && d.name !== 'events') skip(d, '');
    http = httpBlock.block;
  }
  const pools: Pools = [];
  const virtualServers: VirtualServers = [];
  let serverIndex = 0;
  for (const d of http) {
    if (d.name === 'upstream' && d.block) {
      const name = d.args[0] ?? '';
      const ctx = `upstream ${name}`;
      const pool: Pools[number] = { name, servers: [] };
      for (const u of d.block) {
        switch (u.name) {
          case 'server': {
            const hp = splitHostPort(u.args[0] ?? '');
            if (!hp) {
              bad(u, `cannot read address ${JSON.stringify(u.args[0] ?? '')}`);
              break;
            }
            const s: Pools[number]['servers'][number] = { address: hp.address, port: hp.port };
            for (const p of u.args.slice(1)) {
              const [k, v = ''] = p.split('=');
              if (k === 'weight') s.weight = Number(v);
              else if (k === 'max_fails') s.maxFails = Number(v);
              else if (k === 'fail_timeout') s.failTimeoutMs = timeMs(v) ?? Number.NaN;
              else if (k === 'backup') s.backup = true;
              else if (k === 'down') s.down = true;
              else unsupported.push({ keyword: `server ${k ?? p}`, file, line: u.line, context: ctx });
            }
            pool.servers.push(s);
            break;
          }
          case 'least_conn':
          case 'ip_hash':
          case 'random':
            if (u.args.length > 0)
              unsupported.push({ keyword: `${u.name} ${u.args.join(' ')}`, file, line: u.line, context: ctx });
            pool.method = { type: u.name };
            break;
          case 'hash': {
            const key = u.args[0] ?? '';
            // Only concatenations of allowed variables; the spec validates each.
            const parts = key.match(/\$[a-z_]+/g) ?? [];
            if (parts.join('') !== key) bad(u, `key ${JSON.stringify(key)} is not a concatenation of variables`);
            pool.method = { type: 'hash', key: parts as never, consistent: u.args[1] === 'consistent' };
            break;
          }
          case 'keepalive':
            pool.keepalive = Number(u.args[0]);
            break;
          default:
            skip(u, ctx);
        }
      }
      pools.push(pool);
    } else if (d.name === 'server' && d.block) {
      serverIndex++;
      const vs: VirtualServers[number] = { name: `server-${serverIndex}`, listen: [], locations: [] };
      const ctx = `server #${serverIndex}`;
      for (const s of d.block) {
        if (s.name === 'listen') {
          const hp = /^\d+$/.test(s.args[0] ?? '')
            ? { port: Number(s.args[0]) }
            : splitHostPort((s.args[0] ?? '').replace(/^\*:/, ''));
          if (!hp) {
            bad(s, `cannot read ${JSON.stringify(s.args[0] ?? '')}`);
            continue;
          }
          const l: VirtualServers[number]['listen'][number] =
            'address' in hp && hp.address !== '*' ? { address: hp.address, port: hp.port } : { port: hp.port };
          for (const p of s.args.slice(1)) {
            if (p === 'default_server' || p === 'default') l.defaultServer = true;
            else unsupported.push({ keyword: `listen ${p}`, file, line: s.line, context: ctx });
          }
          vs.listen.push(l);
        } else if (s.name === 'server_name') {
          vs.serverNames = s.args.filter((n) => n !== '');
        } else if (s.name === 'location' && s.block) {
          if (s.args.length !== 1) {
            unsupported.push({
              keyword: `location ${s.args.slice(0, -1).join(' ')}`,
              file,
              line: s.line,
              context: ctx,
            });
            continue;
          }
          const loc: VirtualServers[number]['locations'][number] = { path: s.args[0] ?? '', pool: '' };
          const lctx = `${ctx} location ${loc.path}`;
          for (const l of s.block) {
            if (l.name === 'proxy_pass') {
              const m = /^http:\/\/([A-Za-z0-9_.-]+)\/?$/.exec(l.args[0] ?? '');
              if (!m || !pools.some((p) => p.name === m[1]))
                bad(
                  l,
                  `only proxy_pass http://UPSTREAM to an upstream defined above is supported, got ${JSON.stringify(l.args[0] ?? '')}`,
                );
              else loc.pool = m[1] ?? '';
            } else if (l.name === 'proxy_set_header' && l.args.length === 2) {
              (loc.headers ??= []).push({ name: l.args[0] ?? '', value: l.args[1] ?? '' });
            } else if (['proxy_connect_timeout', 'proxy_read_timeout', 'proxy_send_timeout'].includes(l.name)) {
              const ms = timeMs(l.args[0] ?? '');
              if (ms === undefined) bad(l, `cannot read time ${JSON.stringify(l.args[0] ?? '')}`);
              else if (l.name === 'proxy_connect_timeout') loc.proxyConnectTimeoutMs = ms;
              else if (l.name === 'proxy_read_timeout') loc.proxyReadTimeoutMs = ms;
              else loc.proxySendTimeoutMs = ms;
            } else if (l.name === 'proxy_http_version' && l.args[0] === '1.1') {
              // Rendered by Keepwatch whenever the pool has keepalive; nothing to keep.
              notes.push(
                `${file}:${l.line}: proxy_http_version 1.1 is rendered automatically for pools with keepalive`,
              );
            } else skip(l, lctx);
          }
          if (loc.pool === '' && !errors.some((e) => e.line === s.line)) bad(s, 'has no proxy_pass');
          vs.locations.push(loc);
        } else skip(s, ctx);
      }
      if (vs.listen.length === 0) {
        // nginx listens on *:80 when a server has no listen (as root).
        vs.listen.push({ port: 80 });
        notes.push(`${file}:${d.line}: server #${serverIndex} has no listen; imported as port 80, nginx's default`);
      }
      virtualServers.push(vs);
    } else skip(d, '');
  }
  if (errors.length > 0) return { ok: false, errors, unsupported, notes };
  return { ok: true, pools, virtualServers, unsupported, notes };
}
