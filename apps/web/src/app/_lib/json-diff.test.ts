import { describe, expect, it } from 'vitest';
import { jsonDiff, leafText } from './json-diff';

describe('jsonDiff', () => {
  it('lists only the leaves that changed, with their paths', () => {
    const before = { pool: { name: 'webs', servers: [{ address: '203.0.113.21', weight: 1 }] }, version: 1 };
    const after = {
      pool: {
        name: 'webs',
        servers: [
          { address: '203.0.113.21', weight: 3 },
          { address: '203.0.113.23', weight: 1 },
        ],
      },
      version: 2,
    };
    expect(jsonDiff(before, after)).toEqual([
      { kind: 'changed', path: 'pool.servers.0.weight', before: 1, after: 3 },
      { kind: 'added', path: 'pool.servers.1.address', after: '203.0.113.23' },
      { kind: 'added', path: 'pool.servers.1.weight', after: 1 },
      { kind: 'changed', path: 'version', before: 1, after: 2 },
    ]);
  });

  it('shows a create as every leaf added and a delete as every leaf removed', () => {
    expect(jsonDiff(null, { username: 'vera', role: 'viewer' })).toEqual([
      { kind: 'added', path: 'username', after: 'vera' },
      { kind: 'added', path: 'role', after: 'viewer' },
    ]);
    expect(jsonDiff({ name: 'edge' }, null)).toEqual([{ kind: 'removed', path: 'name', before: 'edge' }]);
  });

  it('keeps an emptied list visible as a change of that list', () => {
    expect(jsonDiff({ addresses: ['192.0.2.1'] }, { addresses: [] })).toEqual([
      { kind: 'added', path: 'addresses', after: [] },
      { kind: 'removed', path: 'addresses.0', before: '192.0.2.1' },
    ]);
  });

  it('finds nothing between equal values', () => {
    expect(jsonDiff({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toEqual([]);
  });

  it('prints strings bare and other leaves as JSON', () => {
    expect([leafText('lb1'), leafText(3), leafText(null), leafText([]), leafText(undefined)]).toEqual([
      'lb1',
      '3',
      'null',
      '[]',
      '—',
    ]);
  });
});
