import { describe, expect, it } from 'vitest';
import type { InstanceConfig } from '../../machine/config.js';
import { config as instanceConfig } from '../../machine/__fixtures__/instance.js';
import { runScenario, type Scenario, type ScenarioResult } from '../scenario.js';

const SEEDS = 100;

/** A fast v3 router (0.1 s adverts, as the design's functional tests use) at 192.0.2.<host>. */
function router(name: string, host: number, basePriority: number, over: Partial<InstanceConfig> = {}) {
  return {
    name,
    config: instanceConfig({
      basePriority,
      advertIntervalMs: 100,
      primaryAddress: `192.0.2.${host}`,
      garpMasterDelayMs: 500,
      ...over,
    }),
  };
}

const start = (...names: string[]) => names.map((router) => ({ at: 0, op: { type: 'start' as const, router } }));
const three = [router('r1', 11, 150), router('r2', 12, 100), router('r3', 13, 50)];

/** `traceSeed`: the seed whose trace is kept (default 1), chosen to show something worth reading. */
type Case = { title: string; file: string; scenario: Scenario; lossReport?: boolean; traceSeed?: number };

const cases: Case[] = [
  {
    title: 'two routers: the higher priority becomes master (RFC 5798 6.4.2)',
    file: 'two-routers',
    scenario: {
      name: 'two-routers',
      routers: [router('r1', 11, 150), router('r2', 12, 100)],
      timeline: start('r1', 'r2'),
      endAt: 2000,
    },
  },
  {
    title: 'two routers of equal priority: the higher primary address becomes master (RFC 5798 6.4.3)',
    file: 'two-routers-equal-priority',
    // Started together: both timers fire at once and the tie-break decides. (A router of equal
    // priority that starts later stays backup: RFC 5798 6.4.2 accepts an equal-priority master.)
    scenario: {
      name: 'two-routers-equal-priority',
      routers: [router('r1', 11, 100), router('r2', 12, 100)],
      timeline: start('r1', 'r2'),
      startJitterMs: 0,
      endAt: 2000,
    },
  },
  {
    title: 'two routers over VRRPv2 with PASS auth at 1 s adverts (RFC 3768)',
    file: 'two-routers-v2-auth',
    scenario: {
      name: 'two-routers-v2-auth',
      routers: [
        router('r1', 11, 150, {
          version: 2,
          advertIntervalMs: 1000,
          auth: { type: 'pass', password: 'kw' },
          garpMasterDelayMs: 5000,
        }),
        router('r2', 12, 100, {
          version: 2,
          advertIntervalMs: 1000,
          auth: { type: 'pass', password: 'kw' },
          garpMasterDelayMs: 5000,
        }),
      ],
      timeline: start('r1', 'r2'),
      endAt: 12_000,
    },
  },
  {
    title: 'two routers over IPv6 (RFC 5798, ff02::12)',
    file: 'two-routers-ipv6',
    scenario: {
      name: 'two-routers-ipv6',
      routers: [
        router('r1', 11, 100, { family: 6, vips: ['2001:db8::100'], primaryAddress: 'fe80::11' }),
        router('r2', 12, 100, { family: 6, vips: ['2001:db8::100'], primaryAddress: 'fe80::12' }),
      ],
      timeline: start('r1', 'r2'),
      startJitterMs: 0,
      endAt: 2000,
    },
  },
  {
    title: 'three routers with 5% duplicated adverts: one master, the highest (RFC 5798 6.4.2)',
    file: 'three-routers',
    scenario: {
      name: 'three-routers',
      routers: three,
      conditions: { duplicateRate: 0.05, delayMaxMs: 5 },
      timeline: start('r1', 'r2', 'r3'),
      endAt: 3000,
    },
  },
  {
    title:
      'the address owner (255) starting late takes over at once, without waiting for Master_Down_Interval (RFC 5798 6.4.1)',
    file: 'address-owner',
    scenario: {
      name: 'address-owner',
      routers: [router('r1', 11, 255), router('r2', 12, 100), router('r3', 13, 50)],
      timeline: [
        ...start('r2', 'r3'),
        { at: 1500, op: { type: 'start', router: 'r1' } },
        { at: 3000, op: { type: 'shutdown', router: 'r1' } },
      ],
      endAt: 4500,
    },
  },
  {
    title: 'master crash: the highest backup takes over after Master_Down_Interval (RFC 5798 6.4.2)',
    file: 'master-crash',
    scenario: {
      name: 'master-crash',
      routers: three,
      timeline: [...start('r1', 'r2', 'r3'), { at: 2000, op: { type: 'crash', router: 'r1' } }],
      endAt: 4000,
    },
  },
  {
    title: 'graceful shutdown: priority 0, the highest backup takes over after Skew_Time (RFC 5798 6.4.2/6.4.3)',
    file: 'graceful-shutdown',
    scenario: {
      name: 'graceful-shutdown',
      routers: three,
      timeline: [...start('r1', 'r2', 'r3'), { at: 2000, op: { type: 'shutdown', router: 'r1' } }],
      endAt: 3000,
    },
  },
  {
    title: 'preempt back: a returning higher-priority router takes the VIP back (RFC 5798 6.4.2)',
    file: 'preempt-back',
    scenario: {
      name: 'preempt-back',
      routers: three,
      timeline: [
        ...start('r1', 'r2', 'r3'),
        { at: 1500, op: { type: 'crash', router: 'r1' } },
        { at: 3000, op: { type: 'start', router: 'r1' } },
      ],
      endAt: 4500,
    },
  },
  {
    title: 'nopreempt: a returning higher-priority router stays backup (keepalived nopreempt)',
    file: 'nopreempt',
    scenario: {
      name: 'nopreempt',
      routers: [router('r1', 11, 150, { preempt: false }), router('r2', 12, 100, { preempt: false })],
      // r1 starts first (0..100 ms) and wins the first election; r2 starts at 200 ms.
      timeline: [
        ...start('r1'),
        { at: 200, op: { type: 'start', router: 'r2' } },
        { at: 1500, op: { type: 'crash', router: 'r1' } },
        { at: 3000, op: { type: 'start', router: 'r1' } },
      ],
      expected: [
        { from: 0, master: 'r1' },
        { from: 1500, master: 'r2' },
      ],
      endAt: 5000,
    },
  },
  {
    title:
      'a failing check lowers the master below a backup, which takes over; recovery moves it back (keepalived vrrp_script)',
    file: 'failing-check',
    scenario: {
      name: 'failing-check',
      routers: [router('r1', 11, 150, { trackedChecks: [{ name: 'nginx', weight: -60 }] }), router('r2', 12, 100)],
      timeline: [
        ...start('r1', 'r2'),
        { at: 2000, op: { type: 'event', router: 'r1', event: { type: 'track-changed', name: 'nginx', ok: false } } },
        { at: 4000, op: { type: 'event', router: 'r1', event: { type: 'track-changed', name: 'nginx', ok: true } } },
      ],
      endAt: 5500,
    },
  },
  {
    title: 'a weight-0 check failing puts the master in Fault and a backup takes over (keepalived vrrp_script)',
    file: 'fault',
    scenario: {
      name: 'fault',
      routers: [router('r1', 11, 150, { trackedChecks: [{ name: 'nginx', weight: 0 }] }), router('r2', 12, 100)],
      timeline: [
        ...start('r1', 'r2'),
        { at: 2000, op: { type: 'event', router: 'r1', event: { type: 'track-changed', name: 'nginx', ok: false } } },
        { at: 3000, op: { type: 'event', router: 'r1', event: { type: 'interface-changed', up: false } } },
        { at: 3500, op: { type: 'event', router: 'r1', event: { type: 'track-changed', name: 'nginx', ok: true } } },
        { at: 4000, op: { type: 'event', router: 'r1', event: { type: 'interface-changed', up: true } } },
      ],
      endAt: 5500,
    },
  },
  {
    title: 'partition and heal: a master on each side, then exactly one after healing (RFC 5798 6.4.3)',
    file: 'partition-heal',
    scenario: {
      name: 'partition-heal',
      routers: three,
      timeline: [
        ...start('r1', 'r2', 'r3'),
        { at: 1500, op: { type: 'partition', groups: [['r1'], ['r2', 'r3']] } },
        { at: 3500, op: { type: 'heal' } },
      ],
      endAt: 5000,
    },
  },
  {
    title:
      'promote then release: make-before-break to the promoted node, refused for a second node, back by preemption',
    file: 'promote-release',
    scenario: {
      name: 'promote-release',
      routers: three,
      timeline: [
        ...start('r1', 'r2', 'r3'),
        { at: 1500, op: { type: 'event', router: 'r2', event: { type: 'admin', command: 'promote' } } },
        { at: 2500, op: { type: 'event', router: 'r3', event: { type: 'admin', command: 'promote' } } },
        { at: 3500, op: { type: 'event', router: 'r2', event: { type: 'admin', command: 'release' } } },
      ],
      endAt: 5000,
    },
  },
  {
    title: 'maintenance: each node in turn gives the VIP up, even the last one; off brings it back',
    file: 'maintenance',
    scenario: {
      name: 'maintenance',
      routers: three,
      timeline: [
        ...start('r1', 'r2', 'r3'),
        { at: 1500, op: { type: 'event', router: 'r1', event: { type: 'admin', command: 'maintenance-on' } } },
        { at: 2500, op: { type: 'event', router: 'r2', event: { type: 'admin', command: 'maintenance-on' } } },
        { at: 3500, op: { type: 'event', router: 'r3', event: { type: 'admin', command: 'maintenance-on' } } },
        { at: 4500, op: { type: 'event', router: 'r1', event: { type: 'admin', command: 'maintenance-off' } } },
      ],
      endAt: 6000,
    },
  },
  ...[0.01, 0.1].map((rate): Case => ({
    title: `a period of ${rate * 100}% loss that ends: exactly one master, the highest, once it is over`,
    file: `loss-${rate * 100}pct`,
    lossReport: true,
    // Seed 11 loses three adverts in a row at 10%: a backup takes over and the master wins back.
    traceSeed: rate === 0.1 ? 11 : 1,
    scenario: {
      name: `loss-${rate * 100}pct`,
      routers: three,
      conditions: { delayMaxMs: 5 },
      timeline: [
        ...start('r1', 'r2', 'r3'),
        { at: 1000, op: { type: 'conditions', conditions: { lossRate: rate } } },
        { at: 11_000, op: { type: 'conditions', conditions: { lossRate: 0 } } },
      ],
      endAt: 12_500,
    },
  })),
];

