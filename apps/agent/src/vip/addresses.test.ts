import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { InterfaceAddress } from '../transport/native.js';
import { VipActuator, type AddressNet, type Vip } from './addresses.js';
import { primaryAddressOf } from './primary-address.js';

const { EADDRNOTAVAIL, EPERM } = constants.errno;
const vip4: Vip = { address: '198.51.100.100', prefix: 32, dev: 'eth0', family: 4 };
const vip6: Vip = { address: '2001:db8::100', prefix: 128, dev: 'eth0', family: 6 };

function fakeNet(addrs: InterfaceAddress[] = [], answer = 0) {
  const calls: unknown[][] = [];
  const net: AddressNet = {
    interfaceInfo: (name) => {
      if (name !== 'eth0') throw new Error(`no ${name}`);
      return { index: 2, mac: '00:00:5e:00:01:01', up: true };
    },
    addrChange: (...args) => {
      calls.push(args);
      return answer;
    },
    addrList: (family) => addrs.filter((a) => family === 0 || a.family === family),
  };
  return { net, calls };
}

const a = (address: string, family: 4 | 6, scope: InterfaceAddress['scope']): InterfaceAddress => ({
  family,
  address,
  prefix: family === 4 ? 24 : 64,
  scope,
  secondary: false,
});

describe('VipActuator (VIPs through rtnetlink)', () => {
  it('adds an IPv4 VIP by index, and an IPv6 one nodad', async () => {
    const { net, calls } = fakeNet();
    await new VipActuator(net).add([vip4, vip6]);
    expect(calls).toEqual([
      [true, 4, 2, '198.51.100.100', 32, false],
      [true, 6, 2, '2001:db8::100', 128, true],
    ]);
  });

  it("names the address and the kernel's error when an add fails", async () => {
    const { net } = fakeNet([], EPERM);
    await expect(new VipActuator(net).add([vip4])).rejects.toThrow('add 198.51.100.100/32 on eth0: EPERM');
  });

  it('refuses an add on an interface that does not exist', async () => {
    const { net } = fakeNet();
    await expect(new VipActuator(net).add([{ ...vip4, dev: 'eth9' }])).rejects.toThrow('eth9 does not exist');
  });

  it('removing a VIP that is not there, or whose interface is gone, is not an error', async () => {
    const { net } = fakeNet([], EADDRNOTAVAIL);
    await new VipActuator(net).remove([vip4, { ...vip4, dev: 'eth9' }]);
  });

  it('reports the VIPs the interface holds', async () => {
    const { net } = fakeNet([a('192.0.2.11', 4, 'global'), a('2001:DB8::100', 6, 'global')]);
    expect(await new VipActuator(net).present([vip4, vip6, { ...vip4, dev: 'eth9' }])).toEqual([vip6]);
  });
});

describe('primaryAddressOf (where adverts come from, RFC 5798 5.1.1.1 / 5.1.2.1)', () => {
  const addrs = [a('198.51.100.100', 4, 'global'), a('192.0.2.11', 4, 'global'), a('fe80::11', 6, 'link')];

  it('takes the first global IPv4 address that is not a VIP', async () => {
    const { net } = fakeNet(addrs);
    expect(await primaryAddressOf(net)('eth0', 4, ['198.51.100.100'])).toBe('192.0.2.11');
  });

  it('takes the IPv6 link-local address', async () => {
    const { net } = fakeNet(addrs);
    expect(await primaryAddressOf(net)('eth0', 6, [])).toBe('fe80::11');
  });

  it('says what to set when there is none', async () => {
    const { net } = fakeNet([a('fe80::11', 6, 'link')]);
    await expect(primaryAddressOf(net)('eth0', 4, [])).rejects.toThrow('set unicastSrcIp');
  });
});
