import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { encodeAdvert, type Advert } from '@keepwatch/vrrp';
import { AuthHmacEndpoint, signAdvert, type AuthHmacConfig } from '@keepwatch/vrrp/auth-hmac';
import { AgentMetrics } from '../metrics.js';
import type { NativeNet, RawPacket } from './native.js';
import { VrrpTransport, type VrrpEndpoint } from './vrrp-transport.js';

/** A NativeNet that records sockets and sends, and lets the test make a socket readable. */
function fakeNet() {
  const opened: { fd: number; family: 4 | 6; ifname: string; multicast: boolean }[] = [];
  const sent: { fd: number; src: string | null; dst: string }[] = [];
  const inbox = new Map<number, RawPacket[]>();
  const readable = new Map<number, (status: number) => void>();
  const closed: number[] = [];
  const net = {
    openVrrp: (family: 4 | 6, ifname: string, multicast: boolean) => {
      const fd = 10 + opened.length;
      opened.push({ fd, family, ifname, multicast });
      return fd;
    },
    recvVrrp: (fd: number) => inbox.get(fd)?.shift() ?? null,
    sendVrrp: (fd: number, _family: 4 | 6, _ifindex: number, src: string | null, dst: string) => {
      sent.push({ fd, src, dst });
    },
    interfaceInfo: () => ({ index: 2, mac: '02:00:00:00:00:01', up: true }),
    closeFd: (fd: number) => closed.push(fd),
    Watcher: class {
      constructor(fd: number, onReadable: (status: number) => void) {
        readable.set(fd, onReadable);
      }
      stop(): void {}
    },
  } as unknown as NativeNet;
  const deliver = (fd: number, packet: RawPacket) => {
    inbox.set(fd, [...(inbox.get(fd) ?? []), packet]);
    readable.get(fd)?.(0);
  };
  return { net, opened, sent, closed, deliver };
}

const advert = (vrid: number): Advert => ({
  version: 3,
  vrid,
  priority: 100,
  advertIntervalMs: 1000,
  addresses: ['192.0.2.100'],
});
const packet = (data: Uint8Array): RawPacket => ({
  data: Buffer.from(data),
  src: '192.0.2.12',
  dst: '224.0.0.18',
  ttl: 255,
  ifindex: 2,
  truncated: false,
});
const wire = (vrid: number) => encodeAdvert(advert(vrid), { family: 4, src: '192.0.2.12', dst: '224.0.0.18' });

function setup() {
  const f = fakeNet();
  const metrics = new AgentMetrics({ defaultMetrics: false });
  const transport = new VrrpTransport(f.net, metrics, pino({ level: 'silent' }));
  const heard: string[] = [];
  const endpoint = (name: string, vrid: number, over: Partial<VrrpEndpoint> = {}): VrrpEndpoint => ({
    name,
    vrid,
    family: 4,
    ifname: 'eth0',
    src: '192.0.2.11',
    unicastPeers: [],
    auth: new AuthHmacEndpoint(null),
    onAdvert: (a) => heard.push(`${name} ${a.vrid}`),
    ...over,
  });
  const dropped = async (instance: string, reason: string) =>
    (await metrics.dropped.get()).values.find((v) => v.labels.instance === instance && v.labels.reason === reason)
      ?.value ?? 0;
  return { ...f, transport, heard, endpoint, dropped };
}

