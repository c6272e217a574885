import { describe, expect, it } from 'vitest';
import { advert, asMaster, started } from './__fixtures__/instance.js';
import { advertFor, nextDeadline } from './instance.js';

describe('machine', () => {
  describe('instance', () => {
    it.each([
      {
        name: 'v3 adverts carry the configured interval and VIPs and no authentication (RFC 5798 5.2)',
        over: {},
        want: advert(),
      },
      {
        name: 'v2 adverts without authentication say so (RFC 3768 5.3.6)',
        over: { version: 2 as const },
        want: { ...advert({ version: 2 }), authType: 'none' },
      },
      {
        name: 'v2 adverts carry the first 8 bytes of the PASS password (RFC 3768 5.3.10)',
        over: { version: 2 as const, auth: { type: 'pass' as const, password: 'longer-than-8' } },
        want: { ...advert({ version: 2 }), authType: 'pass', authData: 'longer-t' },
      },
    ])('$name', ({ over, want }) => {
      expect(advertFor(started(over), 100)).toEqual(want);
    });

    it('nextDeadline is the earliest pending timer', () => {
      const { state, now } = asMaster({ garpMasterDelayMs: 500 });
      expect(nextDeadline(state)).toBe(now + 500);
      expect(nextDeadline({ ...state, garpDelayTimer: null })).toBe(now + 1000);
    });

    it('nextDeadline is null when nothing is pending', () => {
      expect(nextDeadline(started({ maintenance: true }))).toBeNull();
    });
  });
});
