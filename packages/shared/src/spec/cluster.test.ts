/* eslint-disable @typescript-eslint/no-explicit-any -- these tests edit specs structurally to break them on purpose */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GOLDEN_CASES, REFERENCE_SPEC_INPUT } from '../../test/spec-cases.js';
import { ClusterSpecSchema, type ClusterSpecInput } from './cluster.js';
import { formatZodError } from './format-error.js';
import { isIpv6 } from './grammar.js';

/** A deep copy of the reference spec with `edit` applied. */
function edited(edit: (s: any) => void): ClusterSpecInput {
  const s = structuredClone(REFERENCE_SPEC_INPUT) as any;
  edit(s);
  return s as ClusterSpecInput;
}

function issuesOf(input: unknown): string[] {
  const r = ClusterSpecSchema.safeParse(input);
  return r.success ? [] : formatZodError(r.error).split('\n');
}

describe('ClusterSpecSchema', () => {
  it.each(Object.entries(GOLDEN_CASES).map(([name, input]) => ({ name, input })))(
    'accepts the $name case',
    ({ input }) => {
      expect(issuesOf(input)).toEqual([]);
    },
  );

  it('applies keepalived defaults to what the admin left out', () => {
    const spec = ClusterSpecSchema.parse(REFERENCE_SPEC_INPUT);
    const inst = spec.vrrpInstances[0];
    expect(inst).toMatchObject({
      version: 2,
      family: 4,
      preempt: true,
      preemptDelayMs: 0,
      garpMasterDelayMs: 5000,
      garpMasterRepeat: 5,
      garpMasterRefreshMs: 0,
    });
    expect(spec.checks[0]).toMatchObject({ intervalMs: 1000, weight: 0, fall: 1, rise: 1, initFail: false });
  });

  type Rule = { name: string; edit: (s: any) => void; path: string; message: RegExp };
  const rules: Rule[] = [
    {
      name: 'a member names an unknown node',
      edit: (s) => (s.vrrpInstances[0].members[1].node = 'LVS_9'),
      path: 'vrrpInstances.0.members.1.node',
      message: /unknown node "LVS_9"/,
    },
    {
      name: 'two members own the addresses (priority 255)',
      edit: (s) => {
        s.vrrpInstances[0].members[0].priority = 255;
        s.vrrpInstances[0].members[1].priority = 255;
      },
      path: 'vrrpInstances.0.members',
      message: /at most one member/,
    },
    {
      name: 'the address owner tracks a check with a weight',
      edit: (s) => {
        s.vrrpInstances[0].members[0].priority = 255;
        s.vrrpInstances[0].trackChecks[0].weight = -20;
      },
      path: 'vrrpInstances.0.members.0.priority',
      message: /cannot track with weights \(check "check_nginx"\)/,
    },
    {
      name: 'a priority is above 255',
      edit: (s) => (s.vrrpInstances[0].members[0].priority = 256),
      path: 'vrrpInstances.0.members.0.priority',
      message: /255/,
    },
    {
      name: 'a priority is 0',
      edit: (s) => (s.vrrpInstances[0].members[0].priority = 0),
      path: 'vrrpInstances.0.members.0.priority',
      message: />=1/,
    },
    {
      name: 'a VIP is IPv6 in an IPv4 instance',
      edit: (s) => (s.vrrpInstances[0].vips[0].address = '2001:db8::1'),
      path: 'vrrpInstances.0.vips.0.address',
      message: /IPv6 VIP in an IPv4 instance/,
    },
    {
      name: 'an IPv6 instance uses VRRPv2',
      edit: (s) => {
        s.vrrpInstances[0].family = 6;
        s.vrrpInstances[0].vips[0].address = '2001:db8::1';
      },
      path: 'vrrpInstances.0.version',
      message: /IPv4 only/,
    },
    {
      name: 'two instances share a VRID on one interface',
      edit: (s) =>
        s.vrrpInstances.push({
          ...structuredClone(s.vrrpInstances[0]),
          name: 'VI_2',
          vips: [{ address: '192.0.2.181' }],
        }),
      path: 'vrrpInstances.1.vrid',
      message: /VRID 51 is already used by instance "VI_1"/,
    },
    {
      name: 'a v2 advert interval is not whole seconds',
      edit: (s) => (s.vrrpInstances[0].advertIntervalMs = 1500),
      path: 'vrrpInstances.0.advertIntervalMs',
      message: /whole seconds/,
    },
    {
      name: 'a v3 instance sets authentication',
      edit: (s) => (s.vrrpInstances[0].version = 3),
      path: 'vrrpInstances.0.authentication',
      message: /VRRPv2 only/,
    },
    {
      name: 'an instance tracks an unknown check',
      edit: (s) => (s.vrrpInstances[0].trackChecks[0].check = 'nope'),
      path: 'vrrpInstances.0.trackChecks.0.check',
      message: /unknown check "nope"/,
    },
    {
      name: "an instance's interface is not the node's",
      edit: (s) => (s.vrrpInstances[0].interface = 'eth9'),
      path: 'vrrpInstances.0.interface',
      message: /not among node "LVS_1"'s interfaces/,
    },
    {
      name: 'a MASTER member with nopreempt',
      edit: (s) => (s.vrrpInstances[0].preempt = false),
      path: 'vrrpInstances.0.members.0.initialState',
      message: /keepalived ignores them on MASTER/,
    },
    {
      name: 'preemptDelayMs under nopreempt',
      edit: (s) => {
        s.vrrpInstances[0].members[0].initialState = 'backup';
        s.vrrpInstances[0].preempt = false;
        s.vrrpInstances[0].preemptDelayMs = 2000;
      },
      path: 'vrrpInstances.0.preemptDelayMs',
      message: /needs preempt/,
    },
    {
      name: 'a unicast peer of the other family',
      edit: (s) => (s.vrrpInstances[0].members[0].unicastPeers = ['2001:db8::2']),
      path: 'vrrpInstances.0.members.0.unicastPeers.0',
      message: /IPv4/,
    },
    {
      name: 'a location names an unknown pool',
      edit: (s) => (s.virtualServers[0].locations[0].pool = 'nope'),
      path: 'virtualServers.0.locations.0.pool',
      message: /unknown pool "nope"/,
    },
    {
      name: 'a hash pool has a backup server',
      edit: (s) => {
        s.pools[0].method = { type: 'hash', key: ['$request_uri'] };
        s.pools[0].servers[1].backup = true;
      },
      path: 'pools.0.servers.1.backup',
      message: /does not support backup/,
    },
    {
      name: 'every server of a pool is a backup',
      edit: (s) => s.pools[0].servers.forEach((x: any) => (x.backup = true)),
      path: 'pools.0.servers',
      message: /must not be a backup/,
    },
    {
      name: 'two pools share a name',
      edit: (s) => s.pools.push(structuredClone(s.pools[0])),
      path: 'pools.1.name',
      message: /duplicate pool name "webs"/,
    },
    {
      name: 'two servers claim the same default listen',
      edit: (s) => {
        s.virtualServers[0].listen[0].defaultServer = true;
        s.virtualServers.push({ ...structuredClone(s.virtualServers[0]), name: 'other', serverNames: ['x.example'] });
      },
      path: 'virtualServers.1.listen.0.defaultServer',
      message: /already has default server/,
    },
    {
      name: 'two servers serve one name on one socket',
      edit: (s) => s.virtualServers.push({ ...structuredClone(s.virtualServers[0]), name: 'other' }),
      path: 'virtualServers.1.listen.0',
      message: /already served by virtual server "server-1"/,
    },
    {
      name: 'a fail_timeout is not whole seconds',
      edit: (s) => (s.pools[0].servers[0].failTimeoutMs = 1500),
      path: 'pools.0.servers.0.failTimeoutMs',
      message: /whole seconds/,
    },
    {
      name: 'a port is out of range',
      edit: (s) => (s.pools[0].servers[0].port = 70000),
      path: 'pools.0.servers.0.port',
      message: /65535/,
    },
    {
      name: 'a field is unknown',
      edit: (s) => (s.pools[0].servers[0].slow_start = '10s'),
      path: 'pools.0.servers.0',
      message: /slow_start/,
    },
  ];

  describe('refuses, naming the field path, when', () => {
    it.each(rules)('$name', ({ edit, path, message }) => {
      const lines = issuesOf(edited(edit));
      const hit = lines.find((l) => l.startsWith(`${path}: `));
      expect(hit, lines.join('\n')).toBeDefined();
      expect(hit).toMatch(message);
    });

    it('reports an invalid VIP once, by its grammar, not also as a family mismatch', () => {
      const lines = issuesOf(edited((s) => (s.vrrpInstances[0].vips[0].address = '192.0.2.999'))).filter((l) =>
        l.startsWith('vrrpInstances.0.vips.0.address: '),
      );
      expect(lines).toEqual(['vrrpInstances.0.vips.0.address: must be an IPv4 or IPv6 address']);
    });
  });

  describe('hostile strings', () => {
    const HOSTILE = [';', '}', '{', '"', "'", '\n', '$', '#', '\\', ' '];
    type Field = { name: string; set: (s: any, v: string) => void; base: string; allows?: string };
    const fields: Field[] = [
      {
        name: 'pool name',
        set: (s, v) => {
          s.pools[0].name = v;
          s.virtualServers[0].locations[0].pool = v;
        },
        base: 'webs',
      },
      { name: 'server address', set: (s, v) => (s.pools[0].servers[0].address = v), base: '192.0.2.152' },
      { name: 'server name', set: (s, v) => (s.virtualServers[0].serverNames = [v]), base: 'www.example.com' },
      { name: 'location path', set: (s, v) => (s.virtualServers[0].locations[0].path = v), base: '/api/' },
      {
        name: 'header name',
        set: (s, v) => (s.virtualServers[0].locations[0].headers = [{ name: v, value: 'x' }]),
        base: 'X-Test',
      },
      {
        name: 'header value',
        set: (s, v) => (s.virtualServers[0].locations[0].headers = [{ name: 'X-Test', value: v }]),
        base: 'value',
        allows: ' ',
      },
      {
        name: 'node name',
        set: (s, v) => {
          s.nodes[0].name = v;
          s.vrrpInstances[0].members[0].node = v;
        },
        base: 'LVS_1',
      },
      { name: 'script argument', set: (s, v) => (s.checks[0].command = { argv: ['/bin/check', v] }), base: 'arg' },
      { name: 'auth password', set: (s, v) => (s.vrrpInstances[0].authentication.password = v), base: 'pw' },
      {
        name: 'interface',
        set: (s, v) => {
          s.nodes[0].interfaces = [v];
          s.nodes[1].interfaces = [v];
          s.vrrpInstances[0].interface = v;
        },
        base: 'eth0',
      },
    ];

    it.each(fields)(
      'the schema refuses a $name holding ; } { quotes newline $ # backslash or space',
      ({ set, base, allows }) => {
        fc.assert(
          fc.property(
            fc.constantFrom(...HOSTILE.filter((h) => h !== allows)),
            fc.nat({ max: base.length }),
            (bad, at) => {
              const value = base.slice(0, at) + bad + base.slice(at);
              expect(ClusterSpecSchema.safeParse(edited((s) => set(s, value))).success).toBe(false);
            },
          ),
          { numRuns: 60 },
        );
      },
    );

    it.each(fields)('the schema accepts the plain $name the hostile cases start from', ({ set, base }) => {
      expect(issuesOf(edited((s) => set(s, base)))).toEqual([]);
    });

    it('accepts an allowed nginx variable as a whole header value but not inside text', () => {
      const ok = edited((s) => (s.virtualServers[0].locations[0].headers = [{ name: 'Host', value: '$host' }]));
      const bad = edited((s) => (s.virtualServers[0].locations[0].headers = [{ name: 'Host', value: 'a$host' }]));
      expect(issuesOf(ok)).toEqual([]);
      expect(issuesOf(bad)).not.toEqual([]);
    });

    it('refuses a shell line with quotes', () => {
      expect(issuesOf(edited((s) => (s.checks[0].command = { shell: 'pidof "nginx"' })))).not.toEqual([]);
      expect(issuesOf(edited((s) => (s.checks[0].command = { shell: 'pidof nginx || exit 1' })))).toEqual([]);
    });
  });
});

describe('isIpv6', () => {
  it.each([
    '::',
    '::1',
    '2001:db8::10',
    'fe80::1:2:3:4',
    '1:2:3:4:5:6:7:8',
    '::ffff:192.0.2.1',
    '2001:db8:0:0:0:0:0:1',
  ])('accepts %s', (s) => {
    expect(isIpv6(s)).toBe(true);
  });
  it.each([
    '',
    ':',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '2001:db8::g',
    '12345::',
    '192.0.2.1',
    '[::1]',
    'fe80::1%eth0',
    '1:2:3:4:5:6:7::8:9',
  ])('refuses %j', (s) => {
    expect(isIpv6(s)).toBe(false);
  });
});
