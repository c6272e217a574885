import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from './actions.js';
import type { InstanceConfig } from './config.js';
import type { AdminCommand, Event } from './events.js';
import { initialState, nextDeadline, step } from './instance.js';
import { effectivePriority } from './priority.js';
import type { InstanceState } from './state.js';

// The shell contract (README) checked over random event sequences: whatever happens, the actions
// are ones the agent can carry out literally.

type Gen =
  | { kind: 'startup' | 'shutdown' | 'tick-deadline' }
  | { kind: 'tick-later'; dt: number }
  | { kind: 'advert'; priority: number; src: number; vrid: number; intervalMs: number; dt: number }
  | { kind: 'track'; name: string; ok: boolean }
  | { kind: 'interface'; name: string | null; up: boolean }
  | { kind: 'admin'; command: AdminCommand };

const genEvent: fc.Arbitrary<Gen> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Gen>({ kind: 'startup' }) },
  { weight: 1, arbitrary: fc.constant<Gen>({ kind: 'shutdown' }) },
  { weight: 6, arbitrary: fc.constant<Gen>({ kind: 'tick-deadline' }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('tick-later' as const), dt: fc.integer({ min: 0, max: 5000 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('advert' as const),
      priority: fc.oneof(fc.constantFrom(0, 99, 100, 101, 254, 255), fc.integer({ min: 0, max: 255 })),
      src: fc.integer({ min: 1, max: 20 }),
      vrid: fc.constantFrom(51, 51, 51, 52),
      intervalMs: fc.constantFrom(100, 1000, 2000),
      dt: fc.integer({ min: 0, max: 1500 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('track' as const),
      name: fc.constantFrom('up', 'down', 'zero', 'other'),
      ok: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('interface' as const),
      name: fc.constantFrom(null, 'eth1', 'eth9'),
      up: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('admin' as const),
      command: fc.constantFrom<AdminCommand>('promote', 'release', 'maintenance-on', 'maintenance-off'),
    }),
  },
);

const genConfig: fc.Arbitrary<InstanceConfig> = fc
  .record({
    basePriority: fc.oneof(fc.constantFrom(1, 100, 254, 255), fc.integer({ min: 1, max: 255 })),
    version: fc.constantFrom<2 | 3>(2, 3),
    preempt: fc.boolean(),
    preemptDelayMs: fc.constantFrom(0, 0, 2500),
    garpMasterDelayMs: fc.constantFrom(0, 5000),
    garpMasterRepeat: fc.constantFrom(0, 1, 5),
    garpMasterRefreshMs: fc.constantFrom(0, 3000),
    promoted: fc.boolean(),
    maintenance: fc.constantFrom(false, false, true),
  })
  .map((r) => ({
    name: 'VI_P',
    version: r.version,
    family: 4 as const,
    vrid: 51,
    basePriority: r.basePriority,
    advertIntervalMs: 1000,
    vips: ['192.0.2.100', '192.0.2.101'],
    primaryAddress: '192.0.2.10',
    preempt: r.preempt,
    preemptDelayMs: r.preemptDelayMs,
    trackedChecks: [
      { name: 'up', weight: 30 },
      { name: 'down', weight: -40 },
      { name: 'zero', weight: 0 },
    ],
    trackedInterfaces: ['eth1'],
    garpMasterDelayMs: r.garpMasterDelayMs,
    garpMasterRepeat: r.garpMasterRepeat,
    garpMasterRefreshMs: r.garpMasterRefreshMs,
    promoted: r.promoted,
    maintenance: r.maintenance,
  }));

function toEvent(g: Gen, s: InstanceState, now: number, version: 2 | 3): { event: Event; now: number } {
  switch (g.kind) {
    case 'startup':
      // Startup is only valid in Initialize (README); elsewhere the shell would not send it.
      return { event: s.vrrpState === 'initialize' ? { type: 'startup' } : { type: 'tick' }, now };
    case 'shutdown':
      return { event: { type: 'shutdown' }, now };
    case 'tick-deadline':
      return { event: { type: 'tick' }, now: Math.max(now, nextDeadline(s) ?? now) };
    case 'tick-later':
      return { event: { type: 'tick' }, now: now + g.dt };
    case 'advert': {
      const advert =
        version === 2
          ? {
              version,
              vrid: g.vrid,
              priority: g.priority,
              advertIntervalMs: 1000,
              addresses: ['192.0.2.100', '192.0.2.101'],
              authType: 'none' as const,
            }
          : {
              version,
              vrid: g.vrid,
              priority: g.priority,
              advertIntervalMs: g.intervalMs,
              addresses: ['192.0.2.100', '192.0.2.101'],
            };
      return { event: { type: 'advert-received', advert, src: `192.0.2.${g.src}` }, now: now + g.dt };
    }
    case 'track':
      return { event: { type: 'track-changed', name: g.name, ok: g.ok }, now };
    case 'interface':
      return {
        event:
          g.name === null
            ? { type: 'interface-changed', up: g.up }
            : { type: 'interface-changed', up: g.up, name: g.name },
        now,
      };
    case 'admin':
      return { event: { type: 'admin', command: g.command }, now };
  }
}

/** Every way a step's actions could break the contract; empty when they are fine. */
function contractBreaches(
  before: InstanceState,
  event: Event,
  now: number,
  after: InstanceState,
  actions: readonly Action[],
): string[] {
  const out: string[] = [];
  let held = before.vipsHeld;
  let transitions = 0;
  actions.forEach((a, i) => {
    switch (a.type) {
      case 'add-vips':
        if (held) out.push('add-vips twice without remove-vips');
        held = true;
        break;
      case 'remove-vips':
        if (!held) out.push('remove-vips without holding the VIPs');
        held = false;
        break;
      case 'send-garp':
        if (!held) out.push('send-garp without holding the VIPs');
        if (a.count <= 0) out.push('send-garp with count 0');
        break;
      case 'send-advert':
        if (a.priority > 0 && !held) out.push(`send-advert ${a.priority} without holding the VIPs`);
        if (a.priority > 0 && a.priority !== effectivePriority(after))
          out.push(`send-advert ${a.priority} but the effective priority is ${effectivePriority(after)}`);
        // A master going into maintenance keeps the VIPs for the hand-over (handoverUntil).
        if (a.priority === 0 && !(held && (actions[i + 1]?.type === 'remove-vips' || after.handoverUntil !== null)))
          out.push('send-advert 0 not followed by remove-vips');
        break;
      case 'transition':
        transitions++;
        if (a.from !== before.vrrpState || a.to !== after.vrrpState)
          out.push(`transition ${a.from}->${a.to} but state went ${before.vrrpState}->${after.vrrpState}`);
        break;
      default:
        break;
    }
  });
  if (transitions > 1) out.push(`${transitions} transitions in one step`);
  if (transitions === 0 && before.vrrpState !== after.vrrpState) out.push('state changed without a transition action');
  if (held !== after.vipsHeld) out.push('vipsHeld disagrees with the actions');
  const handover = after.vrrpState === 'backup' && after.handoverUntil !== null;
  if (after.vipsHeld !== (after.vrrpState === 'master' || handover))
    out.push(`vipsHeld ${after.vipsHeld} in ${after.vrrpState}`);
  if (after.handoverUntil !== null && !handover) out.push(`hand-over pending in ${after.vrrpState}`);
  if (after.maintenance && after.vrrpState === 'master') out.push('master in maintenance');
  const d = nextDeadline(after);
  // After a tick every passed deadline has been handled (other events leave them for the tick).
  if (event.type === 'tick' && d !== null && d <= now) out.push(`next deadline ${d} is not after now ${now}`);
  if (after.vrrpState === 'initialize' && d !== null) out.push('deadline pending in initialize');
  if (event.type === 'shutdown' && before.vrrpState === 'master') {
    const kinds = actions
      .filter((a) => a.type !== 'transition')
      .map((a) => (a.type === 'send-advert' ? `send-advert ${a.priority}` : a.type));
    if (kinds.join() !== 'send-advert 0,remove-vips') out.push(`shutdown from master gave ${kinds.join()}`);
  }
  const p = effectivePriority(after);
  if (p < 1 || p > 255) out.push(`effective priority ${p}`);
  return out;
}

describe('machine', () => {
  describe('shell contract (property)', () => {
    it('never emits actions that break the shell contract over random event sequences', () => {
      fc.assert(
        fc.property(genConfig, fc.array(genEvent, { minLength: 20, maxLength: 120 }), (config, gens) => {
          let s = initialState(config);
          let now = 0;
          for (const g of gens) {
            const { event, now: at } = toEvent(g, s, now, config.version);
            now = at;
            const frozen = JSON.stringify(s);
            const r = step(s, event, now);
            expect(JSON.stringify(s)).toBe(frozen); // step is pure: the input is untouched
            const breaches = contractBreaches(s, event, now, r.state, r.actions);
            if (breaches.length)
              throw new Error(`${breaches.join('; ')} on ${JSON.stringify(event)} at ${now} from ${s.vrrpState}`);
            s = r.state;
          }
        }),
        { numRuns: 800 },
      );
    });

    it('is deterministic: the same events give the same actions', () => {
      fc.assert(
        fc.property(genConfig, fc.array(genEvent, { maxLength: 40 }), (config, gens) => {
          const runOnce = (): string => {
            let s = initialState(config);
            let now = 0;
            const out: Action[] = [];
            for (const g of gens) {
              const { event, now: at } = toEvent(g, s, now, config.version);
              now = at;
              const r = step(s, event, now);
              out.push(...r.actions);
              s = r.state;
            }
            return JSON.stringify(out);
          };
          expect(runOnce()).toBe(runOnce());
        }),
        { numRuns: 200 },
      );
    });
  });
});
