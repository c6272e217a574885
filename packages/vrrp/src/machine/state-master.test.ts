import { describe, expect, it } from 'vitest';
import type { Advert } from '../codec/types.js';
import { asMaster, heard, run, types } from './__fixtures__/instance.js';
import type { InstanceConfig } from './config.js';
import type { Event } from './events.js';
import { nextDeadline, step } from './instance.js';

describe('machine', () => {
  describe('master', () => {
    it('sends an advert every Advertisement_Interval (RFC 5798 6.4.3)', () => {
      const { state, now } = asMaster({ garpMasterDelayMs: 0 });
      const r = run(state, [
        [{ type: 'tick' }, now + 1000],
        [{ type: 'tick' }, now + 2000],
      ]);
      expect(types(r.actions)).toEqual(['send-advert 100', 'send-advert 100']);
      expect(nextDeadline(r.state)).toBe(now + 3000);
    });

    it('answers a priority-0 advert with an advert at once and restarts Adver_Timer (RFC 5798 6.4.3)', () => {
      const { state, now } = asMaster({ garpMasterDelayMs: 0 });
      const r = step(state, heard({ priority: 0 }), now + 300);
      expect(r.actions).toEqual([{ type: 'send-advert', priority: 100 }]);
      expect(r.state.vrrpState).toBe('master');
      expect(nextDeadline(r.state)).toBe(now + 1300);
    });

    type Case = {
      name: string;
      cfg?: Partial<InstanceConfig>;
      adv: Partial<Advert>;
      src: string;
      to: 'master' | 'backup';
      actions: string[];
    };
    // Our primary address is 192.0.2.10, priority 100.
    it.each<Case>([
      {
        name: 'steps down on a higher priority (RFC 5798 6.4.3)',
        adv: { priority: 101 },
        src: '192.0.2.2',
        to: 'backup',
        actions: ['transition', 'send-advert 100', 'remove-vips'],
      },
      {
        name: 'steps down on an equal priority from a higher primary address (RFC 5798 6.4.3)',
        adv: { priority: 100 },
        src: '192.0.2.11',
        to: 'backup',
        actions: ['transition', 'send-advert 100', 'remove-vips'],
      },
      {
        name: 'compares primary addresses as numbers, not text: .9 < .10 (RFC 5798 6.4.3)',
        adv: { priority: 100 },
        src: '192.0.2.9',
        to: 'master',
        actions: ['send-advert 100', 'send-garp'],
      },
      {
        name: 'stays master on an equal priority from a lower address and re-advertises (keepalived forcing new election)',
        adv: { priority: 100 },
        src: '192.0.2.3',
        to: 'master',
        actions: ['send-advert 100', 'send-garp'],
      },
      {
        name: 'stays master on a lower priority and re-advertises at once (keepalived forcing new election)',
        adv: { priority: 99 },
        src: '192.0.2.200',
        to: 'master',
        actions: ['send-advert 100', 'send-garp'],
      },
      {
        name: 'ignores its own advert looped back (equal priority, own address)',
        adv: { priority: 100 },
        src: '192.0.2.10',
        to: 'master',
        actions: [],
      },
      {
        name: 'steps down on an equal priority from a higher IPv6 address (RFC 5798 6.4.3)',
        cfg: { family: 6, vips: ['2001:db8::100'], primaryAddress: 'fe80::a' },
        adv: { priority: 100, addresses: ['2001:db8::100'] },
        src: 'fe80::1:0',
        to: 'backup',
        actions: ['transition', 'send-advert 100', 'remove-vips'],
      },
    ])('$name', ({ cfg, adv, src, to, actions }) => {
      const { state, now } = asMaster({ garpMasterDelayMs: 0, ...cfg });
      const r = step(state, heard(adv, src), now + 100);
      expect(r.state.vrrpState).toBe(to);
      expect(types(r.actions)).toEqual(actions);
    });

    it('answers a flood of lower-priority adverts at most once per advert interval (no amplifier)', () => {
      const { state, now } = asMaster({ garpMasterDelayMs: 0 });
      // 100 adverts within 99 ms, then one after the interval has passed.
      const events = Array.from({ length: 100 }, (_, i): [Event, number] => [
        heard({ priority: 80 }, '192.0.2.200'),
        now + 1 + i,
      ]);
      const flood = run(state, [...events, [heard({ priority: 80 }, '192.0.2.200'), now + 1 + 1000]]);
      expect(flood.actions.filter((a) => a.type === 'send-advert').length).toBe(2);
      expect(flood.actions.filter((a) => a.type === 'send-garp').length).toBe(2);
      expect(flood.actions.filter((a) => a.type === 'drop' && a.reason === 'answer-rate-limited').length).toBe(99);
      expect(flood.state.vrrpState).toBe('master');
    });

    it('answers a flood of priority-0 adverts at most once per interval / 128, and the last one before any Skew_Time ends', () => {
      const { state, now } = asMaster({ garpMasterDelayMs: 0 }); // 1 s: one answer per 7 ms
      const events = Array.from({ length: 100 }, (_, i): [Event, number] => [
        heard({ priority: 0 }, '192.0.2.200'),
        now + 1 + i,
      ]);
      const flood = run(state, events);
      const answers = flood.actions.filter((a) => a.type === 'send-advert').length;
      expect(answers).toBeGreaterThanOrEqual(14);
      expect(answers).toBeLessThanOrEqual(15);
      // The held-back answer goes out within 7 ms of the last priority 0: the shortest Skew_Time
      // (a backup at 254) is 1000 × 2 / 256 ≈ 7.8 ms.
      expect(nextDeadline(flood.state)! - (now + 100)).toBeLessThanOrEqual(7);
      expect(step(flood.state, { type: 'tick' }, nextDeadline(flood.state)!).actions).toContainEqual({
        type: 'send-advert',
        priority: 100,
      });
    });

    it('announces its VIPs again when a lower-priority master is heard, so ARP caches from a split brain heal (keepalived garp_lower_prio_repeat)', () => {
      const { state, now } = asMaster({ garpMasterDelayMs: 0, garpMasterRepeat: 3 });
      const r = step(state, heard({ priority: 80 }, '192.0.2.200'), now + 100);
      expect(r.actions).toEqual([
        { type: 'send-advert', priority: 100 },
        { type: 'send-garp', vips: ['192.0.2.100'], count: 3 },
      ]);
    });

    it('stepping down sends no priority-0 advert but one parting advert at its own priority, then starts Master_Down_Timer', () => {
      const { state, now } = asMaster();
      const r = step(state, heard({ priority: 200 }), now + 100);
      // The parting advert makes a winner that never heard us re-announce (split brain healing).
      expect(r.actions).toEqual([
        { type: 'transition', from: 'master', to: 'backup', reason: 'higher-priority' },
        { type: 'send-advert', priority: 100 },
        { type: 'remove-vips', vips: ['192.0.2.100'] },
      ]);
      expect(nextDeadline(r.state)).toBe(now + 100 + 3609);
      expect(r.state.garpDelayTimer).toBeNull();
    });

    it('v3 stepping down adopts the new master’s advert interval (RFC 5798 6.4.3)', () => {
      const { state, now } = asMaster();
      const r = step(state, heard({ priority: 200, advertIntervalMs: 100 }), now + 100);
      expect(r.state.masterAdverIntervalMs).toBe(100);
      expect(nextDeadline(r.state)).toBe(now + 100 + 300 + 60);
    });

    it('on shutdown sends priority 0 first and then removes the VIPs (RFC 5798 6.4.3, shell contract)', () => {
      const { state, now } = asMaster();
      const r = step(state, { type: 'shutdown' }, now + 10);
      expect(r.actions).toEqual([
        { type: 'transition', from: 'master', to: 'initialize', reason: 'shutdown' },
        { type: 'send-advert', priority: 0 },
        { type: 'remove-vips', vips: ['192.0.2.100'] },
      ]);
      expect(nextDeadline(r.state)).toBeNull();
      expect(r.state.vipsHeld).toBe(false);
    });

    it('can start again after shutdown (RFC 5798 6.4.1)', () => {
      const { state, now } = asMaster();
      const r = run(state, [
        [{ type: 'shutdown' }, now + 10],
        [{ type: 'startup' }, now + 20],
      ]);
      expect(r.state.vrrpState).toBe('backup');
    });

    it('advertises with its own configured interval after having learned another as backup (keepalived)', () => {
      const { state, now } = asMaster();
      const down = step(state, heard({ priority: 200, advertIntervalMs: 100 }), now + 1);
      const up = step(down.state, { type: 'tick' }, nextDeadline(down.state) ?? 0);
      expect(up.state.vrrpState).toBe('master');
      expect(up.state.masterAdverIntervalMs).toBe(1000);
    });
  });
});
