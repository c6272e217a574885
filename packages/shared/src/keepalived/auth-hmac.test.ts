// keepalived 2.4 `auth_hmac` in keepalived.conf: import, export and the spec's rules. That
// keepalived 2.4.3 itself accepts the export is shown by tests/agent/interop-auth-hmac.
import { describe, expect, it } from 'vitest';
import { parseCase } from '../../test/spec-cases.js';
import { ClusterSpecSchema, type ClusterSpecInput } from '../spec/cluster.js';
import { importKeepalivedConfig } from './import.js';
import { renderKeepalivedConfig } from './render.js';

const KEY1 = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const KEY2 = 'ff'.repeat(48);

const conf = (authHmac: string) =>
  `global_defs {\n router_id n1\n}\nvrrp_instance VI_HMAC {\n state BACKUP\n interface eth0\n virtual_router_id 51\n priority 100\n advert_int 1\n version 3\n unicast_src_ip 192.0.2.10\n unicast_peer {\n  192.0.2.11\n }\n${authHmac}\n virtual_ipaddress {\n  192.0.2.100/32\n }\n}\n`;

const spec = (authHmac: unknown): ClusterSpecInput => ({
  name: 'hmac',
  nodes: [{ name: 'lb1', interfaces: ['eth0'] }],
  vrrpInstances: [
    {
      name: 'VI_1',
      vrid: 51,
      version: 3,
      interface: 'eth0',
      members: [{ node: 'lb1', priority: 100, initialState: 'backup' }],
      vips: [{ address: '192.0.2.100' }],
      authHmac,
    } as never,
  ],
});

describe('keepalived auth_hmac', () => {
  it("imports keepalived's example block (hex key, active key, time window, mode)", () => {
    const r = importKeepalivedConfig({
      keepalived: {
        text: conf(
          ` auth_hmac {\n  key 1 hex:${KEY1}\n  active_key 1\n  anti_replay time\n  time_window 5\n  mode enforce\n }`,
        ),
        file: 'k.conf',
      },
    });
    expect(r).toMatchObject({ ok: true, unsupported: [] });
    if (r.ok)
      expect(r.config.spec?.vrrpInstances[0]?.authHmac).toEqual({
        keys: [{ id: 1, hex: KEY1 }],
        activeKey: 1,
        antiReplay: 'time',
        timeWindowS: 5,
        mode: 'enforce',
      });
  });

  it('imports an ASCII key as its bytes, as keepalived reads it', () => {
    const ascii = 'a'.repeat(32);
    const r = importKeepalivedConfig({
      keepalived: { text: conf(` auth_hmac {\n  key 3 ${ascii}\n  active_key 3\n }`), file: 'k.conf' },
    });
    expect(r.ok && r.config.spec?.vrrpInstances[0]?.authHmac?.keys).toEqual([{ id: 3, hex: '61'.repeat(32) }]);
  });

  it('refuses a key read from a file on the host, naming the line', () => {
    const r = importKeepalivedConfig({
      keepalived: {
        text: conf(` auth_hmac {\n  key 2 file:/etc/keepalived/keys/k\n  active_key 2\n }`),
        file: 'k.conf',
      },
    });
    expect(r).toMatchObject({
      ok: false,
      errors: [{ file: 'k.conf', line: 16, message: expect.stringMatching(/paste the key/) }],
    });
  });

  it('refuses a key shorter than 32 bytes, naming the field', () => {
    const r = importKeepalivedConfig({
      keepalived: { text: conf(` auth_hmac {\n  key 1 hex:0011\n  active_key 1\n }`), file: 'k.conf' },
    });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).toMatch(/authHmac\.keys\.0\.hex/);
  });

  it('exports what it imports: the round trip gives the same spec back', () => {
    const s = parseCase(
      spec({
        keys: [
          { id: 1, hex: KEY1 },
          { id: 2, hex: KEY2 },
        ],
        activeKey: 2,
        antiReplay: 'monotonic',
        mode: 'permissive',
      }),
    );
    const out = renderKeepalivedConfig(s, 'lb1');
    expect(out.text).toContain(`key 2 hex:${KEY2}`);
    const back = importKeepalivedConfig({ keepalived: { text: out.text, file: 'keepalived.conf' } });
    expect(back).toMatchObject({ ok: true, unsupported: [] });
    if (back.ok) expect(back.config.spec?.vrrpInstances).toEqual(s.vrrpInstances);
  });

  it.each([
    ['an active key that is not one of the keys', { keys: [{ id: 1, hex: KEY1 }], activeKey: 2 }, 'authHmac.activeKey'],
    [
      'a key id twice',
      {
        keys: [
          { id: 1, hex: KEY1 },
          { id: 1, hex: KEY2 },
        ],
        activeKey: 1,
      },
      'authHmac.keys.1.id',
    ],
    ['a key of 65 bytes', { keys: [{ id: 1, hex: 'ab'.repeat(65) }], activeKey: 1 }, 'authHmac.keys.0.hex'],
    [
      'a time window over 300 s',
      { keys: [{ id: 1, hex: KEY1 }], activeKey: 1, timeWindowS: 301 },
      'authHmac.timeWindowS',
    ],
  ])('the spec refuses %s, naming the field', (_, authHmac, path) => {
    const r = ClusterSpecSchema.safeParse(spec(authHmac));
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(`vrrpInstances.0.${path}`);
  });

  it('the spec refuses auth_hmac together with the v2 password', () => {
    const input = spec({ keys: [{ id: 1, hex: KEY1 }], activeKey: 1 });
    const inst = { ...input.vrrpInstances![0]!, version: 2, authentication: { type: 'pass', password: 'pw' } };
    const r = ClusterSpecSchema.safeParse({ ...input, vrrpInstances: [inst] });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain('vrrpInstances.0.authHmac');
  });
});
