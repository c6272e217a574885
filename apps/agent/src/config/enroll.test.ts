import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { enrollmentConfig, writeEnrollment } from './enroll.js';
import { ConfigError } from './load.js';

const E = { node: 'lb1', server: 'wss://keepwatch.example/agent', token: 'kwe_0123456789abcdef' };
let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'kw-enroll-'));
  dirs.push(d);
  return d;
};

describe('enroll', () => {
  it('writes a new configuration with the node, the dashboard, the token and the default script policy, mode 0600', () => {
    const file = join(tmp(), 'keepwatch', 'agent.json');
    writeEnrollment(file, E);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      scripts: {},
      node: 'lb1',
      controlPlane: { url: 'wss://keepwatch.example/agent', enrollToken: 'kwe_0123456789abcdef' },
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps the settings already in the file', () => {
    const file = join(tmp(), 'agent.json');
    writeFileSync(
      file,
      JSON.stringify({ node: 'old', nginx: { binary: '/usr/local/sbin/nginx' }, stateDir: '/srv/kw' }),
    );
    writeEnrollment(file, E);
    const out = JSON.parse(readFileSync(file, 'utf8'));
    expect(out.nginx).toEqual({ binary: '/usr/local/sbin/nginx' });
    expect(out.stateDir).toBe('/srv/kw');
    expect(out.node).toBe('lb1');
  });

  it.each([
    { field: 'node', e: { ...E, node: 'lb 1;' } },
    { field: 'controlPlane.url', e: { ...E, server: 'http://keepwatch.example' } },
    { field: 'controlPlane.enrollToken', e: { ...E, token: 'short' } },
  ])('refuses a bad $field, naming it, and writes nothing', ({ field, e }) => {
    const file = join(tmp(), 'agent.json');
    expect(() => writeEnrollment(file, e)).toThrow(ConfigError);
    try {
      enrollmentConfig(file, null, e);
    } catch (err) {
      expect((err as ConfigError).problems.join('\n')).toContain(field);
    }
    expect(() => statSync(file)).toThrow();
  });

  it('refuses to overwrite a file that is not JSON', () => {
    const file = join(tmp(), 'agent.json');
    writeFileSync(file, 'node = lb1\n');
    expect(() => writeEnrollment(file, E)).toThrow(/not valid JSON/);
    expect(readFileSync(file, 'utf8')).toBe('node = lb1\n');
  });
});
