import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptedSpecs, nginxSpecArb } from '../../test/arbitraries.js';
import { nginxTest } from '../../test/nginx-t.js';
import type { ClusterSpec } from '../spec/cluster.js';
import { renderNginxConfig } from './render.js';

/** Directive name → count, from rendered text (comments dropped; one directive or block opener per line). */
function directives(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '' || line === '}') continue;
    const word = line.split(/[\s;{]/)[0] ?? '';
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/** The directives a spec asks for, computed from the spec alone. */
function expectedDirectives(spec: ClusterSpec): Map<string, number> {
  const want = new Map<string, number>();
  const add = (k: string, n = 1) => n > 0 && want.set(k, (want.get(k) ?? 0) + n);
  const keepalivePools = new Set(spec.pools.filter((p) => p.keepalive !== undefined).map((p) => p.name));
  for (const p of spec.pools) {
    add('upstream');
    add('server', p.servers.length);
    if (p.method.type !== 'round_robin') add(p.method.type);
    if (p.keepalive !== undefined) add('keepalive');
  }
  for (const vs of spec.virtualServers) {
    add('server');
    add('listen', vs.listen.length);
    if (vs.serverNames.length > 0) add('server_name');
    for (const l of vs.locations) {
      add('location');
      add('proxy_pass');
      const ka = keepalivePools.has(l.pool);
      if (ka) add('proxy_http_version');
      add(
        'proxy_set_header',
        l.headers.length + (ka && !l.headers.some((h) => h.name.toLowerCase() === 'connection') ? 1 : 0),
      );
      if (l.proxyConnectTimeoutMs !== undefined) add('proxy_connect_timeout');
      if (l.proxyReadTimeoutMs !== undefined) add('proxy_read_timeout');
      if (l.proxySendTimeoutMs !== undefined) add('proxy_send_timeout');
    }
  }
  return want;
}

const accepted = acceptedSpecs(nginxSpecArb);

describe('renderNginxConfig on any spec the schema accepts', () => {
  it('renders only the directives the spec asks for', () => {
    fc.assert(
      fc.property(accepted, (spec) => {
        expect(directives(renderNginxConfig(spec, 'lb1'))).toEqual(expectedDirectives(spec));
      }),
      { numRuns: 300 },
    );
  });

  it('renders configs that pass real nginx -t (sampled)', () => {
    fc.assert(
      fc.property(accepted, (spec) => {
        const r = nginxTest(renderNginxConfig(spec, 'lb1'));
        expect(r.output).toBe('');
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
