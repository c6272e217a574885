import { describe, expect, it } from 'vitest';
import { members, parseListen, parseLocation, parseServer, parseVip, specDiffLines } from './object-drafts';

describe('the create forms’ lines', () => {
  it('reads a server line with a weight, an IPv6 server in brackets, and defaults the port to 80', () => {
    expect(parseServer('203.0.113.21:8080 2')).toEqual({
      address: '203.0.113.21',
      port: 8080,
      weight: 2,
      backup: false,
      down: false,
    });
    expect(parseServer('[2001:db8::1]:80')).toMatchObject({ address: '2001:db8::1', port: 80 });
    expect(parseServer('203.0.113.22')).toMatchObject({ address: '203.0.113.22', port: 80 });
  });

  it('passes a port that is not a number on as typed, so the server names the field', () => {
    expect(parseServer('203.0.113.21:http').port).toBe('http');
    expect(parseListen('eighty').port).toBe('eighty');
  });

  it('reads a listen line as a port alone or an address and port', () => {
    expect(parseListen('8080')).toEqual({ port: 8080, defaultServer: false });
    expect(parseListen('198.51.100.100:80')).toEqual({
      address: '198.51.100.100',
      port: 80,
      defaultServer: false,
    });
  });

  it('reads a location line as a path and a pool', () => {
    expect(parseLocation('/api webs')).toEqual({ path: '/api', pool: 'webs', headers: [] });
  });

  it('reads a VIP line with a prefix and a device', () => {
    expect(parseVip('192.0.2.10/32 dev eth1')).toEqual({ address: '192.0.2.10', prefix: 32, dev: 'eth1' });
    expect(parseVip('2001:db8::10')).toEqual({ address: '2001:db8::10' });
  });
});

describe('members of a new instance', () => {
  it('leaves out a node without a priority and starts the first highest one as master', () => {
    expect(members(['lb1', 'lb2', 'lb3'], ['90', '', '100']).map((m) => [m.node, m.priority, m.initialState])).toEqual([
      ['lb1', 90, 'backup'],
      ['lb3', 100, 'master'],
    ]);
    expect(members(['lb1', 'lb2'], ['100', '100']).map((m) => m.initialState)).toEqual(['master', 'backup']);
  });
});

describe('specDiffLines', () => {
  it('lists every leaf of a new object as added and of a deleted one as removed, under its field', () => {
    const pool = { name: 'apis', servers: [{ address: '203.0.113.31', port: 8080 }] };
    expect(specDiffLines('pool', null, pool)).toEqual([
      '+ pool.name: apis',
      '+ pool.servers.0.address: 203.0.113.31',
      '+ pool.servers.0.port: 8080',
    ]);
    expect(specDiffLines('pool', pool, null)[0]).toBe('- pool.name: apis');
  });
});
