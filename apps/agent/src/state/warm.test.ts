import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { VrrpInstance } from '@keepwatch/shared';
import { WarmStateFile } from './warm.js';
import { readWarmState, WARM_STATE_FILE, type WarmAdvert } from './warm-format.js';

const advert = (hex = '3101640100010000c0000264'): WarmAdvert => ({
  family: 4,
  ifname: 'eth0',
  src: '192.0.2.11',
  intervalMs: 100,
  packets: [{ dst: '224.0.0.18', hex }],
});
const vi1 = { name: 'VI_1', advertIntervalMs: 100 } as VrrpInstance;

describe('WarmStateFile (what a restart resumes from)', () => {
  let dir: string;
  let clock: number;
  let file: WarmStateFile;
  const path = () => join(dir, WARM_STATE_FILE);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'warm-'));
    clock = 1_000_000;
    file = new WarmStateFile(dir, pino({ level: 'silent' }), () => clock);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps a master's last advert, mode 0600 (a v2 advert carries the password)", () => {
    file.save([{ name: 'VI_1', state: 'master' }]);
    file.advertSent('VI_1', advert());
    expect(readWarmState(path())?.instances.VI_1).toEqual({ state: 'master', advert: advert() });
    expect(statSync(path()).mode & 0o777).toBe(0o600);
  });

  it("does not keep a backup's adverts", () => {
    file.save([{ name: 'VI_1', state: 'backup' }]);
    file.advertSent('VI_1', advert());
    expect(readWarmState(path())?.instances.VI_1).toEqual({ state: 'backup' });
  });

  it('an unchanged advert only dates the file (no rewrite): a restart then judges the age by it', () => {
    file.save([{ name: 'VI_1', state: 'master' }]);
    file.advertSent('VI_1', advert());
    const written = readFileSync(path(), 'utf8');
    utimesSync(path(), 0, 0);
    clock += 250;
    file.advertSent('VI_1', advert());
    expect(readFileSync(path(), 'utf8')).toBe(written);
    expect(statSync(path()).mtimeMs).toBe(clock);
    clock += 299;
    expect(new WarmStateFile(dir, pino({ level: 'silent' }), () => clock).resuming([vi1])).toEqual(new Set(['VI_1']));
  });

  it('an advert with other bytes (a priority change) is written at once', () => {
    file.save([{ name: 'VI_1', state: 'master' }]);
    file.advertSent('VI_1', advert());
    file.advertSent('VI_1', advert('3101500100010000c0000264'));
    expect(readWarmState(path())?.instances.VI_1?.advert?.packets[0]?.hex).toBe('3101500100010000c0000264');
  });

  it('resumes nothing 3 advert intervals after the last advert', () => {
    file.save([{ name: 'VI_1', state: 'master' }]);
    file.advertSent('VI_1', advert());
    utimesSync(path(), clock / 1000, clock / 1000);
    const later = new WarmStateFile(dir, pino({ level: 'silent' }), () => clock + 300);
    expect(later.resuming([vi1]).size).toBe(0);
  });

  it('judges the age when the process began, not when its modules had loaded', () => {
    file.save([{ name: 'VI_1', state: 'master' }]);
    utimesSync(path(), clock / 1000, clock / 1000);
    const restarted = new WarmStateFile(dir, pino({ level: 'silent' }), () => clock + 5000, { startedAt: clock + 50 });
    expect(restarted.resuming([vi1])).toEqual(new Set(['VI_1']));
  });

  it('a burst of changes (a mass takeover) is written once more at its end, with the last state', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `VI_${i}`);
    for (let i = 1; i <= names.length; i++)
      file.save(names.map((name, k) => ({ name, state: k < i ? 'master' : 'backup' })));
    expect(readWarmState(path())?.instances.VI_49?.state).toBe('backup');
    await new Promise((r) => setTimeout(r, 60));
    expect(readWarmState(path())?.instances.VI_49?.state).toBe('master');
  });

  it('a graceful stop during a burst is not overwritten by its trailing write', async () => {
    for (let i = 0; i < 10; i++) file.save([{ name: 'VI_1', state: i % 2 ? 'master' : 'backup' }]);
    file.saveStopped();
    await new Promise((r) => setTimeout(r, 60));
    expect(readWarmState(path())?.instances).toEqual({});
  });

  it('resumes nothing after a graceful stop, however recent', () => {
    file.save([{ name: 'VI_1', state: 'master' }]);
    file.saveStopped();
    expect(file.resuming([vi1]).size).toBe(0);
  });
});
