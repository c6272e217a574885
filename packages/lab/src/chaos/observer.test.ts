import { describe, expect, it } from 'vitest';
import {
  checkDashboard,
  checkHolderGaps,
  checkInvariants,
  checkServed,
  checkTwoHolders,
  faultFigures,
  holdingSpells,
  masterDownInterval,
  parseAdverts,
  quietSpans,
  wireHolderAt,
  type Bounds,
  type InjectedFault,
  type WireAdvert,
} from './observer.js';

// settle bound = 400 + 1000 + 500 = 1900 ms
const b: Bounds = { advertIntervalMs: 100, masterDownMs: 400, loadMarginMs: 500, dashboardSettleMs: 2000 };

/** Adverts from `node` every 100 ms in [from, to). */
const adverts = (node: string, from: number, to: number, priority = 100): WireAdvert[] =>
  Array.from({ length: Math.ceil((to - from) / 100) }, (_, i) => ({ t: from + i * 100, node, vrid: 51, priority }));

const fault = (start: number, end: number): InjectedFault => ({
  at: 0,
  fault: 'agent-kill',
  params: { node: 'lb1' },
  duration: end - start,
  start,
  end,
});

describe('chaos observer', () => {
  it('Master_Down_Interval follows RFC 5798', () => {
    expect(masterDownInterval(100, 100)).toBeCloseTo(360.9375);
    expect(masterDownInterval(1000, 255)).toBeCloseTo(3003.90625);
  });

  it("parses tcpdump's VRRP lines and keeps only the cluster's nodes", () => {
    const text = [
      '1764893000.123456 IP 198.51.100.11 > 224.0.0.18: VRRPv3, Advertisement, vrid 51, prio 100, intvl 10cs, length 12',
      '1764893000.223456 IP 198.51.100.12 > 224.0.0.18: VRRPv3, Advertisement, vrid 51, prio 0, intvl 10cs, length 12',
      '1764893000.323456 IP 198.51.100.99 > 224.0.0.18: VRRPv3, Advertisement, vrid 51, prio 90, intvl 10cs, length 12',
      'listening on eth0, link-type EN10MB',
    ].join('\n');
    expect(parseAdverts(text, { '198.51.100.11': 'lb1', '198.51.100.12': 'lb2' })).toEqual([
      { t: 1764893000123, node: 'lb1', vrid: 51, priority: 100 },
      { t: 1764893000223, node: 'lb2', vrid: 51, priority: 0 },
    ]);
  });

  it('a priority-0 advert ends the master spell', () => {
    const spells = holdingSpells([...adverts('lb1', 0, 1000), { t: 1000, node: 'lb1', vrid: 51, priority: 0 }], b);
    expect(spells).toEqual([{ node: 'lb1', from: 0, to: 1000 }]);
  });

  it('a clean failover is not two holders', () => {
    expect(checkTwoHolders([...adverts('lb1', 0, 5000), ...adverts('lb2', 5400, 9000)], b)).toEqual([]);
  });

  it('two holders for a moment (a partition healing) is within the settle bound', () => {
    expect(checkTwoHolders([...adverts('lb1', 0, 5000), ...adverts('lb2', 4700, 9000)], b)).toEqual([]);
  });

  it('two holders longer than the settle bound is a violation, with its start', () => {
    const v = checkTwoHolders([...adverts('lb1', 0, 9000), ...adverts('lb2', 4000, 9000)], b);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ invariant: 'two-holders', at: 4000 });
    expect(v[0]!.durationMs).toBe(5000);
  });

  it('a master-down gap within the bound is no violation', () => {
    expect(
      checkHolderGaps([...adverts('lb1', 0, 5000), ...adverts('lb2', 5500, 9000)], b, { from: 0, to: 9000 }),
    ).toEqual([]);
  });

  it('no master for longer than the bound is a violation', () => {
    const v = checkHolderGaps([...adverts('lb1', 0, 5000), ...adverts('lb2', 8000, 9000)], b, { from: 0, to: 9000 });
    expect(v).toEqual([expect.objectContaining({ invariant: 'no-holder', at: 4900, durationMs: 3100 })]);
  });

  it('no master while no node can hold it is no violation', () => {
    const wire = [...adverts('lb1', 0, 5000), ...adverts('lb2', 8000, 9000)];
    expect(checkHolderGaps(wire, b, { from: 0, to: 9000 }, [{ from: 5000, to: 7000 }])).toEqual([]);
  });

  it("the wire's holder is the one node advertising lately, null when two do or none", () => {
    const wire = [...adverts('lb1', 0, 3000), ...adverts('lb2', 2900, 6000)];
    expect(wireHolderAt(wire, 1000, b)).toBe('lb1');
    expect(wireHolderAt(wire, 3000, b)).toBeNull();
    expect(wireHolderAt(wire, 5000, b)).toBe('lb2');
    expect(wireHolderAt(wire, 20_000, b)).toBeNull();
  });

  it('quiet spans lie between the faults', () => {
    expect(quietSpans([fault(1000, 2000), fault(5000, 6000)], { from: 0, to: 9000 })).toEqual([
      { from: 0, to: 1000 },
      { from: 2000, to: 5000 },
      { from: 6000, to: 9000 },
    ]);
  });

  it('the dashboard may lag the wire during the settle time after a fault', () => {
    const wire = adverts('lb2', 0, 10_000);
    const samples = [
      { t: 1000, master: 'lb1' },
      { t: 2900, master: 'lb1' },
      { t: 5000, master: 'lb2' },
    ];
    expect(checkDashboard(samples, wire, [{ from: 500, to: 10_000 }], b)).toEqual([]);
  });

  it('the dashboard still showing another master after the settle time is a violation', () => {
    const wire = adverts('lb2', 0, 10_000);
    const samples = [3500, 6000, 8000].map((t) => ({ t, master: 'lb1' }));
    const v = checkDashboard(samples, wire, [{ from: 500, to: 10_000 }], b);
    expect(v).toEqual([expect.objectContaining({ invariant: 'dashboard-holder', at: 3500, durationMs: 4500 })]);
  });

  it('requests still failing at the end of a quiet span are a violation', () => {
    const probe = [1000, 1100, 1200, 1300].map((t) => ({ t, ok: t < 1100 }));
    expect(checkServed(probe, [{ from: 900, to: 1400 }])).toHaveLength(1);
    expect(
      checkServed(
        probe.map((p) => ({ ...p, ok: true })),
        [{ from: 900, to: 1400 }],
      ),
    ).toEqual([]);
  });

  it("a soak's violations come from every invariant, in time order", () => {
    const wire = [...adverts('lb1', 0, 6000), ...adverts('lb2', 3000, 9000)];
    const v = checkInvariants(
      {
        adverts: wire,
        dashboard: [8000, 8500].map((t) => ({ t, master: 'lb1' })),
        probe: [8700, 8800, 8900].map((t) => ({ t, ok: false })),
        faults: [fault(1000, 2000)],
        span: { from: 0, to: 9000 },
      },
      b,
    );
    expect(v.map((x) => [x.invariant, x.at])).toEqual([
      ['not-served', 2000],
      ['two-holders', 3000],
      ['dashboard-holder', 8000],
    ]);
  });

  it('per fault: failed requests, the longest outage and the recovery after the fault ended', () => {
    const probe = Array.from({ length: 60 }, (_, i) => ({ t: i * 100, ok: !(i >= 10 && i < 25) }));
    const [f] = faultFigures([fault(900, 2000)], probe, 6000);
    expect(f).toMatchObject({ failedRequests: 15, outageMs: 1500, recoveryMs: 500 });
  });
});
