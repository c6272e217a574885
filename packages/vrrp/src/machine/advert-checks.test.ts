import { describe, expect, it } from 'vitest';
import type { Advert } from '../codec/types.js';
import { asMaster, started } from './__fixtures__/instance.js';
import type { InstanceConfig } from './config.js';
import type { Event } from './events.js';
import { nextDeadline, step } from './instance.js';

const V2: Partial<InstanceConfig> = { version: 2, auth: { type: 'pass', password: 'secret12' } };
const v2advert: Partial<Advert> = { version: 2, authType: 'pass', authData: 'secret12' };

type Case = {
  name: string;
  cfg?: Partial<InstanceConfig>;
  adv: Partial<Advert>;
  src?: string;
  ttl?: number;
  reason: string;
};

function event(adv: Partial<Advert>, src = '192.0.2.20', ttl?: number): Event {
  const advert: Advert = {
    version: 3,
    vrid: 51,
    priority: 200,
    advertIntervalMs: 1000,
    addresses: ['192.0.2.100'],
    ...adv,
  };
  return ttl === undefined ? { type: 'advert-received', advert, src } : { type: 'advert-received', advert, src, ttl };
}

describe('machine', () => {
  describe('advert checks', () => {
    it.each<Case>([
      { name: 'drops an advert for another VRID (RFC 5798 7.1)', adv: { vrid: 52 }, reason: 'vrid-mismatch' },
      { name: 'drops an advert of the other VRRP version (RFC 5798 7.1)', adv: { version: 2 }, reason: 'bad-version' },
      { name: 'drops an advert whose TTL is not 255 (RFC 5798 7.1)', adv: {}, ttl: 254, reason: 'bad-ttl' },
      {
        name: 'v2 drops an advert without auth when PASS is configured (RFC 3768 7.1)',
        cfg: V2,
        adv: { version: 2, authType: 'none' },
        reason: 'auth-failed',
      },
      {
        name: 'v2 drops an advert with the wrong password (RFC 3768 7.1, keepalived)',
        cfg: V2,
        adv: { ...v2advert, authData: 'secret13' },
        reason: 'auth-failed',
      },
      {
        name: 'v2 drops a PASS advert when no auth is configured (RFC 3768 7.1)',
        cfg: { version: 2 },
        adv: v2advert,
        reason: 'auth-failed',
      },
      {
        name: 'v2 drops an advert with another Advertisement Interval (RFC 3768 7.1)',
        cfg: V2,
        adv: { ...v2advert, advertIntervalMs: 2000 },
        reason: 'interval-mismatch',
      },
      {
        name: 'unicast mode drops an advert from a source that is not a peer (keepalived unicast_peer)',
        cfg: { unicastPeers: ['192.0.2.21'] },
        adv: {},
        src: '192.0.2.20',
        reason: 'unknown-peer',
      },
    ])('$name', ({ cfg, adv, src, ttl, reason }) => {
      for (const s of [started(cfg), asMaster(cfg).state]) {
        const r = step(s, event(adv, src, ttl), 2000);
        expect(r.actions).toMatchObject([{ type: 'drop', reason }]);
        expect(r.state).toBe(s);
      }
    });

    it.each<Case>([
      { name: 'v2 accepts the right password (RFC 3768 7.1)', cfg: V2, adv: v2advert, reason: '' },
      {
        name: 'v2 compares only the 8 password bytes the wire carries (RFC 3768 5.3.10)',
        cfg: { version: 2, auth: { type: 'pass', password: 'secret12-and-more' } },
        adv: v2advert,
        reason: '',
      },
      {
        name: 'v3 ignores authentication configuration, as keepalived does',
        cfg: { auth: { type: 'pass', password: 'x' } },
        adv: {},
        reason: '',
      },
      { name: 'v3 accepts another advert interval (RFC 5798 6.4.2)', adv: { advertIntervalMs: 300 }, reason: '' },
      {
        name: 'unicast mode accepts a configured peer, however it is spelled',
        cfg: { family: 6, vips: ['2001:db8::100'], primaryAddress: '2001:db8::1', unicastPeers: ['2001:DB8:0::2'] },
        adv: { addresses: ['2001:db8::100'] },
        src: '2001:db8::2',
        reason: '',
      },
      {
        name: 'the address list is compared as a set (order and spelling do not matter)',
        cfg: { vips: ['192.0.2.100', '192.0.2.101'] },
        adv: { addresses: ['192.0.2.101', '192.0.2.100'] },
        reason: '',
      },
    ])('$name', ({ cfg, adv, src }) => {
      const r = step(started(cfg), event(adv, src), 2000);
      expect(r.actions).toEqual([]);
      // Accepted: Master_Down_Timer restarted (3 × 300 + 182 for the 300 ms master).
      expect(nextDeadline(r.state)).toBe(2000 + (adv.advertIntervalMs === 300 ? 1082 : 3609));
    });

    it('v3: logs an address-list mismatch and still processes the advert (RFC 5798 7.1 MAY, keepalived)', () => {
      const r = step(started(), event({ addresses: ['192.0.2.99'] }), 2000);
      expect(r.actions).toEqual([
        {
          type: 'advert-warning',
          reason: 'address-list-mismatch',
          src: '192.0.2.20',
          detail: 'received [192.0.2.99], ours [192.0.2.100]',
        },
      ]);
      expect(nextDeadline(r.state)).toBe(2000 + 3609);
    });

    it('v3: ignores an advert that names no address (count 0), even one that would win', () => {
      const { state, now } = asMaster();
      const r = step(state, event({ addresses: [] }), now + 1);
      expect(r.state.vrrpState).toBe('master');
      expect(r.actions).toEqual([
        { type: 'drop', reason: 'address-list-mismatch', src: '192.0.2.20', detail: 'the advert names no address' },
      ]);
    });

    it.each([
      { name: 'another address', addresses: ['192.0.2.99'] },
      { name: 'no address', addresses: [] },
      { name: '255 addresses', addresses: Array.from({ length: 255 }, (_, i) => `198.51.100.${i}`) },
      { name: 'one address too many', addresses: ['192.0.2.100', '192.0.2.101'] },
    ])(
      'v2: drops an advert whose address list differs ($name), so it moves nothing (RFC 3768 7.1)',
      ({ addresses }) => {
        const { state, now } = asMaster(V2);
        const r = step(state, event({ ...v2advert, addresses, priority: 254 }), now + 1);
        expect(r.state.vrrpState).toBe('master');
        expect(r.actions).toMatchObject([{ type: 'drop', reason: 'address-list-mismatch' }]);
      },
    );

    it("v2: the address owner's advert (priority 255) is processed despite its list (RFC 3768 7.1)", () => {
      const { state, now } = asMaster(V2);
      const r = step(state, event({ ...v2advert, addresses: ['192.0.2.99'], priority: 255 }), now + 1);
      expect(r.state.vrrpState).toBe('backup');
      expect(r.actions[0]).toMatchObject({ type: 'advert-warning', reason: 'address-list-mismatch' });
    });
  });
});
