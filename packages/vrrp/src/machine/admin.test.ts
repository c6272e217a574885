import { describe, expect, it } from 'vitest';
import { asMaster, heard, heardEverySecond, run, started, types } from './__fixtures__/instance.js';
import { nextDeadline, step } from './instance.js';
import { effectivePriority } from './priority.js';

const promote = { type: 'admin', command: 'promote' } as const;
const release = { type: 'admin', command: 'release' } as const;
const maintenanceOn = { type: 'admin', command: 'maintenance-on' } as const;
const maintenanceOff = { type: 'admin', command: 'maintenance-off' } as const;

describe('machine', () => {
  describe('admin', () => {
    describe('promote', () => {
      it('makes a backup master at once, VIPs first, advertising 254 (make-before-break)', () => {
        const s = step(started(), heard({ priority: 200 }), 1000).state;
        const r = step(s, promote, 1500);
        expect(r.state.vrrpState).toBe('master');
        expect(types(r.actions)).toEqual([
          'priority-changed',
          'admin-result',
          'transition',
          'add-vips',
          'send-garp',
          'send-advert 254',
        ]);
        expect(r.actions[2]).toMatchObject({ reason: 'promoted' });
      });

      it('the old master steps down on hearing the promoted node’s 254 (RFC 5798 6.4.3)', () => {
        const { state, now } = asMaster({ basePriority: 200, primaryAddress: '192.0.2.250' });
        expect(step(state, heard({ priority: 254 }), now + 1).state.vrrpState).toBe('backup');
      });

      it('is sticky: the promoted node keeps 254 whatever its weighted checks say', () => {
        const s = started({ trackedChecks: [{ name: 'a', weight: -50 }] });
        const r = run(s, [
          [promote, 10],
          [{ type: 'track-changed', name: 'a', ok: false }, 20],
        ]);
        expect(effectivePriority(r.state)).toBe(254);
        expect(r.state.vrrpState).toBe('master');
      });

      it.each([
        { name: 'is refused while another router advertises 254 (already promoted)', priority: 254 },
        { name: 'is refused while the address owner advertises 255', priority: 255 },
      ])('$name', ({ priority }) => {
        const s = step(started(), heard({ priority }), 1000).state;
        const r = step(s, promote, 1500);
        expect(r.actions).toEqual([
          { type: 'admin-result', command: 'promote', accepted: false, reason: 'peer-priority' },
        ]);
        expect(r.state.vrrpState).toBe('backup');
      });

      it('is accepted once the 255 owner has not been heard for a Master_Down_Interval', () => {
        const s = step(started(), heard({ priority: 255 }), 1000).state;
        expect(step(s, promote, 1000 + 3610).state.vrrpState).toBe('master');
      });

      it('is refused in Fault', () => {
        const s = started({ trackedChecks: [{ name: 'c', weight: 0, initiallyOk: false }] });
        expect(step(s, promote, 1).actions).toEqual([
          { type: 'admin-result', command: 'promote', accepted: false, reason: 'fault' },
        ]);
      });

      it('a Fault while promoted gives the VIP up; when the fault clears the promoted node is master again', () => {
        const s = started({ trackedChecks: [{ name: 'c', weight: 0 }] });
        const r = run(s, [
          [promote, 10],
          [{ type: 'track-changed', name: 'c', ok: false }, 20],
        ]);
        expect(r.state.vrrpState).toBe('fault');
        expect(types(r.actions).slice(-2)).toEqual(['send-advert 0', 'remove-vips']);
        const back = step(r.state, { type: 'track-changed', name: 'c', ok: true }, 30);
        expect(back.state.vrrpState).toBe('master');
        expect(back.actions[0]).toMatchObject({ reason: 'promoted' });
      });

      it('a promoted master advertises 254 at once', () => {
        const { state, now } = asMaster();
        const r = step(state, promote, now + 5);
        expect(types(r.actions)).toEqual(['priority-changed', 'admin-result', 'send-advert 254']);
      });

      it('a persisted promote starts straight as master at 254', () => {
        const r = step(started({ promoted: true }), { type: 'tick' }, 0);
        expect(r.state.vrrpState).toBe('master');
        expect(effectivePriority(r.state)).toBe(254);
      });

      it('a promoted backup preempts a lower master even with nopreempt', () => {
        const s = started({ preempt: false, promoted: true });
        // It stepped down to an owner, which then went away and a lower master took over.
        const down = step(s, heard({ priority: 255 }, '192.0.2.50'), 10).state;
        expect(down.vrrpState).toBe('backup');
        const r = run(down, [...heardEverySecond(100, 3), [{ type: 'tick' }, 3619]]);
        expect(r.state.vrrpState).toBe('master');
      });
    });

    describe('release', () => {
      it('drops the priority back and keeps the VIP until the usual rules move it', () => {
        const s = run(started(), [
          [promote, 10],
          [release, 20],
        ]);
        expect(s.state.vrrpState).toBe('master');
        expect(effectivePriority(s.state)).toBe(100);
        expect(types(s.actions).slice(-2)).toEqual(['priority-changed', 'admin-result']);
      });

      it('lets a higher-priority backup preempt after release (RFC 5798 6.4.3)', () => {
        const s = run(started(), [
          [promote, 10],
          [release, 20],
        ]).state;
        expect(step(s, heard({ priority: 150 }), 30).state.vrrpState).toBe('backup');
      });

      it('is refused without a standing promote', () => {
        expect(step(started(), release, 1).actions).toEqual([
          { type: 'admin-result', command: 'release', accepted: false, reason: 'not-promoted' },
        ]);
      });
    });

    describe('maintenance', () => {
      it('a master gives up: priority-0 advert and Backup, keeping the VIPs for the hand-over (4 intervals)', () => {
        const { state, now } = asMaster();
        const r = step(state, maintenanceOn, now + 1);
        expect(r.actions).toEqual([
          { type: 'admin-result', command: 'maintenance-on', accepted: true },
          { type: 'transition', from: 'master', to: 'backup', reason: 'maintenance' },
          { type: 'send-advert', priority: 0 },
        ]);
        expect(r.state.vipsHeld).toBe(true);
        expect(nextDeadline(r.state)).toBe(now + 1 + 4000);
      });

      it('the old master removes the VIPs when the new master’s first advert is heard', () => {
        const { state, now } = asMaster();
        const r = run(state, [
          [maintenanceOn, now + 1],
          [heard({ priority: 90 }), now + 700],
        ]);
        expect(r.actions.at(-1)).toEqual({ type: 'remove-vips', vips: ['192.0.2.100'] });
        expect(r.state.vipsHeld).toBe(false);
        expect(nextDeadline(r.state)).toBeNull();
      });

      it('the old master removes the VIPs when the hand-over deadline passes without a new master', () => {
        const { state, now } = asMaster();
        const on = step(state, maintenanceOn, now + 1).state;
        const r = step(on, { type: 'tick' }, now + 1 + 4000);
        expect(r.actions).toEqual([{ type: 'remove-vips', vips: ['192.0.2.100'] }]);
        expect(nextDeadline(r.state)).toBeNull();
      });

      it('a fault during the hand-over removes the VIPs at once', () => {
        const { state, now } = asMaster();
        const r = run(state, [
          [maintenanceOn, now + 1],
          [{ type: 'interface-changed', up: false }, now + 2],
        ]);
        expect(r.state.vrrpState).toBe('fault');
        expect(r.actions.at(-1)).toEqual({ type: 'remove-vips', vips: ['192.0.2.100'] });
      });

      it('maintenance off during the hand-over and winning again keeps the VIPs without adding them twice', () => {
        const { state, now } = asMaster();
        const off = run(state, [
          [maintenanceOn, now + 1],
          [maintenanceOff, now + 2],
        ]).state;
        const r = step(off, { type: 'tick' }, nextDeadline(off) ?? 0);
        expect(r.state.vrrpState).toBe('master');
        expect(types(r.actions)).toEqual(['transition', 'send-garp', 'send-advert 100']);
        expect(r.state.vipsHeld).toBe(true);
      });

      it('refuses mastership even as the last node: no timer, priority 0 heard changes nothing', () => {
        const r = run(started(), [
          [maintenanceOn, 1],
          [heard({ priority: 0 }), 2],
          [{ type: 'tick' }, 1_000_000],
        ]);
        expect(r.state.vrrpState).toBe('backup');
        expect(nextDeadline(r.state)).toBeNull();
        expect(types(r.actions)).toEqual(['admin-result']);
      });

      it('clears a standing promote and refuses a new one', () => {
        const r = run(started(), [
          [promote, 1],
          [maintenanceOn, 2],
          [promote, 3],
        ]);
        expect(r.state.promoted).toBe(false);
        expect(r.actions.at(-1)).toEqual({
          type: 'admin-result',
          command: 'promote',
          accepted: false,
          reason: 'maintenance',
        });
      });

      it('maintenance off restarts the Master_Down_Timer, so the last node becomes master', () => {
        const r = run(started(), [
          [maintenanceOn, 1],
          [maintenanceOff, 100],
        ]);
        expect(nextDeadline(r.state)).toBe(100 + 3609);
        expect(step(r.state, { type: 'tick' }, 3709).state.vrrpState).toBe('master');
      });

      it('a persisted maintenance starts as a Backup without timer', () => {
        const s = started({ maintenance: true, promoted: true });
        expect(s.vrrpState).toBe('backup');
        expect(s.promoted).toBe(false);
        expect(nextDeadline(s)).toBeNull();
      });

      it('in Fault only the flag changes; leaving Fault it stays out of the election', () => {
        const s = started({ trackedChecks: [{ name: 'c', weight: 0, initiallyOk: false }] });
        const r = run(s, [
          [maintenanceOn, 1],
          [{ type: 'track-changed', name: 'c', ok: true }, 2],
        ]);
        expect(r.state.vrrpState).toBe('backup');
        expect(nextDeadline(r.state)).toBeNull();
      });
    });
  });
});
