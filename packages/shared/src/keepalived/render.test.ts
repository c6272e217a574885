import { describe, expect, it } from 'vitest';
import { keepalivedTest } from '../../test/keepalived-t.js';
import { REFERENCE_SPEC_INPUT, parseCase } from '../../test/spec-cases.js';
import type { ClusterSpecInput } from '../spec/cluster.js';
import { importKeepalivedConfig } from './import.js';
import { renderKeepalivedConfig } from './render.js';

/** The reference spec with a check program that exists here (keepalived -t refuses a missing script). */
const reference: ClusterSpecInput = {
  ...REFERENCE_SPEC_INPUT,
  checks: [{ kind: 'script', name: 'check_nginx', command: { argv: ['/usr/bin/test', '-x', '/usr/sbin/nginx'] } }],
};

type NodeInput = ClusterSpecInput['nodes'][number];
type InstanceInput = NonNullable<ClusterSpecInput['vrrpInstances']>[number];
/** An instance of a single-node spec: its one member is that node, so `member` leaves the node out. */
type OneNodeInstance = Omit<InstanceInput, 'members'> & { member: Omit<InstanceInput['members'][number], 'node'> };

/**
 * A spec as the importer gives it for one node's keepalived.conf: named 'imported', with `node`
 * the one member of each instance.
 */
function importedSpec(
  node: NodeInput,
  instances: OneNodeInstance[],
  checks?: ClusterSpecInput['checks'],
): ClusterSpecInput {
  return {
    name: 'imported',
    nodes: [node],
    vrrpInstances: instances.map(({ member, ...instance }) => ({
      ...instance,
      members: [{ node: node.name, ...member }],
    })),
    ...(checks && { checks }),
  };
}

/**
 * Single-node specs that keepalived can express completely, so export → import must give the
 * same spec back. Script checks run as root: keepalived 2.2.7's -t terminates itself (status
 * 143) on any script run as another user.
 */
const ROUND_TRIP: Record<string, ClusterSpecInput> = {
  'v2 with PASS authentication and a tracked script': importedSpec(
    { name: 'LVS_1', interfaces: ['ens160'] },
    [
      {
        name: 'VI_1',
        vrid: 51,
        interface: 'ens160',
        member: { priority: 100, initialState: 'master' },
        authentication: { type: 'pass', password: '1111' },
        vips: [{ address: '192.0.2.180' }],
        trackChecks: [{ check: 'check_nginx' }],
      },
    ],
    [{ kind: 'script', name: 'check_nginx', command: { argv: ['/usr/bin/test', '-x', '/usr/sbin/nginx'] } }],
  ),
  'v3 at 100 ms with unicast peers, preempt_delay, tracking and GARP settings': importedSpec(
    { name: 'lb1', addresses: ['192.0.2.1'], interfaces: ['eth0', 'eth1'] },
    [
      {
        name: 'fast',
        vrid: 10,
        version: 3,
        interface: 'eth0',
        advertIntervalMs: 100,
        member: {
          priority: 150,
          initialState: 'backup',
          unicastSrcIp: '192.0.2.1',
          unicastPeers: ['192.0.2.2', '192.0.2.3'],
        },
        preemptDelayMs: 3000,
        vips: [
          { address: '192.0.2.100', prefix: 24, dev: 'eth0' },
          { address: '198.51.100.100', prefix: 32, dev: 'eth1' },
        ],
        trackInterfaces: [{ interface: 'eth1', weight: -30 }],
        trackChecks: [{ check: 'alive', weight: -40 }, { check: 'shell' }],
        garpMasterDelayMs: 1000,
        garpMasterRepeat: 3,
        garpMasterRefreshMs: 60_000,
        garpMasterRefreshRepeat: 2,
      },
    ],
    [
      {
        kind: 'script',
        name: 'alive',
        command: { argv: ['/bin/true'] },
        intervalMs: 2000,
        timeoutMs: 1000,
        weight: -20,
        fall: 2,
        rise: 3,
        initFail: true,
      },
      { kind: 'script', name: 'shell', command: { shell: 'test -x /usr/sbin/nginx && exit 0' }, weight: 10 },
    ],
  ),
  'nopreempt on a backup': importedSpec({ name: 'lb2', interfaces: ['eth0'] }, [
    {
      name: 'VI_1',
      vrid: 51,
      interface: 'eth0',
      member: { priority: 80, initialState: 'backup' },
      preempt: false,
      vips: [{ address: '192.0.2.100' }],
    },
  ]),
  'v3 over IPv6 beside a v2 instance sharing its VRID': importedSpec({ name: 'lb1', interfaces: ['eth0'] }, [
    {
      name: 'v6',
      vrid: 20,
      version: 3,
      family: 6,
      interface: 'eth0',
      member: { priority: 255, initialState: 'master' },
      vips: [{ address: '2001:db8::100', prefix: 64 }],
    },
    {
      name: 'v4',
      vrid: 20,
      interface: 'eth0',
      member: { priority: 90, initialState: 'backup' },
      vips: [{ address: '192.0.2.100' }],
    },
  ]),
};

