import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// scripts/setup.sh in every starting state, without touching the host: KEEPWATCH_SETUP_ROOT stands
// for `/` (the binaries it looks for, /usr/sbin/policy-rc.d), and recording stand-ins for apt-get,
// dpkg-query, service and id come first in PATH. The stand-in apt-get "installs" a package by
// creating the binaries setup.sh checks for, and can be told to fail.

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const script = join(repo, 'scripts/setup.sh');

/** The NEED table of setup.sh: path checked → Debian package. */
function needTable(): Map<string, string> {
  const text = readFileSync(script, 'utf8');
  const table = new Map<string, string>();
  for (const m of text.matchAll(/^\s*\[(\/[^\]]+)\]=([a-z0-9+.-]+)/gm)) table.set(m[1]!, m[2]!);
  return table;
}

const NEED = needTable();
const PACKAGES = [...new Set(NEED.values())].sort();

const STUBS: Record<string, string> = {
  // Installed = listed in $FAKE/dpkg-installed.
  'dpkg-query': `#!/bin/sh
pkg=$(eval echo \\$$#)
if grep -qx "$pkg" "$FAKE/dpkg-installed" 2>/dev/null; then printf 'install ok installed'; exit 0; fi
echo "dpkg-query: no packages found matching $pkg" >&2; exit 1
`,
  'apt-get': `#!/bin/bash
echo "apt-get $*" >> "$FAKE/apt-log"
[ "$1" = update ] && exit 0
if [ -e "$KEEPWATCH_SETUP_ROOT/usr/sbin/policy-rc.d" ]; then echo present > "$FAKE/policy-during-install"; fi
[ -n "\${FAIL_APT:-}" ] && { echo "E: Unable to locate package" >&2; exit 100; }
for pkg in "$@"; do
  case "$pkg" in -*) continue ;; install) continue ;; esac
  grep -E "=$pkg\\$" "$FAKE/need" | cut -d= -f1 | while read -r p; do
    mkdir -p "$(dirname "$KEEPWATCH_SETUP_ROOT$p")"; printf '#!/bin/sh\\n' > "$KEEPWATCH_SETUP_ROOT$p"; chmod +x "$KEEPWATCH_SETUP_ROOT$p"
  done
  echo "$pkg" >> "$FAKE/dpkg-installed"
  # iputils-arping conflicts with arping: apt removes the latter.
  if [ "$pkg" = iputils-arping ]; then sed -i '/^arping$/d' "$FAKE/dpkg-installed"; fi
done
`,
  service: `#!/bin/sh
echo "service $*" >> "$FAKE/service-log"
`,
  id: `#!/bin/sh
echo "\${FAKE_UID:-0}"
`,
};

type Run = {
  status: number | null;
  stdout: string;
  stderr: string;
  aptCalls: string[];
  installed: string[];
  policyDuringInstall: boolean;
};

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function fakeHost(o: { present?: string[]; policy?: string }): { root: string; fake: string } {
  const top = mkdtempSync(join(tmpdir(), 'kw-setup-'));
  dirs.push(top);
  const root = join(top, 'root');
  const fake = join(top, 'fake');
  const bin = join(fake, 'bin');
  mkdirSync(bin, { recursive: true });
  mkdirSync(root, { recursive: true });
  for (const [name, text] of Object.entries(STUBS)) {
    writeFileSync(join(bin, name), text);
    chmodSync(join(bin, name), 0o755);
  }
  writeFileSync(join(fake, 'need'), [...NEED].map(([p, k]) => `${p}=${k}`).join('\n') + '\n');
  writeFileSync(join(fake, 'dpkg-installed'), '');
  for (const pkg of o.present ?? []) {
    for (const [path, p] of NEED) {
      if (p !== pkg) continue;
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), '#!/bin/sh\n');
      chmodSync(join(root, path), 0o755);
    }
  }
  if (o.policy !== undefined) {
    mkdirSync(join(root, 'usr/sbin'), { recursive: true });
    writeFileSync(join(root, 'usr/sbin/policy-rc.d'), o.policy);
    chmodSync(join(root, 'usr/sbin/policy-rc.d'), 0o755);
  }
  return { root, fake };
}

function runSetup(host: { root: string; fake: string }, env: Record<string, string> = {}): Run {
  const r = spawnSync('bash', [script], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: `${join(host.fake, 'bin')}:/usr/bin:/bin`,
      KEEPWATCH_SETUP_ROOT: host.root,
      FAKE: host.fake,
      ...env,
    },
  });
  const read = (f: string) => (existsSync(join(host.fake, f)) ? readFileSync(join(host.fake, f), 'utf8') : '');
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    aptCalls: read('apt-log').split('\n').filter(Boolean),
    installed: read('dpkg-installed').split('\n').filter(Boolean).sort(),
    policyDuringInstall: existsSync(join(host.fake, 'policy-during-install')),
  };
}

