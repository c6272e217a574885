import { describe, expect, it } from 'vitest';
import { versionSkew } from './version-skew';

describe('versionSkew', () => {
  it.each([
    ['0.1.0', '0.1.0', 'same'],
    ['0.0.9', '0.1.0', 'older'],
    ['0.1.0', '0.2.0', 'older'],
    ['0.9.0', '1.0.0', 'older'],
    ['0.1.1', '0.1.0', 'newer'],
    ['0.10.0', '0.9.0', 'newer'],
    ['0.1.0+g49436f2', '0.1.0', 'same'],
    ['dev', '0.1.0', 'unknown'],
    [null, '0.1.0', 'unknown'],
  ] as const)('agent %s beside dashboard %s is %s', (agent, dashboard, skew) => {
    expect(versionSkew(agent, dashboard)).toBe(skew);
  });
});
