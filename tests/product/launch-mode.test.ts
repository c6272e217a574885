import { describe, expect, it } from 'vitest';
import { launchMode } from '@keepwatch/demo';

describe('npm start: demo or dashboard alone', () => {
  it.each([
    { who: 'root, defaults', o: { uid: 0, demoEnv: '1' as const }, demo: true, reason: undefined },
    {
      who: 'an unprivileged user',
      o: { uid: 1000, demoEnv: '1' as const },
      demo: false,
      reason: /^not running as root: the demo cluster needs network namespaces/,
    },
    {
      who: 'a platform without uids',
      o: { uid: undefined, demoEnv: '1' as const },
      demo: false,
      reason: /^not running as root/,
    },
    {
      who: 'root with DATABASE_URL',
      o: { uid: 0, demoEnv: '1' as const, databaseUrl: 'postgresql://db.example/keepwatch' },
      demo: false,
      reason: /^DATABASE_URL is set: the demo \(which resets its database\) is off/,
    },
    {
      who: 'root with KEEPWATCH_DEMO=0',
      o: { uid: 0, demoEnv: '0' as const },
      demo: false,
      reason: /^KEEPWATCH_DEMO=0: the dashboard starts alone$/,
    },
  ])('$who', ({ o, demo, reason }) => {
    const m = launchMode(o);
    expect(m.demo).toBe(demo);
    if (!m.demo) expect(m.reason).toMatch(reason!);
  });
});