const installArgs = (pkgs: string[]) => `apt-get install -y -qq --no-install-recommends ${[...pkgs].sort().join(' ')}`;
const DOCKER_POLICY = '#!/bin/sh\n# the image ships this\nexit 101\n';
const allBut = (...pkgs: string[]) => PACKAGES.filter((p) => !pkgs.includes(p));

describe('scripts/setup.sh', () => {
  it('reads a non-trivial table of what it needs', () => {
    expect(PACKAGES).toEqual(
      expect.arrayContaining(['nginx', 'keepalived', 'postgresql', 'chromium', 'lintian', 'rpm']),
    );
  });

  it('exits 0 and installs nothing when nothing is missing', () => {
    const r = runSetup(fakeHost({ present: PACKAGES }));
    expect(r.status).toBe(0);
    expect(r.aptCalls).toEqual([]);
    expect(r.stdout + r.stderr).toBe('');
  });

  it.each([
    { state: 'one package missing', missing: ['nginx'] },
    { state: 'several packages missing', missing: ['keepalived', 'nginx', 'tcpdump'] },
    { state: 'every package missing', missing: PACKAGES },
  ])('installs exactly what is missing and exits 0 with $state, no policy-rc.d before', ({ missing }) => {
    const host = fakeHost({ present: allBut(...missing) });
    const r = runSetup(host);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.aptCalls).toEqual(['apt-get update -qq', installArgs(missing)]);
    expect(r.stdout).toContain(`setup: installed ${[...missing].sort().join(' ')}`);
  });

  it('keeps services from starting during the install with a policy-rc.d it removes afterwards', () => {
    const host = fakeHost({ present: allBut('nginx') });
    const r = runSetup(host);
    expect(r.status).toBe(0);
    expect(r.policyDuringInstall).toBe(true);
    expect(existsSync(join(host.root, 'usr/sbin/policy-rc.d'))).toBe(false);
  });

  it.each([
    { state: 'one package missing', missing: ['nginx'] },
    { state: 'every package missing', missing: PACKAGES },
  ])('exits 0 with $state when policy-rc.d was there before, and leaves it as it was', ({ missing }) => {
    const host = fakeHost({ present: allBut(...missing), policy: DOCKER_POLICY });
    const policy = join(host.root, 'usr/sbin/policy-rc.d');
    const before = statSync(policy);
    const r = runSetup(host);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.aptCalls).toEqual(['apt-get update -qq', installArgs(missing)]);
    expect(readFileSync(policy, 'utf8')).toBe(DOCKER_POLICY);
    expect(statSync(policy).mtimeMs).toBe(before.mtimeMs);
  });

  it('exits 0 with nothing to do when policy-rc.d was there before', () => {
    const host = fakeHost({ present: PACKAGES, policy: DOCKER_POLICY });
    const r = runSetup(host);
    expect(r.status).toBe(0);
    expect(readFileSync(join(host.root, 'usr/sbin/policy-rc.d'), 'utf8')).toBe(DOCKER_POLICY);
  });

  it('exits 1 naming the packages when apt-get fails, and removes the policy-rc.d it created', () => {
    const host = fakeHost({ present: allBut('keepalived', 'nginx') });
    const r = runSetup(host, { FAIL_APT: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('setup: could not install: keepalived nginx');
    expect(existsSync(join(host.root, 'usr/sbin/policy-rc.d'))).toBe(false);
  });

  it('exits 1 naming the packages and installs nothing when not root', () => {
    const host = fakeHost({ present: allBut('keepalived', 'nginx') });
    const r = runSetup(host, { FAKE_UID: '1000' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('setup: these Debian packages are missing: keepalived nginx');
    expect(r.aptCalls).toEqual([]);
  });

  it("exits 0 when not root and nothing is missing (a user's npm start on a prepared machine)", () => {
    const r = runSetup(fakeHost({ present: PACKAGES }), { FAKE_UID: '1000' });
    expect(r.status).toBe(0);
  });

  it("replaces Debian's conflicting arping package with iputils-arping", () => {
    const host = fakeHost({ present: PACKAGES });
    writeFileSync(join(host.fake, 'dpkg-installed'), 'arping\n');
    const r = runSetup(host);
    expect(r.stderr).toContain("Debian's 'arping' package is installed");
    expect(r.aptCalls).toEqual(['apt-get update -qq', installArgs(['iputils-arping'])]);
    expect(r.status).toBe(0);
  });
});
