// A revision reaches the nodes one after the other: what a reconfigured v2 instance accepts from a
// peer that has not applied it yet, and how a master that leaves the instance hands over.
import { describe, expect, it } from 'vitest';
import { asMaster, config, heard, started } from './__fixtures__/instance.js';
import type { InstanceConfig } from './config.js';
import { step } from './instance.js';
import { handOver, PREVIOUS_ACCEPTED_MS, reconfigure } from './reconfigure.js';

const V2: Partial<InstanceConfig> = { version: 2, auth: { type: 'pass', password: 'old-pw' } };
const v2Advert = (password: string, advertIntervalMs = 1000) =>
  heard({ version: 2, priority: 200, advertIntervalMs, authType: 'pass', authData: password });

/** A v2 backup that heard the master (password old-pw, 1 s), reconfigured at 10 ms with `over`. */
function v2Backup(over: Partial<InstanceConfig>) {
  const s = step(started(V2), v2Advert('old-pw'), 5).state;
  return reconfigure(s, config({ ...V2, ...over }), 10).state;
}

describe('machine', () => {
  describe('rollout staging (v2)', () => {
    it("accepts the master's previous VIP list after a VIP is added (v2 drops other lists), until it advertises the new one", () => {
      const s = v2Backup({ vips: ['192.0.2.100', '192.0.2.101'] });
      const old = step(s, v2Advert('old-pw'), 1000);
      expect(old.actions).toEqual([]);
      const newList = heard({
        version: 2,
        priority: 200,
        authType: 'pass',
        authData: 'old-pw',
        addresses: ['192.0.2.100', '192.0.2.101'],
      });
      const heardNew = step(old.state, newList, 2000);
      expect(heardNew.actions).toEqual([]);
      expect(heardNew.state.previousAccepted).toBeNull();
      expect(step(heardNew.state, v2Advert('old-pw'), 3000).actions).toMatchObject([
        { type: 'drop', reason: 'address-list-mismatch' },
      ]);
    });

    it("accepts the master's previous password after a password change", () => {
      const s = v2Backup({ auth: { type: 'pass', password: 'new-pw' } });
      const r = step(s, v2Advert('old-pw'), 1000);
      expect(r.actions).toEqual([]);
      expect(r.state.masterDownTimer).toBeGreaterThan(1000);
    });

    it('accepts the new password after a password change', () => {
      const s = v2Backup({ auth: { type: 'pass', password: 'new-pw' } });
      expect(step(s, v2Advert('new-pw'), 1000).actions).toEqual([]);
    });

    it('drops a password that is neither the new nor the previous one', () => {
      const s = v2Backup({ auth: { type: 'pass', password: 'new-pw' } });
      expect(step(s, v2Advert('other'), 1000).actions).toEqual([
        { type: 'drop', reason: 'auth-failed', src: '192.0.2.20', detail: 'password mismatch' },
      ]);
    });

    it('drops the previous password once PREVIOUS_ACCEPTED_MS has passed', () => {
      const s = v2Backup({ auth: { type: 'pass', password: 'new-pw' } });
      const r = step(s, v2Advert('old-pw'), 10 + PREVIOUS_ACCEPTED_MS);
      expect(r.actions.map((a) => a.type)).toEqual(['drop']);
    });

    it('stops accepting the previous password once the master is heard with the new one', () => {
      const s = v2Backup({ auth: { type: 'pass', password: 'new-pw' } });
      const heardNew = step(s, v2Advert('new-pw'), 1000).state;
      expect(heardNew.previousAccepted).toBeNull();
      expect(step(heardNew, v2Advert('old-pw'), 2000).actions.map((a) => a.type)).toEqual(['drop']);
    });

    it("keeps accepting the previous password while the master's priority-0 advert carries the new one", () => {
      const s = v2Backup({ auth: { type: 'pass', password: 'new-pw' } });
      const leaving = heard({ version: 2, priority: 0, authType: 'pass', authData: 'new-pw' });
      expect(step(s, leaving, 1000).state.previousAccepted).not.toBeNull();
    });

    it('accepts adverts without authentication after authentication is turned on', () => {
      const s = step(started({ version: 2 }), heard({ version: 2, priority: 200, authType: 'none' }), 5).state;
      const on = reconfigure(s, config({ ...V2, auth: { type: 'pass', password: 'new-pw' } }), 10).state;
      expect(step(on, heard({ version: 2, priority: 200, authType: 'none' }), 1000).actions).toEqual([]);
    });

    it("accepts the master's previous interval and times it out by that interval", () => {
      const s = v2Backup({ advertIntervalMs: 2000 });
      const r = step(s, v2Advert('old-pw', 1000), 1000);
      expect(r.actions).toEqual([]);
      expect(r.state.masterAdverIntervalMs).toBe(1000);
    });

    it("learns the new interval from the master's first advert with it", () => {
      const s = v2Backup({ advertIntervalMs: 1000 });
      const longer = reconfigure(s, config({ ...V2, advertIntervalMs: 3000 }), 20).state;
      const r = step(longer, v2Advert('old-pw', 3000), 1000);
      expect(r.state.masterAdverIntervalMs).toBe(3000);
      expect(r.state.masterDownTimer).toBe(1000 + 3 * 3000 + Math.floor((156 * 1000) / 256));
    });

    it('keeps a backup waiting for a slower previous interval from declaring the master down', () => {
      // 3 s → 1 s: the master still advertises every 3 s until it applies the revision.
      const slow = step(started({ ...V2, advertIntervalMs: 3000 }), v2Advert('old-pw', 3000), 5).state;
      const s = reconfigure(slow, config({ ...V2, advertIntervalMs: 1000 }), 10).state;
      let state = s;
      for (const t of [3005, 6005, 9005]) {
        const r = step(state, v2Advert('old-pw', 3000), t);
        state = r.state;
        state = step(state, { type: 'tick' }, t + 2900).state;
        expect(state.vrrpState).toBe('backup');
      }
    });

    it('does not stage anything when neither the password nor the interval changed', () => {
      expect(v2Backup({ basePriority: 120 }).previousAccepted).toBeNull();
    });

    it('does not stage anything on v3', () => {
      const s = step(started(), heard({ priority: 200 }), 5).state;
      expect(reconfigure(s, config({ advertIntervalMs: 200 }), 10).state.previousAccepted).toBeNull();
    });
  });

  describe('handOver', () => {
    it('sends priority 0 and keeps the VIPs until the new master is heard', () => {
      const { state, now } = asMaster();
      const r = handOver(state, now + 1);
      expect(r.state.vrrpState).toBe('backup');
      expect(r.state.vipsHeld).toBe(true);
      expect(r.actions).toEqual([
        { type: 'transition', from: 'master', to: 'backup', reason: 'maintenance' },
        { type: 'send-advert', priority: 0 },
      ]);
      const after = step(r.state, heard({ priority: 90 }), now + 50);
      expect(after.actions).toEqual([{ type: 'remove-vips', vips: ['192.0.2.100'] }]);
      expect(after.state.vipsHeld).toBe(false);
    });

    it('gives the VIPs up at the hand-over deadline when no new master is heard', () => {
      const { state, now } = asMaster();
      const r = handOver(state, now + 1);
      const until = r.state.handoverUntil ?? 0;
      const after = step(r.state, { type: 'tick' }, until);
      expect(after.actions).toEqual([{ type: 'remove-vips', vips: ['192.0.2.100'] }]);
    });

    it('never takes the VIPs back during the hand-over', () => {
      const { state, now } = asMaster();
      const r = handOver(state, now + 1);
      expect(r.state.masterDownTimer).toBeNull();
    });

    it('does nothing on a backup', () => {
      const s = started();
      expect(handOver(s, 10)).toEqual({ state: s, actions: [] });
    });
  });
});
