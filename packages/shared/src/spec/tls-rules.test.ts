import { describe, expect, it } from 'vitest';
import { ClusterSpecSchema, type ClusterSpecInput } from './cluster.js';
import { formatZodIssues } from './format-error.js';

type VsInput = NonNullable<ClusterSpecInput['virtualServers']>[number];

const loc = [{ path: '/', pool: 'app' }];
const site = (vs: Partial<VsInput> & { name?: string }): VsInput => ({
  name: 'site',
  listen: [{ port: 80 }, { port: 443, ssl: true }],
  locations: loc,
  tls: { certificate: 'site-cert' },
  ...vs,
});

function issues(...virtualServers: VsInput[]): string[] {
  const r = ClusterSpecSchema.safeParse({
    name: 'tls',
    nodes: [{ name: 'lb1', interfaces: ['eth0'] }],
    pools: [{ name: 'app', servers: [{ address: '198.51.100.11', port: 8080 }] }],
    virtualServers,
  } satisfies ClusterSpecInput);
  return r.success ? [] : formatZodIssues(r.error.issues);
}

type Case = { name: string; servers: VsInput[]; want: string[] };

describe('TLS rules of the cluster spec', () => {
  it.each<Case>([
    { name: 'a tls server with a plain and an ssl listen is accepted', servers: [site({})], want: [] },
    {
      name: 'redirectHttp and HSTS with a plain listen are accepted',
      servers: [site({ tls: { certificate: 'c', redirectHttp: true, hsts: { maxAgeS: 31_536_000 } } })],
      want: [],
    },
    {
      name: 'two tls servers sharing :443 with the same http2 are accepted',
      servers: [site({ serverNames: ['a.example.com'] }), site({ name: 'b', serverNames: ['b.example.com'] })],
      want: [],
    },
    {
      name: 'tls without an ssl listen is refused on listen',
      servers: [site({ listen: [{ port: 80 }] })],
      want: ['virtualServers.0.listen: a virtual server with tls needs at least one listen with ssl'],
    },
    {
      name: 'an ssl listen without tls is refused on its ssl field',
      servers: [site({ tls: undefined })],
      want: ['virtualServers.0.listen.1.ssl: an ssl listen needs tls (the certificate to serve)'],
    },
    {
      name: 'redirectHttp without a plain listen is refused on redirectHttp',
      servers: [site({ listen: [{ port: 443, ssl: true }], tls: { certificate: 'c', redirectHttp: true } })],
      want: [
        'virtualServers.0.tls.redirectHttp: redirectHttp needs a plain (non-ssl) listen to answer with the redirect',
      ],
    },
    {
      name: 'a socket that is ssl in one server and plain in another is refused',
      servers: [
        site({ serverNames: ['a.example.com'] }),
        { name: 'plain', listen: [{ port: 443 }], serverNames: ['b.example.com'], locations: loc },
      ],
      want: [
        'virtualServers.1.listen.0.ssl: *:443 is ssl in virtual server "site": every server on a socket must agree',
      ],
    },
    {
      name: 'tls servers sharing a socket with different http2 are refused (nginx < 1.25.1 sets it per socket)',
      servers: [
        site({ serverNames: ['a.example.com'] }),
        site({ name: 'b', serverNames: ['b.example.com'], tls: { certificate: 'c', http2: false } }),
      ],
      want: [
        'virtualServers.1.tls.http2: *:443 has http2 on in virtual server "site": servers sharing a socket must agree',
      ],
    },
    {
      name: 'HSTS outside tls is refused (it exists only inside tls)',
      servers: [{ ...site({ tls: undefined, listen: [{ port: 80 }] }), hsts: { maxAgeS: 60 } } as VsInput],
      want: ['virtualServers.0: Unrecognized key: "hsts"'],
    },
    {
      name: 'an HSTS max-age above two years is refused',
      servers: [site({ tls: { certificate: 'c', hsts: { maxAgeS: 63_072_001 } } })],
      want: ['virtualServers.0.tls.hsts.maxAgeS: Too big: expected number to be <=63072000'],
    },
    {
      name: 'a certificate name outside the name grammar is refused',
      servers: [site({ tls: { certificate: '../etc/passwd' } })],
      want: [
        'virtualServers.0.tls.certificate: must be 1-63 letters, digits, "_", "." or "-", starting with a letter or digit',
      ],
    },
  ])('$name', ({ servers, want }) => {
    expect(issues(...servers)).toEqual(want);
  });

  it('defaults http2 on and redirectHttp off; a listen without ssl stays without it (what agents from before TLS accept)', () => {
    const spec = ClusterSpecSchema.parse({
      name: 'tls',
      nodes: [{ name: 'lb1', interfaces: ['eth0'] }],
      pools: [{ name: 'app', servers: [{ address: '198.51.100.11', port: 8080 }] }],
      virtualServers: [site({})],
    });
    expect(spec.virtualServers[0]!.tls).toEqual({ certificate: 'site-cert', http2: true, redirectHttp: false });
    expect(spec.virtualServers[0]!.listen[0]).not.toHaveProperty('ssl');
  });
});
