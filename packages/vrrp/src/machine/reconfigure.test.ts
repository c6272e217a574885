import { describe, expect, it } from 'vitest';
import { asMaster, config, heard, started } from './__fixtures__/instance.js';
import type { InstanceConfig } from './config.js';
import { initialState, step } from './instance.js';
import { reconfigure } from './reconfigure.js';
import type { InstanceState } from './state.js';

/** The master's state a moment after it became master, reconfigured with `over`. */
function masterWith(start: Partial<InstanceConfig>, over: Partial<InstanceConfig>) {
  const { state, now } = asMaster(start);
  const at = now + 10;
  return { at, ...reconfigure(state, config({ ...start, ...over }), at) };
}

/** A backup that has heard a master at 200 advertising every `interval` ms, reconfigured with `over`. */
function backupWith(start: Partial<InstanceConfig>, over: Partial<InstanceConfig>, interval = 1000) {
  const s = step(started(start), heard({ priority: 200, advertIntervalMs: interval }), 5).state;
  return { before: s, ...reconfigure(s, config({ ...start, ...over }), 10) };
}

describe('machine', () => {
  describe('reconfigure', () => {
    it('adds and announces a VIP on a master without a state change', () => {
      const r = masterWith({}, { vips: ['192.0.2.100', '192.0.2.101'] });
      expect(r.state.vrrpState).toBe('master');
      expect(r.actions).toEqual([
        { type: 'add-vips', vips: ['192.0.2.101'] },
        { type: 'send-garp', vips: ['192.0.2.101'], count: 5 },
        { type: 'send-advert', priority: 100 },
      ]);
    });

    it('removes only the removed VIP from a master', () => {
      const r = masterWith({ vips: ['192.0.2.100', '192.0.2.101'] }, { vips: ['192.0.2.100'] });
      expect(r.state.vrrpState).toBe('master');
      expect(r.actions).toEqual([
        { type: 'remove-vips', vips: ['192.0.2.101'] },
        { type: 'send-advert', priority: 100 },
      ]);
    });

    it('changes no address on a backup when the VIPs change', () => {
      const r = backupWith({}, { vips: ['192.0.2.101'] });
      expect(r.state.vrrpState).toBe('backup');
      expect(r.actions).toEqual([]);
      expect(r.state.config.vips).toEqual(['192.0.2.101']);
    });

    it("sends the master's new priority in an advert at once", () => {
      const r = masterWith({}, { basePriority: 150 });
      expect(r.state.vrrpState).toBe('master');
      expect(r.actions).toEqual([
        { type: 'priority-changed', from: 100, to: 150 },
        { type: 'send-advert', priority: 150 },
      ]);
      expect(r.state.adverTimer).toBe(r.at + 1000);
    });

    it('advertises a new interval at once and keeps to it from then on (v3)', () => {
      const r = masterWith({}, { advertIntervalMs: 200 });
      expect(r.actions).toEqual([{ type: 'send-advert', priority: 100 }]);
      expect(r.state.adverTimer).toBe(r.at + 200);
      expect(r.state.masterAdverIntervalMs).toBe(200);
    });

    it("keeps a v3 backup's learned interval until the master advertises the new one (RFC 5798 6.4.2)", () => {
      const r = backupWith({}, { advertIntervalMs: 200 });
      expect(r.state.masterAdverIntervalMs).toBe(1000);
      const learned = step(r.state, heard({ priority: 200, advertIntervalMs: 200 }), 20).state;
      expect(learned.masterAdverIntervalMs).toBe(200);
    });

    it("keeps a backup's Master_Down_Timer running when its settings change", () => {
      const r = backupWith({}, { basePriority: 120, preempt: false, garpMasterDelayMs: 0 });
      expect(r.state.vrrpState).toBe('backup');
      expect(r.state.masterDownTimer).toBe(r.before.masterDownTimer);
      expect(r.actions).toEqual([{ type: 'priority-changed', from: 100, to: 120 }]);
    });

    it('takes nopreempt: a lower-priority master is then accepted', () => {
      const r = backupWith({}, { preempt: false });
      const s = step(r.state, heard({ priority: 50 }), 20).state;
      expect(s.masterDownTimer).toBeGreaterThan(r.state.masterDownTimer!);
    });

    it('ends a running preempt delay when it is set to 0', () => {
      const s = step(started({ preemptDelayMs: 5000, basePriority: 100 }), heard({ priority: 50 }), 5).state;
      expect(s.preemptDelayUntil).toBe(5005);
      expect(reconfigure(s, config({ preemptDelayMs: 0 }), 10).state.preemptDelayUntil).toBeNull();
    });

    it('restarts the refresh timer with a new garp_master_refresh and uses the new burst sizes', () => {
      const r = masterWith({}, { garpMasterRefreshMs: 3000, garpMasterRefreshRepeat: 2 });
      expect(r.actions).toEqual([]);
      expect(r.state.garpRefreshTimer).toBe(r.at + 3000);
      const t = step(r.state, { type: 'tick' }, r.at + 3000);
      expect(t.actions).toContainEqual({ type: 'send-garp', vips: ['192.0.2.100'], count: 2 });
    });

    it('keeps the status of a check still tracked, and starts a new one as configured', () => {
      const start = { trackedChecks: [{ name: 'a', weight: -20 }] };
      const { state, now } = asMaster(start);
      const failed = step(state, { type: 'track-changed', name: 'a', ok: false }, now + 1).state;
      const r = reconfigure(
        failed,
        config({
          trackedChecks: [
            { name: 'a', weight: -20 },
            { name: 'b', weight: 10, initiallyOk: false },
          ],
        }),
        now + 2,
      );
      expect(r.state.checks).toEqual({ a: false, b: false });
      expect(r.actions).toEqual([]);
    });

    it('applies a new weight of a failed check at once (priority and advert)', () => {
      const start = { trackedChecks: [{ name: 'a', weight: -20 }] };
      const { state, now } = asMaster(start);
      const failed = step(state, { type: 'track-changed', name: 'a', ok: false }, now + 1).state;
      const r = reconfigure(failed, config({ trackedChecks: [{ name: 'a', weight: -30 }] }), now + 2);
      expect(r.actions).toEqual([
        { type: 'priority-changed', from: 80, to: 70 },
        { type: 'send-advert', priority: 70 },
      ]);
    });

    it('enters Fault when a newly tracked weight-0 check starts failed', () => {
      const r = masterWith({}, { trackedChecks: [{ name: 'a', weight: 0, initiallyOk: false }] });
      expect(r.state.vrrpState).toBe('fault');
      expect(r.actions[0]).toEqual({ type: 'transition', from: 'master', to: 'fault', reason: 'check-failed' });
    });

    it('leaves Fault when the tracked interface that held it there is no longer tracked', () => {
      const s0 = started({ trackedInterfaces: ['eth1'] });
      const f = step(s0, { type: 'interface-changed', up: false, name: 'eth1' }, 5).state;
      expect(f.vrrpState).toBe('fault');
      const r = reconfigure(f, config({ trackedInterfaces: [] }), 10);
      expect(r.state.vrrpState).toBe('backup');
      expect(r.state.interfacesDown).toEqual([]);
    });

    it('keeps a standing promote and maintenance', () => {
      const { state, now } = asMaster({});
      const promoted: InstanceState = step(state, { type: 'admin', command: 'promote' }, now + 1).state;
      const r = reconfigure(promoted, config({ basePriority: 120 }), now + 2);
      expect(r.state.promoted).toBe(true);
      expect(r.actions).toEqual([]);
    });

    it.each([
      { setting: 'vrid', over: { vrid: 52 } },
      { setting: 'version', over: { version: 2 as const } },
      { setting: 'primaryAddress', over: { primaryAddress: '192.0.2.11' } },
    ])('refuses a change of $setting (stop and start the instance)', ({ setting, over }) => {
      const { state, now } = asMaster({});
      expect(() => reconfigure(state, config(over), now + 1)).toThrow(setting);
    });

    it('configures an instance that has not started, for its startup', () => {
      const r = reconfigure(initialState(config()), config({ advertIntervalMs: 500 }), 1);
      expect(r.state.vrrpState).toBe('initialize');
      expect(r.actions).toEqual([]);
      expect(step(r.state, { type: 'startup' }, 2).state.masterAdverIntervalMs).toBe(500);
    });
  });
});