function describeFailures(results: readonly ScenarioResult[]): string[] {
  return results.filter((r) => r.violations.length > 0).map((r) => `seed ${r.seed}: ${r.violations.join('; ')}`);
}

describe('sim', () => {
  describe('scenarios', () => {
    describe.each(cases)('$title', ({ file, scenario, lossReport, traceSeed = 1 }) => {
      it(`matches its trace (seed ${traceSeed})`, async () => {
        const r = runScenario(scenario, traceSeed);
        expect(r.violations).toEqual([]);
        await expect(r.trace).toMatchFileSnapshot(`./__traces__/${file}.trace`);
      });

      it(`holds the election invariant at every step over ${SEEDS} seeds`, () => {
        const results = Array.from({ length: SEEDS }, (_, i) => runScenario(scenario, i + 1));
        expect(describeFailures(results)).toEqual([]);
        if (lossReport) {
          const counts = results.map((r) => r.transitionsDuringLoss).sort((a, b) => a - b);
          const total = counts.reduce((a, b) => a + b, 0);
          console.info(
            `${scenario.name}: transitions during loss over ${SEEDS} seeds: total ${total}, ` +
              `median ${counts[Math.floor(counts.length / 2)] ?? 0}, max ${counts.at(-1) ?? 0}`,
          );
        }
      });
    });
  });
});