describe('VrrpTransport', () => {
  it('opens one socket per interface and family, shared by the instances on it', () => {
    const t = setup();
    t.transport.start([t.endpoint('A', 51), t.endpoint('B', 52), t.endpoint('C', 51, { ifname: 'eth1' })]);
    expect(t.opened.map((o) => `${o.ifname}/${o.family}`)).toEqual(['eth0/4', 'eth1/4']);
  });

  it('joins the multicast group when any instance on the socket is not unicast-only', () => {
    const t = setup();
    t.transport.start([
      t.endpoint('A', 51, { unicastPeers: ['192.0.2.12'] }),
      t.endpoint('B', 52),
      t.endpoint('C', 53, { ifname: 'eth1', unicastPeers: ['192.0.2.12'] }),
    ]);
    expect(t.opened.map((o) => o.multicast)).toEqual([true, false]);
  });

  it('hands each advert to the instance of its VRID only', () => {
    const t = setup();
    t.transport.start([t.endpoint('A', 51), t.endpoint('B', 52)]);
    t.deliver(10, packet(wire(52)));
    expect(t.heard).toEqual(['B 52']);
  });

  it('counts an advert for a VRID no instance runs as a vrid-mismatch drop', async () => {
    const t = setup();
    t.transport.start([t.endpoint('A', 51)]);
    t.deliver(10, packet(wire(99)));
    expect(t.heard).toEqual([]);
    expect(await t.dropped('A', 'vrid-mismatch')).toBe(1);
  });

  it("counts a packet the codec rejects under the codec's reason", async () => {
    const t = setup();
    t.transport.start([t.endpoint('A', 51)]);
    t.deliver(10, packet(wire(51).subarray(0, 6)));
    expect(await t.dropped('A', 'too-short')).toBe(1);
  });

  it('drops a unicast advert for a multicast instance as destination-mismatch, as keepalived', async () => {
    const t = setup();
    t.transport.start([t.endpoint('A', 51)]);
    const unicast = encodeAdvert(advert(51), { family: 4, src: '192.0.2.12', dst: '192.0.2.11' });
    t.deliver(10, { ...packet(unicast), dst: '192.0.2.11' });
    expect(t.heard).toEqual([]);
    expect(await t.dropped('A', 'destination-mismatch')).toBe(1);
  });

  it('drops a multicast advert for a unicast instance as destination-mismatch, and counts it for that instance only', async () => {
    const t = setup();
    t.transport.start([t.endpoint('A', 51, { unicastPeers: ['192.0.2.12'] }), t.endpoint('B', 52)]);
    t.deliver(10, packet(wire(51)));
    expect(t.heard).toEqual([]);
    expect(await t.dropped('A', 'destination-mismatch')).toBe(1);
    expect(await t.dropped('B', 'destination-mismatch')).toBe(0);
  });

  it("sends an instance's advert from its own source to each unicast peer", () => {
    const t = setup();
    t.transport.start([t.endpoint('A', 51, { src: '192.0.2.11', unicastPeers: ['192.0.2.12', '192.0.2.13'] })]);
    t.transport.send('A', advert(51));
    expect(t.sent).toEqual([
      { fd: 10, src: '192.0.2.11', dst: '192.0.2.12' },
      { fd: 10, src: '192.0.2.11', dst: '192.0.2.13' },
    ]);
  });

  it('refuses two instances with one VRID on one interface and family', () => {
    const t = setup();
    expect(() => t.transport.start([t.endpoint('A', 51), t.endpoint('B', 51)])).toThrow(/VRID 51 twice on eth0/);
  });

  it('closes every socket on stop', () => {
    const t = setup();
    t.transport.start([t.endpoint('A', 51), t.endpoint('B', 52, { family: 6, src: 'fe80::1' })]);
    t.transport.stop();
    expect(t.closed.sort()).toEqual([10, 11]);
  });

  describe('auth_hmac (keepalived 2.4)', () => {
    const hmac = (keyByte: number): AuthHmacConfig => ({
      keys: [{ id: 1, key: new Uint8Array(32).fill(keyByte) }],
      activeKey: 1,
      mode: 'enforce',
      antiReplay: 'time',
      timeWindowS: 5,
    });
    const ctx = { family: 4 as const, src: '192.0.2.12', dst: '224.0.0.18' };
    const signed = (keyByte: number) => {
      const s = new AuthHmacEndpoint(hmac(keyByte)).signing(Date.now())!;
      return signAdvert(wire(51), ctx, s.key, s.seq);
    };

    it('delivers an advert signed with a key the instance holds', () => {
      const t = setup();
      t.transport.start([t.endpoint('A', 51, { auth: new AuthHmacEndpoint(hmac(1)) })]);
      t.deliver(10, packet(signed(1)));
      expect(t.heard).toEqual(['A 51']);
    });

    it.each([
      ['an unsigned advert', () => wire(51), 'auth-missing'],
      ['an advert signed with another key', () => signed(2), 'auth-bad-hmac'],
    ])('drops and counts %s', async (_, bytes, reason) => {
      const t = setup();
      t.transport.start([t.endpoint('A', 51, { auth: new AuthHmacEndpoint(hmac(1)) })]);
      t.deliver(10, packet(bytes()));
      expect(t.heard).toEqual([]);
      expect(await t.dropped('A', reason)).toBe(1);
    });

    it('signs what it sends: 28 bytes longer than the message', () => {
      const t = setup();
      const bytes: number[] = [];
      const net = t.net as unknown as { sendVrrp: (...a: unknown[]) => void };
      net.sendVrrp = (...a: unknown[]) => bytes.push((a[5] as Buffer).length);
      t.transport.start([t.endpoint('A', 51, { auth: new AuthHmacEndpoint(hmac(1)) })]);
      t.transport.send('A', advert(51));
      expect(bytes).toEqual([wire(51).length + 28]);
    });
  });
});
