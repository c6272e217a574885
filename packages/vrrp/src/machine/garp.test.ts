import { describe, expect, it } from 'vitest';
import { asMaster, heard, run, started, types } from './__fixtures__/instance.js';
import { nextDeadline, step } from './instance.js';

describe('machine', () => {
  describe('gratuitous ARP', () => {
    it('sends garp_master_repeat messages after adding the VIPs and before the first advert on becoming master', () => {
      const r = step(started({ garpMasterRepeat: 3 }), { type: 'tick' }, 3609);
      expect(types(r.actions)).toEqual(['transition', 'add-vips', 'send-garp', 'send-advert 100']);
      expect(r.actions[2]).toEqual({ type: 'send-garp', vips: ['192.0.2.100'], count: 3 });
      expect(r.state.garpDelayTimer).toBe(3609 + 5000);
    });

    it('sends a second burst garp_master_delay after becoming master (keepalived, default 5 s)', () => {
      const { state, now } = asMaster();
      let s = state;
      const actions: string[] = [];
      for (let t = now + 1000; t <= now + 6000; t += 1000) {
        const r = step(s, { type: 'tick' }, t);
        s = r.state;
        actions.push(...r.actions.map((a) => `${t - now}:${a.type === 'send-garp' ? `garp×${a.count}` : a.type}`));
      }
      expect(actions.filter((a) => a.includes('garp'))).toEqual(['5000:garp×5']);
      expect(s.garpDelayTimer).toBeNull();
    });

    it('garp_master_delay 0 sends no second burst (keepalived)', () => {
      const { state } = asMaster({ garpMasterDelayMs: 0 });
      expect(state.garpDelayTimer).toBeNull();
    });

    it('garp_master_repeat 0 sends no GARP at all', () => {
      const s = step(asMaster({ garpMasterRepeat: 0 }).state, { type: 'tick' }, 10_000);
      expect(types(s.actions)).not.toContain('send-garp');
    });

    it('refreshes every garp_master_refresh, first at delay + refresh (keepalived garp_master_refresh)', () => {
      const { state, now } = asMaster({
        garpMasterDelayMs: 2000,
        garpMasterRefreshMs: 3000,
        garpMasterRefreshRepeat: 2,
      });
      expect(state.garpRefreshTimer).toBe(now + 5000);
      let s = state;
      const garps: string[] = [];
      for (let i = 0; i < 30; i++) {
        const at = nextDeadline(s);
        if (at === null || at > now + 11_000) break;
        const r = step(s, { type: 'tick' }, at);
        s = r.state;
        for (const a of r.actions) if (a.type === 'send-garp') garps.push(`${at - now}:×${a.count}`);
      }
      expect(garps).toEqual(['2000:×5', '5000:×2', '8000:×2', '11000:×2']);
    });

    it('cancels pending GARPs when leaving master', () => {
      const { state, now } = asMaster({ garpMasterRefreshMs: 1000 });
      const r = step(state, heard({ priority: 200 }), now + 10);
      expect(r.state.garpDelayTimer).toBeNull();
      expect(r.state.garpRefreshTimer).toBeNull();
      const later = run(r.state, [
        [heard({ priority: 200 }), now + 3000],
        [{ type: 'tick' }, now + 5000],
      ]);
      expect(types(later.actions)).not.toContain('send-garp');
    });
  });
});
