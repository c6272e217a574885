import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '@keepwatch/shared';
import { DEF_STATE_DIR } from '../config/defaults.js';
import { parseWarmState } from '../state/warm-format.js';
import { encodeAdvert } from '@keepwatch/vrrp';
import { AuthHmacEndpoint, clockSequence, signAdvert } from '@keepwatch/vrrp/auth-hmac';
import { advertsToReplay, resigner, stateDirOf } from './replay.js';

const advert = {
  family: 4,
  ifname: 'eth0',
  src: '192.0.2.11',
  intervalMs: 100,
  packets: [{ dst: '224.0.0.18', hex: '3101640100010000c0000264' }],
};
const file = (savedAt: number, instances: Record<string, unknown>) =>
  parseWarmState(JSON.stringify({ savedAt, instances }));

describe('stateDirOf (where the start-up replay finds the warm file)', () => {
  const config = (text: string) => () => text;

  it("takes `run --config FILE`'s stateDir", () => {
    expect(stateDirOf(['run', '--config', '/etc/k.json'], config('{"stateDir":"/srv/k"}'))).toBe('/srv/k');
  });

  it("takes the schema's default when the file names none", () => {
    expect(stateDirOf(['run', '-c', '/etc/k.json'], config('{}'))).toBe(DEF_STATE_DIR);
    expect(AgentConfigSchema.shape.stateDir.parse(undefined)).toBe(DEF_STATE_DIR);
  });

  it.each([
    ['another command', ['cleanup', '--config', '/etc/k.json'], '{}'],
    ['no --config', ['run'], '{}'],
    ['a file that is not JSON', ['run', '--config', '/etc/k.json'], 'stateDir='],
    ['a relative stateDir', ['run', '--config', '/etc/k.json'], '{"stateDir":"k"}'],
  ])('gives none for %s', (_, argv, text) => {
    expect(stateDirOf(argv, config(text))).toBeNull();
  });

  it('gives none when the config file cannot be read', () => {
    const missing = () => {
      throw new Error('ENOENT');
    };
    expect(stateDirOf(['run', '--config', '/nope.json'], missing)).toBeNull();
  });
});

describe('advertsToReplay (which adverts a restarted agent repeats before it loads)', () => {
  it('repeats a master saved less than 3 advert intervals ago', () => {
    const out = advertsToReplay(file(1000, { VI_1: { state: 'master', advert } }), 1299);
    expect([...out.keys()]).toEqual(['VI_1']);
    expect(out.get('VI_1')?.packets[0]?.dst).toBe('224.0.0.18');
  });

  it('does not repeat a master saved 3 advert intervals ago or more: a peer may have taken over', () => {
    expect(advertsToReplay(file(1000, { VI_1: { state: 'master', advert } }), 1300).size).toBe(0);
  });

  it('does not repeat a backup, nor a master without a saved advert', () => {
    const text = file(1000, { VI_1: { state: 'backup', advert }, VI_2: { state: 'master' } });
    expect(advertsToReplay(text, 1010).size).toBe(0);
  });

  it('does not repeat after a graceful stop (savedAt 0, no instances)', () => {
    expect(advertsToReplay(file(0, {}), 50).size).toBe(0);
  });

  it('repeats nothing from a missing or torn file', () => {
    expect(advertsToReplay(parseWarmState(null), 1010).size).toBe(0);
    expect(advertsToReplay(parseWarmState('{"savedAt":1000,"instances":{"VI_1":{"state":"mas'), 1010).size).toBe(0);
  });

  it.each([
    ['a family other than 4 or 6', { family: 5 }],
    ['an interface name that is not one', { ifname: 'eth0; reboot' }],
    ['a source of the other family', { src: '2001:db8::1' }],
    ['an interval below 10 ms', { intervalMs: 5 }],
    ['no packets', { packets: [] }],
    ['a destination that is no address', { packets: [{ dst: 'example.org', hex: advert.packets[0]!.hex }] }],
    ['a message that is not hex', { packets: [{ dst: '224.0.0.18', hex: 'zz'.repeat(12) }] }],
    ['a message shorter than a VRRP header', { packets: [{ dst: '224.0.0.18', hex: '3101' }] }],
  ])('repeats nothing for an advert with %s', (_, change) => {
    const text = file(1000, { VI_1: { state: 'master', advert: { ...advert, ...change } } });
    expect(advertsToReplay(text, 1010).size).toBe(0);
  });
});

describe('resigner (auth_hmac: a restarted agent signs each repeat afresh)', () => {
  const key = { id: 1, key: new Uint8Array(32).fill(7) };
  const ctx = { family: 4 as const, src: '192.0.2.11', dst: '224.0.0.18' };
  const T0 = Date.UTC(2026, 11, 5, 12);
  const message = encodeAdvert(
    { version: 3, vrid: 51, priority: 100, advertIntervalMs: 100, addresses: ['192.0.2.100'] },
    ctx,
  );
  const lastSeq = clockSequence(T0);
  const lastSent = signAdvert(message, ctx, key, lastSeq);
  const signed = {
    ...advert,
    packets: [{ dst: '224.0.0.18', hex: Buffer.from(lastSent).toString('hex') }],
    sign: { keyId: 1, keyHex: '07'.repeat(32), seq: lastSeq.toString(), antiReplay: 'time', timeWindowS: 5 },
  };

  it('keeps the signing from the warm file', () => {
    expect(advertsToReplay(file(1000, { VI_1: { state: 'master', advert: signed } }), 1050).get('VI_1')?.sign).toEqual(
      signed.sign,
    );
  });

  it('repeats nothing for a signed advert it could not sign again', () => {
    const bad = { ...signed, sign: { ...signed.sign, keyHex: 'zz' } };
    expect(advertsToReplay(file(1000, { VI_1: { state: 'master', advert: bad } }), 1050).size).toBe(0);
  });

  it('signs every repeat with a sequence above the last sent, which a receiver accepts', () => {
    const parsed = parseWarmState(
      JSON.stringify({ savedAt: 1000, instances: { VI_1: { state: 'master', advert: signed } } }),
    );
    const a = parsed!.instances.VI_1!.advert!;
    let now = T0;
    const resign = resigner(a, () => now)!;
    const rx = new AuthHmacEndpoint({ keys: [key], activeKey: 1, mode: 'enforce', antiReplay: 'time', timeWindowS: 5 });
    const packets = [{ dst: '224.0.0.18', data: Buffer.from(lastSent) }];
    expect(rx.verify(lastSent, true, 4, ctx.src, now)).toMatchObject({ ok: true });
    for (let i = 0; i < 3; i++) {
      now += 100;
      const [p] = resign(packets);
      expect(rx.verify(p!.data, true, 4, ctx.src, now)).toMatchObject({ ok: true, keyId: 1 });
    }
    expect(rx.verify(lastSent, true, 4, ctx.src, now)).toEqual({ ok: false, reason: 'auth-replay' });
  });
});
