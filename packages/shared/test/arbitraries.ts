// Test support: fast-check arbitraries for cluster specs (nginx side: pools and virtual servers).
import fc from 'fast-check';
import { NGINX_VARIABLES } from '../src/spec/grammar.js';
import { ClusterSpecSchema, type ClusterSpec, type ClusterSpecInput } from '../src/spec/cluster.js';

const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
const ipv4 = fc
  .tuple(fc.constantFrom('192.0.2', '198.51.100', '203.0.113'), fc.integer({ min: 1, max: 254 }))
  .map(([n, h]) => `${n}.${h}`);
const ipv6 = fc.integer({ min: 1, max: 0xffff }).map((h) => `2001:db8::${h.toString(16)}`);
const address = fc.oneof(ipv4, ipv6);
const port = fc.integer({ min: 1, max: 65535 });
const seconds = fc.integer({ min: 0, max: 120 }).map((s) => s * 1000);
const ms = fc.integer({ min: 1, max: 120_000 });
const variable = fc.constantFrom(...NGINX_VARIABLES);

const method = fc.oneof(
  fc.constant({ type: 'round_robin' as const }),
  fc.constant({ type: 'least_conn' as const }),
  fc.constant({ type: 'ip_hash' as const }),
  fc.constant({ type: 'random' as const }),
  fc.record({
    type: fc.constant('hash' as const),
    key: fc.array(variable, { minLength: 1, maxLength: 3 }),
    consistent: fc.boolean(),
  }),
);

const server = (backupAllowed: boolean) =>
  fc.record(
    {
      address,
      port,
      weight: fc.integer({ min: 1, max: 1000 }),
      maxFails: fc.integer({ min: 0, max: 1000 }),
      failTimeoutMs: seconds,
      backup: backupAllowed ? fc.boolean() : fc.constant(false),
      down: fc.boolean(),
    },
    { requiredKeys: ['address', 'port'] },
  );

const pool = (poolName: string) =>
  method.chain((m) =>
    fc.record(
      {
        name: fc.constant(poolName),
        method: fc.constant(m),
        keepalive: fc.integer({ min: 1, max: 10_000 }),
        servers: fc.uniqueArray(server(m.type === 'round_robin' || m.type === 'least_conn'), {
          minLength: 1,
          maxLength: 5,
          selector: (s) => `${s.address}:${s.port}`,
        }),
      },
      { requiredKeys: ['name', 'method', 'servers'] },
    ),
  );

const headerValue = fc.oneof(variable, fc.stringMatching(/^[A-Za-z0-9 _.,:/=+*@()?!~%&<>|^-]{0,20}$/));
const header = fc.record({ name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/), value: headerValue });
const hostName = fc.oneof(
  fc.constant('_'),
  fc.stringMatching(/^(\*\.)?[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z]{2,6}){0,2}$/),
);

const location = (pools: string[]) =>
  fc.record(
    {
      path: fc.stringMatching(/^\/[A-Za-z0-9._~/-]{0,12}$/),
      pool: fc.constantFrom(...pools),
      proxyConnectTimeoutMs: ms,
      proxyReadTimeoutMs: ms,
      proxySendTimeoutMs: ms,
      headers: fc.uniqueArray(header, { maxLength: 4, selector: (h) => h.name.toLowerCase() }),
    },
    { requiredKeys: ['path', 'pool'] },
  );

const listen = fc
  .record({
    address: fc.option(address, { nil: undefined }),
    port: fc.integer({ min: 1, max: 40 }).map((p) => 8000 + p),
    defaultServer: fc.boolean(),
  })
  .map((l) => (l.address === undefined ? { port: l.port, defaultServer: l.defaultServer } : l));

/**
 * Specs with 1..3 pools and 0..3 virtual servers. Some generated specs break a cross-field rule
 * (duplicate default servers, conflicting names); the property filters them through the schema,
 * since the claim is about specs the schema accepts.
 */
export const nginxSpecArb: fc.Arbitrary<ClusterSpecInput> = fc
  .uniqueArray(name, { minLength: 1, maxLength: 3 })
  .chain((poolNames) =>
    fc.record({
      name: name,
      nodes: fc.constant([{ name: 'lb1', interfaces: ['eth0'] }]),
      pools: fc.tuple(...poolNames.map(pool)),
      virtualServers: fc.uniqueArray(
        fc.record({
          name,
          listen: fc.uniqueArray(listen, {
            minLength: 1,
            maxLength: 3,
            selector: (l) => `${'address' in l ? l.address : '*'}:${l.port}`,
          }),
          serverNames: fc.uniqueArray(hostName, { maxLength: 3, selector: (s) => s.toLowerCase() }),
          locations: fc.uniqueArray(location(poolNames), { minLength: 1, maxLength: 3, selector: (l) => l.path }),
        }),
        { maxLength: 3, selector: (v) => v.name },
      ),
    }),
  );

/** The specs drawn from `inputs` that the schema accepts, as parsed (defaults applied). */
export function acceptedSpecs(inputs: fc.Arbitrary<ClusterSpecInput>): fc.Arbitrary<ClusterSpec> {
  return inputs
    .map((input) => ClusterSpecSchema.safeParse(input))
    .filter((r) => r.success)
    .map((r) => r.data as ClusterSpec);
}
