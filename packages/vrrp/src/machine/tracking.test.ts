import { describe, expect, it } from 'vitest';
import { asMaster, config, run, started, types } from './__fixtures__/instance.js';
import type { TrackedCheck } from './config.js';
import { initialState, nextDeadline, step } from './instance.js';
import { effectivePriority } from './priority.js';

type Case = { name: string; base?: number; checks: TrackedCheck[]; ok: Record<string, boolean>; priority: number };

describe('machine', () => {
  describe('tracked checks and interfaces', () => {
    it.each<Case>([
      {
        name: 'a positive weight is added while the check succeeds (keepalived vrrp_script)',
        checks: [{ name: 'a', weight: 20 }],
        ok: { a: true },
        priority: 120,
      },
      {
        name: 'a positive weight is not added while the check fails (keepalived vrrp_script)',
        checks: [{ name: 'a', weight: 20 }],
        ok: { a: false },
        priority: 100,
      },
      {
        name: 'a negative weight is added while the check fails (keepalived vrrp_script)',
        checks: [{ name: 'a', weight: -30 }],
        ok: { a: false },
        priority: 70,
      },
      {
        name: 'a negative weight is not added while the check succeeds (keepalived vrrp_script)',
        checks: [{ name: 'a', weight: -30 }],
        ok: { a: true },
        priority: 100,
      },
      {
        name: 'weights add up (keepalived vrrp_script)',
        checks: [
          { name: 'a', weight: 20 },
          { name: 'b', weight: -50 },
        ],
        ok: { a: true, b: false },
        priority: 70,
      },
      {
        name: 'the result is clamped to 254 (keepalived vrrp_script)',
        base: 250,
        checks: [{ name: 'a', weight: 20 }],
        ok: { a: true },
        priority: 254,
      },
      {
        name: 'the result is clamped to 1 (keepalived vrrp_script)',
        base: 10,
        checks: [{ name: 'a', weight: -50 }],
        ok: { a: false },
        priority: 1,
      },
      {
        name: 'the address owner stays 255 whatever the weights (keepalived)',
        base: 255,
        checks: [{ name: 'a', weight: -50 }],
        ok: { a: true },
        priority: 255,
      },
    ])('$name', ({ base, checks, ok, priority }) => {
      let s = started({ basePriority: base ?? 100, trackedChecks: checks });
      for (const [name, v] of Object.entries(ok)) s = step(s, { type: 'track-changed', name, ok: v }, 10).state;
      expect(effectivePriority(s)).toBe(priority);
    });

    it('reports an effective priority change', () => {
      const r = step(
        started({ trackedChecks: [{ name: 'a', weight: -30 }] }),
        { type: 'track-changed', name: 'a', ok: false },
        10,
      );
      expect(r.actions).toEqual([{ type: 'priority-changed', from: 100, to: 70 }]);
    });

    it('a master advertises a changed priority with its next advert (keepalived)', () => {
      const { state, now } = asMaster({ trackedChecks: [{ name: 'a', weight: -30 }], garpMasterDelayMs: 0 });
      const r = run(state, [
        [{ type: 'track-changed', name: 'a', ok: false }, now + 10],
        [{ type: 'tick' }, now + 1000],
      ]);
      expect(types(r.actions)).toEqual(['priority-changed', 'send-advert 70']);
    });

    it('a failing weight-0 check puts a backup in Fault and its recovery returns it to Backup (keepalived vrrp_script)', () => {
      const checks = [{ name: 'nginx', weight: 0 }];
      const r = run(started({ trackedChecks: checks }), [
        [{ type: 'track-changed', name: 'nginx', ok: false }, 100],
        [{ type: 'track-changed', name: 'nginx', ok: true }, 200],
      ]);
      expect(r.actions).toEqual([
        { type: 'transition', from: 'backup', to: 'fault', reason: 'check-failed' },
        { type: 'transition', from: 'fault', to: 'backup', reason: 'fault-cleared' },
      ]);
      expect(nextDeadline(r.state)).toBe(200 + 3609);
    });

    it('a master entering Fault sends priority 0 and then removes its VIPs (keepalived vrrp_state_leave_master)', () => {
      const { state, now } = asMaster({ trackedChecks: [{ name: 'nginx', weight: 0 }] });
      const r = step(state, { type: 'track-changed', name: 'nginx', ok: false }, now + 1);
      expect(types(r.actions)).toEqual(['transition', 'send-advert 0', 'remove-vips']);
      expect(nextDeadline(r.state)).toBeNull();
    });

    it('an interface down puts the instance in Fault, and up returns it to Backup (keepalived)', () => {
      const { state, now } = asMaster();
      const r = run(state, [
        [{ type: 'interface-changed', up: false }, now + 1],
        [{ type: 'interface-changed', up: true }, now + 2],
      ]);
      expect(r.actions.filter((a) => a.type === 'transition')).toMatchObject([
        { from: 'master', to: 'fault', reason: 'interface-down' },
        { from: 'fault', to: 'backup', reason: 'fault-cleared' },
      ]);
    });

    it('a tracked interface down puts the instance in Fault until every interface is up (keepalived track_interface)', () => {
      const r = run(started({ trackedInterfaces: ['eth1'] }), [
        [{ type: 'interface-changed', up: false, name: 'eth1' }, 1],
        [{ type: 'interface-changed', up: false }, 2],
        [{ type: 'interface-changed', up: true, name: 'eth1' }, 3],
      ]);
      expect(r.state.vrrpState).toBe('fault');
      expect(step(r.state, { type: 'interface-changed', up: true }, 4).state.vrrpState).toBe('backup');
    });

    it('ignores an interface it does not track and a check it does not track', () => {
      const r = run(started(), [
        [{ type: 'interface-changed', up: false, name: 'eth9' }, 1],
        [{ type: 'track-changed', name: 'x', ok: false }, 2],
      ]);
      expect(r.actions).toEqual([]);
      expect(r.state.vrrpState).toBe('backup');
    });

    it('ignores adverts and ticks in Fault (keepalived)', () => {
      const s = started({ trackedChecks: [{ name: 'c', weight: 0, initiallyOk: false }] });
      const r = run(s, [
        [
          {
            type: 'advert-received',
            advert: { version: 3, vrid: 51, priority: 0, advertIntervalMs: 1000, addresses: [] },
            src: '192.0.2.2',
          },
          1,
        ],
        [{ type: 'tick' }, 99_999],
      ]);
      expect(r.actions).toEqual([]);
    });

    it('the address owner leaving Fault goes straight to Master (keepalived vrrp_state_leave_fault)', () => {
      const s = started({ basePriority: 255, trackedChecks: [{ name: 'c', weight: 0, initiallyOk: false }] });
      expect(s.vrrpState).toBe('fault');
      const r = step(s, { type: 'track-changed', name: 'c', ok: true }, 5);
      expect(r.state.vrrpState).toBe('master');
      expect(r.actions[0]).toMatchObject({ reason: 'address-owner' });
    });

    it('the address owner ignores weighted checks: a failure changes nothing (keepalived)', () => {
      const { state, now } = asMaster({ basePriority: 255, trackedChecks: [{ name: 'c', weight: -20 }] });
      const r = step(state, { type: 'track-changed', name: 'c', ok: false }, now + 1);
      expect(r.state.vrrpState).toBe('master');
      expect(r.actions).toEqual([]);
    });

    it('the address owner still goes to Fault on a failing weight-0 check (keepalived)', () => {
      const { state, now } = asMaster({ basePriority: 255, trackedChecks: [{ name: 'c', weight: 0 }] });
      expect(step(state, { type: 'track-changed', name: 'c', ok: false }, now + 1).state.vrrpState).toBe('fault');
    });

    it('shutdown from Fault goes to Initialize with nothing else to do', () => {
      const s = started({ trackedChecks: [{ name: 'c', weight: 0, initiallyOk: false }] });
      expect(step(s, { type: 'shutdown' }, 1).actions).toEqual([
        { type: 'transition', from: 'fault', to: 'initialize', reason: 'shutdown' },
      ]);
    });

    it('a check result before startup is kept for startup', () => {
      const s = step(
        initialState(config({ trackedChecks: [{ name: 'c', weight: 0 }] })),
        { type: 'track-changed', name: 'c', ok: false },
        0,
      );
      expect(s.actions).toEqual([]);
      expect(step(s.state, { type: 'startup' }, 1).state.vrrpState).toBe('fault');
    });
  });
});
