import { describe, expect, it } from 'vitest';
import { config, heard, run, started, types } from './__fixtures__/instance.js';
import { initialState, nextDeadline, step } from './instance.js';

describe('machine', () => {
  describe('initialize', () => {
    it('starts in Backup with Master_Down_Timer = Master_Down_Interval (RFC 5798 6.4.1)', () => {
      const r = step(initialState(config()), { type: 'startup' }, 1000);
      expect(r.state.vrrpState).toBe('backup');
      expect(r.actions).toEqual([{ type: 'transition', from: 'initialize', to: 'backup', reason: 'startup' }]);
      expect(nextDeadline(r.state)).toBe(1000 + 3609);
    });

    it('the address owner (priority 255) goes straight to Master at startup (RFC 5798 6.4.1)', () => {
      const r = step(initialState(config({ basePriority: 255 })), { type: 'startup' }, 0);
      expect(r.state.vrrpState).toBe('master');
      expect(types(r.actions)).toEqual(['transition', 'add-vips', 'send-garp', 'send-advert 255']);
      expect(r.actions[0]).toMatchObject({ reason: 'address-owner' });
    });

    it('a `state MASTER` hint still starts as Backup and takes over after Master_Down_Interval (keepalived)', () => {
      const s = started({ initialState: 'master' });
      expect(s.vrrpState).toBe('backup');
      const r = step(s, { type: 'tick' }, 3609);
      expect(r.state.vrrpState).toBe('master');
    });

    it('a `state MASTER` hint turns nopreempt and preempt_delay off (keepalived)', () => {
      const s = started({ initialState: 'master', preempt: false, preemptDelayMs: 5000 });
      expect(s.config.preempt).toBe(true);
      expect(s.config.preemptDelayMs).toBe(0);
    });

    it('a warm restart (resumeAsMaster) goes straight to Master and re-announces at once', () => {
      const r = step(initialState(config({ resumeAsMaster: true })), { type: 'startup' }, 0);
      expect(r.state.vrrpState).toBe('master');
      expect(r.actions[0]).toMatchObject({ type: 'transition', to: 'master', reason: 'warm-restart' });
      expect(types(r.actions)).toEqual(['transition', 'add-vips', 'send-garp', 'send-advert 100']);
    });

    it('a warm restart resumes only once: after shutdown, startup waits in Backup again', () => {
      const r = run(initialState(config({ resumeAsMaster: true })), [
        [{ type: 'startup' }, 0],
        [{ type: 'shutdown' }, 10],
        [{ type: 'startup' }, 20],
      ]);
      expect(r.state.vrrpState).toBe('backup');
    });

    it('a warm restart into a failed weight-0 check starts in Fault', () => {
      const s = started({ resumeAsMaster: true, trackedChecks: [{ name: 'nginx', weight: 0, initiallyOk: false }] });
      expect(s.vrrpState).toBe('fault');
    });

    it('a warm restart in maintenance stays in Backup', () => {
      expect(started({ resumeAsMaster: true, maintenance: true }).vrrpState).toBe('backup');
    });

    it('starts in Fault when a weight-0 check starts failed (keepalived init_fail)', () => {
      const s = started({ trackedChecks: [{ name: 'nginx', weight: 0, initiallyOk: false }] });
      expect(s.vrrpState).toBe('fault');
      expect(nextDeadline(s)).toBeNull();
    });

    it('starts in Fault when the interface went down before startup (keepalived)', () => {
      const r = run(initialState(config()), [
        [{ type: 'interface-changed', up: false }, 0],
        [{ type: 'startup' }, 5],
      ]);
      expect(r.state.vrrpState).toBe('fault');
      expect(r.actions).toEqual([{ type: 'transition', from: 'initialize', to: 'fault', reason: 'interface-down' }]);
    });

    it('does not process adverts or ticks before startup (RFC 5798 6.4.1)', () => {
      const r = run(initialState(config()), [
        [heard({ priority: 0 }), 0],
        [{ type: 'tick' }, 10],
      ]);
      expect(r.actions).toEqual([]);
      expect(r.state.vrrpState).toBe('initialize');
    });

    it('refuses admin commands before startup', () => {
      const r = step(initialState(config()), { type: 'admin', command: 'promote' }, 0);
      expect(r.actions).toEqual([{ type: 'admin-result', command: 'promote', accepted: false, reason: 'not-running' }]);
    });

    it('throws on startup while running (shell contract)', () => {
      expect(() => step(started(), { type: 'startup' }, 1)).toThrow(/already running/);
    });

    it('shutdown before startup does nothing', () => {
      expect(step(initialState(config()), { type: 'shutdown' }, 0).actions).toEqual([]);
    });

    it.each([
      { name: 'rejects a VRID outside 1..255', over: { vrid: 0 } },
      { name: 'rejects a priority of 0', over: { basePriority: 0 } },
      {
        name: 'rejects a v2 interval that is not whole seconds (RFC 3768 5.3.7)',
        over: { version: 2 as const, advertIntervalMs: 1500 },
      },
      { name: 'rejects a v3 interval that is not centiseconds (RFC 5798 5.2.7)', over: { advertIntervalMs: 1005 } },
      { name: 'rejects VRRPv2 over IPv6 (RFC 3768)', over: { version: 2 as const, family: 6 as const } },
      { name: 'rejects a VIP of the other family', over: { vips: ['2001:db8::1'] } },
      { name: 'rejects a weight outside −254..254', over: { trackedChecks: [{ name: 'x', weight: 300 }] } },
    ])('$name', ({ over }) => {
      expect(() => initialState(config(over))).toThrow(/invalid vrrp instance/);
    });
  });
});