describe('renderKeepalivedConfig', () => {
  describe('real keepalived -t', () => {
    it.each(['LVS_1', 'LVS_2'])('accepts the reference scenario exported for %s', (node) => {
      const r = keepalivedTest(renderKeepalivedConfig(parseCase(reference), node).text, ['ens160']);
      expect(r.output).toBe('');
      expect(r.ok).toBe(true);
    });

    it.each(Object.entries(ROUND_TRIP).map(([name, input]) => ({ name, input })))(
      'accepts the export of $name',
      ({ input }) => {
        const spec = parseCase(input);
        const r = keepalivedTest(renderKeepalivedConfig(spec, spec.nodes[0]!.name).text, spec.nodes[0]!.interfaces);
        expect(r.output).toBe('');
        expect(r.ok).toBe(true);
      },
    );

    it('makes the test helper fail on what keepalived reports', () => {
      const r = keepalivedTest(
        'vrrp_instance X {\n interface eth0\n virtual_router_id 51\n bogus_keyword 1\n virtual_ipaddress {\n  192.0.2.1\n }\n}\n',
        ['eth0'],
      );
      expect(r.ok).toBe(false);
      expect(r.output).toMatch(/Unknown keyword 'bogus_keyword'/);
    });
  });

  describe('round trip', () => {
    it.each(Object.entries(ROUND_TRIP).map(([name, input]) => ({ name, input })))(
      'imports the export of $name back to the same spec',
      ({ input }) => {
        const spec = parseCase(input);
        const node = spec.nodes[0]!.name;
        const exported = renderKeepalivedConfig(spec, node);
        expect(exported.omitted).toEqual([]);
        const back = importKeepalivedConfig({ keepalived: { text: exported.text, file: 'keepalived.conf' } });
        expect(back).toMatchObject({ ok: true, unsupported: [] });
        if (back.ok) expect(back.config.spec).toEqual(spec);
      },
    );
  });

  it('renders only the instances the node is a member of', () => {
    const spec = parseCase({
      ...reference,
      vrrpInstances: [
        { ...reference.vrrpInstances![0]!, members: [{ node: 'LVS_2', priority: 80, initialState: 'backup' }] },
      ],
    });
    expect(renderKeepalivedConfig(spec, 'LVS_1').text).not.toMatch(/vrrp_instance/);
  });

  it('lists built-in checks it cannot express instead of dropping them silently', () => {
    const spec = parseCase({ ...reference, checks: [{ kind: 'nginx', name: 'check_nginx' }] });
    const r = renderKeepalivedConfig(spec, 'LVS_1');
    expect(r.omitted).toEqual([
      { path: 'checks.0', reason: 'check kind "nginx" has no keepalived equivalent' },
      {
        path: 'vrrpInstances.0.trackChecks.0',
        reason: 'check "check_nginx" is a built-in kind keepalived has no vrrp_script for',
      },
    ]);
    expect(r.text).not.toMatch(/track_script/);
  });

  it('rounds sub-second script timings up to whole seconds and says so', () => {
    const spec = parseCase({
      ...reference,
      checks: [{ kind: 'script', name: 'check_nginx', command: { argv: ['/bin/true'] }, intervalMs: 500 }],
    });
    const r = renderKeepalivedConfig(spec, 'LVS_1');
    expect(r.text).toMatch(/^ {4}interval 1$/m);
    expect(r.omitted).toEqual([
      { path: 'checks.0.intervalMs', reason: '500 ms rounded up to 1 s: keepalived reads whole seconds here' },
    ]);
  });

  it('clamps a weight of ±254 to the ±253 keepalived 2.2.7 accepts, and says so', () => {
    const spec = parseCase({
      ...reference,
      checks: [{ kind: 'script', name: 'check_nginx', command: { argv: ['/bin/true'] }, weight: -254 }],
    });
    const r = renderKeepalivedConfig(spec, 'LVS_1');
    expect(r.text).toMatch(/^ {4}weight -253$/m);
    expect(r.omitted).toEqual([
      { path: 'checks.0.weight', reason: 'weight -254 written as -253: keepalived accepts -253..253' },
    ]);
  });

  it('gives the same bytes for the same spec', () => {
    const spec = parseCase(reference);
    expect(renderKeepalivedConfig(spec, 'LVS_1').text).toBe(renderKeepalivedConfig(parseCase(reference), 'LVS_1').text);
  });
});
