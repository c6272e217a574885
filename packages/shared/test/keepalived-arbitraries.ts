// Test support: fast-check arbitraries for single-node specs that keepalived.conf can express
// completely (script checks with whole-second timings, whole-second GARP and preempt delays),
// shaped the way the importer builds them (the node's interfaces in first-use order, its
// addresses = the unicast source addresses), so export → import must give the spec back.
// Weights stay within ±253, what keepalived 2.2.7 accepts (the export clamps ±254 and says so).
import fc from 'fast-check';
import type { z } from 'zod';
import type { ClusterSpecInput } from '../src/spec/cluster.js';
import type { ScriptCommand } from '../src/spec/checks.js';
import type { VrrpInstanceSchema } from '../src/spec/vrrp-instance.js';

type InstanceInput = z.input<typeof VrrpInstanceSchema>;

const ifname = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,8}$/);
const wholeSeconds = (max: number) => fc.integer({ min: 0, max }).map((s) => s * 1000);
const ipv4 = fc
  .tuple(fc.constantFrom('192.0.2', '198.51.100', '203.0.113'), fc.integer({ min: 1, max: 254 }))
  .map(([n, h]) => `${n}.${h}`);

/** Script commands whose programs exist on a Debian host with nginx, so keepalived -t finds them. */
const command: fc.Arbitrary<ScriptCommand> = fc.oneof(
  fc
    .constantFrom(['/bin/true'], ['/usr/bin/test', '-x', '/usr/sbin/nginx'])
    .map((argv): ScriptCommand => ({ argv: [...argv] })),
  fc
    .constantFrom('test -x /usr/sbin/nginx', 'pidof nginx || exit 1', 'exit 0')
    .map((shell): ScriptCommand => ({ shell })),
);

const check = fc.record(
  {
    kind: fc.constant('script' as const),
    name,
    command,
    intervalMs: wholeSeconds(30).map((ms) => Math.max(ms, 1000)),
    timeoutMs: wholeSeconds(30).map((ms) => Math.max(ms, 1000)),
    weight: fc.integer({ min: -253, max: 253 }),
    fall: fc.integer({ min: 1, max: 10 }),
    rise: fc.integer({ min: 1, max: 10 }),
    initFail: fc.boolean(),
  },
  { requiredKeys: ['kind', 'name', 'command'] },
);

const instance = (checkNames: string[]) =>
  fc
    .record({
      name,
      vrid: fc.integer({ min: 1, max: 255 }),
      version: fc.constantFrom(2 as const, 3 as const),
      v6: fc.boolean(),
      interface: ifname,
      advertCs: fc.integer({ min: 1, max: 400 }),
      priority: fc.integer({ min: 1, max: 254 }),
      initialState: fc.constantFrom('master' as const, 'backup' as const),
      preempt: fc.boolean(),
      preemptDelayMs: fc.oneof(wholeSeconds(60), fc.integer({ min: 1, max: 60_000 })),
      password: fc.option(fc.stringMatching(/^[A-Za-z0-9]{1,8}$/), { nil: undefined }),
      unicast: fc.boolean(),
      vipHosts: fc.uniqueArray(fc.integer({ min: 1, max: 254 }), { minLength: 1, maxLength: 3 }),
      prefix: fc.option(fc.integer({ min: 8, max: 32 }), { nil: undefined }),
      vipDev: fc.option(ifname, { nil: undefined }),
      trackIf: fc.option(fc.record({ interface: ifname, weight: fc.integer({ min: -253, max: 253 }) }), {
        nil: undefined,
      }),
      tracks: fc.subarray(checkNames),
      trackWeight: fc.option(fc.integer({ min: -253, max: 253 }), { nil: undefined }),
      garpMasterDelayMs: wholeSeconds(10),
      garpMasterRepeat: fc.integer({ min: 1, max: 10 }),
      garpMasterRefreshMs: wholeSeconds(120),
      garpMasterRefreshRepeat: fc.integer({ min: 1, max: 10 }),
      src: ipv4,
      peers: fc.uniqueArray(fc.integer({ min: 1, max: 254 }), { minLength: 1, maxLength: 3 }),
    })
    .map((g): InstanceInput => {
      const family: 4 | 6 = g.v6 ? 6 : 4;
      const version: 2 | 3 = g.v6 ? 3 : g.version;
      const host = (h: number) => (family === 6 ? `2001:db8::${h.toString(16)}` : `203.0.113.${h}`);
      return {
        name: g.name,
        vrid: g.vrid,
        version,
        family,
        interface: g.interface,
        advertIntervalMs: version === 2 ? Math.min(g.advertCs, 255) * 1000 : g.advertCs * 10,
        members: [
          {
            node: 'n1',
            priority: g.priority,
            initialState: g.preempt && g.preemptDelayMs === 0 ? g.initialState : ('backup' as const),
            ...(g.unicast
              ? {
                  unicastSrcIp: family === 6 ? '2001:db8::ffff' : g.src,
                  unicastPeers: g.peers.map((p) =>
                    family === 6 ? `2001:db8::1:${p.toString(16)}` : `198.51.100.${p}`,
                  ),
                }
              : {}),
          },
        ],
        preempt: g.preempt,
        preemptDelayMs: g.preempt ? g.preemptDelayMs : 0,
        ...(version === 2 && g.password !== undefined
          ? { authentication: { type: 'pass' as const, password: g.password } }
          : {}),
        vips: g.vipHosts.map((h) => ({
          address: host(h),
          ...(g.prefix === undefined ? {} : { prefix: family === 6 ? g.prefix + 96 : g.prefix }),
          ...(g.vipDev === undefined ? {} : { dev: g.vipDev }),
        })),
        trackInterfaces: g.trackIf === undefined || g.trackIf.interface === g.interface ? [] : [g.trackIf],
        trackChecks: g.tracks.map((check) =>
          g.trackWeight === undefined ? { check } : { check, weight: g.trackWeight },
        ),
        garpMasterDelayMs: g.garpMasterDelayMs,
        garpMasterRepeat: g.garpMasterRepeat,
        garpMasterRefreshMs: g.garpMasterRefreshMs,
        garpMasterRefreshRepeat: g.garpMasterRefreshRepeat,
      };
    });

/** Single-node, keepalived-expressible specs in the importer's shape (some fail the schema; filter them). */
export const keepalivedSpecArb: fc.Arbitrary<ClusterSpecInput> = fc
  .uniqueArray(check, { maxLength: 3, selector: (c) => c.name })
  .chain((checks) =>
    fc
      .uniqueArray(instance(checks.map((c) => c.name)), { minLength: 1, maxLength: 3, selector: (i) => i.name })
      .map((instances) => {
        const interfaces: string[] = [];
        const use = (i: string | undefined) => i !== undefined && !interfaces.includes(i) && interfaces.push(i);
        for (const inst of instances) {
          use(inst.interface);
          inst.vips.forEach((v) => use(v.dev));
          (inst.trackInterfaces ?? []).forEach((t) => use(t.interface));
        }
        const addresses = [
          ...new Set(
            instances.flatMap((i) => i.members.flatMap((m) => (m.unicastSrcIp !== undefined ? [m.unicastSrcIp] : []))),
          ),
        ];
        return { name: 'imported', nodes: [{ name: 'n1', addresses, interfaces }], vrrpInstances: instances, checks };
      }),
  );
