import { describe, expect, it } from 'vitest';
import type { Advert } from '../codec/types.js';
import { heard, heardEverySecond, run, started, types } from './__fixtures__/instance.js';
import type { InstanceConfig } from './config.js';
import { nextDeadline, step } from './instance.js';

describe('machine', () => {
  describe('backup', () => {
    it('becomes Master when Master_Down_Timer fires: add VIPs, GARP, then advertise (RFC 5798 6.4.2, make-before-break)', () => {
      const r = step(started(), { type: 'tick' }, 3609);
      expect(r.state.vrrpState).toBe('master');
      expect(r.actions).toEqual([
        { type: 'transition', from: 'backup', to: 'master', reason: 'master-down-timer' },
        { type: 'add-vips', vips: ['192.0.2.100'] },
        { type: 'send-garp', vips: ['192.0.2.100'], count: 5 },
        { type: 'send-advert', priority: 100 },
      ]);
      expect(nextDeadline(r.state)).toBe(3609 + 1000);
    });

    it('an early tick does not fire the Master_Down_Timer', () => {
      const r = step(started(), { type: 'tick' }, 3608);
      expect(r.state.vrrpState).toBe('backup');
      expect(r.actions).toEqual([]);
    });

    type Case = { name: string; cfg?: Partial<InstanceConfig>; adv: Partial<Advert>; deadline: number };
    // Backup at priority 100, advert heard at t=2000; the old deadline was 3609.
    it.each<Case>([
      {
        name: 'resets Master_Down_Timer on an advert of equal priority (RFC 5798 6.4.2)',
        adv: { priority: 100 },
        deadline: 2000 + 3609,
      },
      {
        name: 'resets Master_Down_Timer on an advert of higher priority (RFC 5798 6.4.2)',
        adv: { priority: 200 },
        deadline: 2000 + 3609,
      },
      {
        name: 'does not reset Master_Down_Timer on a lower priority with preempt (RFC 5798 6.4.2)',
        adv: { priority: 50 },
        deadline: 3609,
      },
      {
        name: 'resets Master_Down_Timer on a lower priority with nopreempt (keepalived nopreempt)',
        cfg: { preempt: false },
        adv: { priority: 50 },
        deadline: 2000 + 3609,
      },
      {
        name: 'sets Master_Down_Timer to Skew_Time on a priority-0 advert (RFC 5798 6.4.2)',
        adv: { priority: 0 },
        deadline: 2000 + 609,
      },
      {
        name: 'v3 adopts the master’s advert interval for Master_Down_Interval (RFC 5798 6.4.2)',
        adv: { priority: 150, advertIntervalMs: 200 },
        deadline: 2000 + 600 + 121,
      },
      {
        name: 'a priority-0 advert does not change Master_Adver_Interval: Skew_Time uses the current one (RFC 5798 6.4.2)',
        adv: { priority: 0, advertIntervalMs: 200 },
        deadline: 2000 + 609,
      },
    ])('$name', ({ cfg, adv, deadline }) => {
      const r = step(started(cfg), heard(adv), 2000);
      expect(r.state.vrrpState).toBe('backup');
      expect(nextDeadline(r.state)).toBe(deadline);
    });

    it('v3 records Master_Adver_Interval from an accepted advert (RFC 5798 6.4.2)', () => {
      const r = step(started(), heard({ priority: 150, advertIntervalMs: 200 }), 2000);
      expect(r.state.masterAdverIntervalMs).toBe(200);
    });

    it('v2 drops an advert with another interval instead of adopting it (RFC 3768 7.1)', () => {
      const s = started({ version: 2 });
      const r = step(s, heard({ version: 2, authType: 'none', priority: 150, advertIntervalMs: 2000 }), 2000);
      expect(r.actions).toMatchObject([{ type: 'drop', reason: 'interval-mismatch' }]);
      expect(nextDeadline(r.state)).toBe(3609);
    });

    it('a dropped advert does not reset Master_Down_Timer (keepalived vrrp_state_backup)', () => {
      const r = step(started(), heard({ vrid: 52, priority: 200 }), 2000);
      expect(r.actions).toMatchObject([{ type: 'drop', reason: 'vrid-mismatch' }]);
      expect(nextDeadline(r.state)).toBe(3609);
    });

    it('preempts a lower-priority master once its timer runs out (RFC 5798 6.4.2)', () => {
      const r = run(started(), [...heardEverySecond(50, 3), [{ type: 'tick' }, 3609]]);
      expect(r.state.vrrpState).toBe('master');
    });

    it('with nopreempt never takes over from a live lower-priority master (keepalived nopreempt)', () => {
      const r = run(started({ preempt: false }), [...heardEverySecond(50, 10), [{ type: 'tick' }, 10_500]]);
      expect(r.state.vrrpState).toBe('backup');
    });

    it('preempt_delay: accepts a lower-priority master until preempt_delay after first hearing it, then preempts (keepalived)', () => {
      const lower = (t: number) => [heard({ priority: 50 }), t] as const;
      let r = run(started({ preemptDelayMs: 5000 }), [lower(1000), lower(2000), lower(3000), lower(4000), lower(5000)]);
      expect(r.state.vrrpState).toBe('backup');
      expect(r.state.preemptDelayUntil).toBe(6000);
      expect(nextDeadline(r.state)).toBe(5000 + 3609);
      // After 6000 the lower adverts stop resetting the timer: master at 5000 + 3609.
      r = run(r.state, [lower(6000), lower(7000), lower(8000), [{ type: 'tick' }, 8609]]);
      expect(r.state.vrrpState).toBe('master');
    });

    it('preempt_delay stops when a master of higher priority is heard (keepalived)', () => {
      const r = run(started({ preemptDelayMs: 5000 }), [
        [heard({ priority: 50 }), 1000],
        [heard({ priority: 150 }), 2000],
      ]);
      expect(r.state.preemptDelayUntil).toBeNull();
    });

    it('shutdown goes to Initialize with no VIP or advert actions (RFC 5798 6.4.2)', () => {
      const r = step(started(), { type: 'shutdown' }, 100);
      expect(r.state.vrrpState).toBe('initialize');
      expect(r.actions).toEqual([{ type: 'transition', from: 'backup', to: 'initialize', reason: 'shutdown' }]);
      expect(nextDeadline(r.state)).toBeNull();
    });

    it('a backup never sends adverts or touches VIPs on adverts and ticks (RFC 5798 6.4.2)', () => {
      const r = run(started(), [
        [heard({ priority: 200 }), 1000],
        [{ type: 'tick' }, 1500],
        [heard({ priority: 0 }), 2000],
      ]);
      expect(types(r.actions)).toEqual([]);
    });
  });
});
