import { describe, expect, it } from 'vitest';
import { AgentConfigSchema, type AgentConfig, type HealthCheck } from '@keepwatch/shared';
import { insecurePathReason, scriptPolicyViolations, type FileMeta, type PolicyLookups } from './script-policy.js';

const rootDir: FileMeta = { uid: 0, gid: 0, mode: 0o40755 };
const rootFile: FileMeta = { uid: 0, gid: 0, mode: 0o100755 };
/** A tree: the script dirs root-owned, /tmp world-writable, /home/ops owned by uid 1000. */
const tree: Record<string, FileMeta> = {
  '/': rootDir,
  '/etc': rootDir,
  '/etc/keepwatch': rootDir,
  '/etc/keepwatch/scripts': rootDir,
  '/etc/keepwatch/scripts/check_app.sh': rootFile,
  '/etc/keepwatch/scripts/group-writable.sh': { uid: 0, gid: 1000, mode: 0o100775 },
  '/tmp': { uid: 0, gid: 0, mode: 0o41777 },
  '/tmp/x.sh': rootFile,
  '/bin': rootDir,
  '/bin/sh': rootFile,
};
const users: Record<string, number> = { root: 0, 'keepwatch-script': 998, ops: 1000 };
const lookups: PolicyLookups = { stat: (p) => tree[p] ?? null, uid: (u) => users[u] ?? null };

const cfg = (over: Record<string, unknown> = {}): AgentConfig =>
  AgentConfigSchema.parse({ node: 'lb1', controlPlane: { url: 'ws://127.0.0.1:3000/agent' }, scripts: {}, ...over });
const script = (command: { argv: string[] } | { shell: string }, user?: string): HealthCheck =>
  ({
    kind: 'script',
    name: 'chk',
    intervalMs: 1000,
    fall: 1,
    rise: 1,
    initFail: false,
    command,
    ...(user ? { user: { user } } : {}),
  }) as HealthCheck;
const check = (c: HealthCheck, over: Record<string, unknown> = {}) => scriptPolicyViolations([c], cfg(over), lookups);

describe('script policy (the host bounds what the dashboard can run)', () => {
  it('allows a root-owned script in an allowed directory, run as keepwatch-script by default', () => {
    expect(check(script({ argv: ['/etc/keepwatch/scripts/check_app.sh', '--quick'] }))).toEqual([]);
  });

  it.each([
    ['a shell line', script({ shell: 'curl -fs http://127.0.0.1/ || exit 1' }), 'scripts.allowShell false'],
    ['a shell run with -c in argv', script({ argv: ['/bin/sh', '-c', 'id'] }), 'scripts.allowShell false'],
    [
      'a program outside the allowed directories',
      script({ argv: ['/tmp/x.sh'] }),
      "outside this host's scripts.allowedDirs",
    ],
    [
      'a path escaping an allowed directory with ..',
      script({ argv: ['/etc/keepwatch/scripts/../../../tmp/x.sh'] }),
      'outside',
    ],
    [
      'a group-writable script (enable_script_security)',
      script({ argv: ['/etc/keepwatch/scripts/group-writable.sh'] }),
      'writable by group 1000',
    ],
    ['a script that does not exist', script({ argv: ['/etc/keepwatch/scripts/missing.sh'] }), 'does not exist'],
    [
      'a check asking to run as root',
      script({ argv: ['/etc/keepwatch/scripts/check_app.sh'] }, 'root'),
      'scripts.allowRoot false',
    ],
    [
      'a user the host lacks',
      script({ argv: ['/etc/keepwatch/scripts/check_app.sh'] }, 'nobody-here'),
      'does not exist on this host',
    ],
  ])('refuses %s, naming the check and the policy field', (_name, c, why) => {
    const v = check(c);
    expect(v.length).toBeGreaterThan(0);
    expect(v.join('\n')).toContain('check "chk"');
    expect(v.join('\n')).toContain(why);
  });

  it('lets the host allow shell lines and root explicitly', () => {
    const open = { scripts: { allowShell: true, allowRoot: true, allowedDirs: ['/etc/keepwatch/scripts'] } };
    expect(check(script({ shell: 'exit 0' }, 'root'), open)).toEqual([]);
  });

  it('bounds nothing when the config has no policy (a config from before 0.3: the agent warns at start)', () => {
    const legacy = AgentConfigSchema.parse({ node: 'lb1', controlPlane: { url: 'ws://127.0.0.1:3000/agent' } });
    expect(scriptPolicyViolations([script({ shell: 'rm -rf /' }, 'root')], legacy, lookups)).toEqual([]);
  });

  it('checks every directory up to / (keepalived enable_script_security)', () => {
    expect(insecurePathReason('/etc/keepwatch/scripts/check_app.sh', lookups.stat)).toBeNull();
    expect(insecurePathReason('/tmp/x.sh', lookups.stat)).toBe('/tmp is writable by everyone');
  });
});
