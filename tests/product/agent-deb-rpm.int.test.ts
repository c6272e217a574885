import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageAgent } from './package-agent.js';
import { HOST_FLOOR, compareVersions, maxGlibc, newerThanFloor } from '../../scripts/package-agent/elf.mjs';
import { AGENT_VERSION as VERSION, REPO } from '../support/repo.js';

const exec = promisify(execFile);
const DEB = join(REPO, `dist/keepwatch-agent_${VERSION}-1_amd64.deb`);
const RPM = join(REPO, `dist/keepwatch-agent-${VERSION}-1.x86_64.rpm`);
const OVERRIDES = join(REPO, 'apps/agent/packaging/deb/lintian-overrides');

const run = async (cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> =>
  (await exec(cmd, args, { maxBuffer: 64 << 20, encoding: 'utf8', ...opts })).stdout;

/** `dpkg-deb -c` without the ./ prefix and trailing slashes: what the package puts on the host. */
async function debContents(deb: string): Promise<Map<string, { mode: string; owner: string }>> {
  const text = await run('dpkg-deb', ['-c', deb]);
  return new Map(
    text
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/))
      .map((f) => [f[5]!.replace(/^\./, '').replace(/\/$/, '') || '/', { mode: f[0]!, owner: f[1]! }] as const),
  );
}

/**
 * `npm run package:agent` builds the agent's .deb and .rpm around its single executable. Checked
 * here without installing anything on this machine: the files and their modes, Depends, the
 * conffile, lintian (no error or warning; every override carries a written reason), the RPM's
 * file list and scriptlets, and that the executable in both needs no glibc newer than RHEL 8's
 * 2.28. Installing, upgrading and purging are tests/systemd/agent-deb-install.int.test.ts.
 */
describe('agent .deb and .rpm packages', () => {
  let work = '';
  let lintian: Promise<string> = Promise.resolve('');

  beforeAll(async () => {
    await packageAgent(600_000);
    work = mkdtempSync(join(tmpdir(), 'keepwatch-debrpm-'));
    // lintian takes ~40 s on the 120 MiB executable, one core: started here, it runs while the
    // other checks use the second. It exits non-zero when it reports an error; its output is
    // what is checked, in its own test.
    lintian = exec('lintian', ['--tag-display-limit', '0', DEB], { maxBuffer: 16 << 20 }).then(
      (r) => r.stdout,
      (e: { stdout?: string }) => e.stdout ?? '',
    );
  }, 660_000);

  afterAll(async () => {
    await lintian;
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('package:agent writes both packages into dist/ beside the executable', () => {
    for (const p of [DEB, RPM]) expect(existsSync(p), p).toBe(true);
    // Package sizes, for the closing note of the issue.
    console.log(
      `package sizes: ${[DEB, RPM].map((p) => `${p.split('/').at(-1)} ${(statSync(p).size / 1e6).toFixed(1)} MB`).join(', ')}`,
    );
  });

  it('the .deb installs the executable, the units running it from /usr/bin, the example config, the man page and the Debian docs, all root-owned', async () => {
    const files = await debContents(DEB);
    expect([...files.keys()].filter((f) => !files.get(f)!.mode.startsWith('d')).sort()).toEqual(
      [
        '/etc/keepwatch/agent.json.example',
        '/lib/systemd/system/keepwatch-agent-cleanup.service',
        '/lib/systemd/system/keepwatch-agent.service',
        '/usr/bin/keepwatch-agent',
        '/usr/share/doc/keepwatch-agent/changelog.Debian.gz',
        '/usr/share/doc/keepwatch-agent/copyright',
        '/usr/share/lintian/overrides/keepwatch-agent',
        '/usr/share/man/man1/keepwatch-agent.1.gz',
      ].sort(),
    );
    expect(files.get('/usr/bin/keepwatch-agent')).toEqual({ mode: '-rwxr-xr-x', owner: 'root/root' });
    expect(new Set([...files.values()].map((f) => f.owner))).toEqual(new Set(['root/root']));

    await run('dpkg-deb', ['-x', DEB, join(work, 'deb')]);
    for (const unit of ['keepwatch-agent.service', 'keepwatch-agent-cleanup.service']) {
      const text = readFileSync(join(work, 'deb/lib/systemd/system', unit), 'utf8');
      const execStart = text.split('\n').filter((l) => l.startsWith('ExecStart='));
      expect(execStart.length, unit).toBe(1);
      expect(execStart[0], unit).toMatch(/^ExecStart=\/usr\/bin\/keepwatch-agent /);
    }
    // The executable in the package is the one package:agent built, unchanged (not stripped again).
    const built = join(REPO, `dist/keepwatch-agent-${VERSION}-linux-x64`);
    expect(readFileSync(join(work, 'deb/usr/bin/keepwatch-agent')).equals(readFileSync(built))).toBe(true);
  });

  it("the .deb's control data: its version, Depends from the executable's ELF needs (libc6 >= 2.28), nginx recommended, the example config a conffile, the three maintainer scripts", async () => {
    const field = async (f: string) => (await run('dpkg-deb', ['-f', DEB, f])).trim();
    expect(await field('Package')).toBe('keepwatch-agent');
    expect(await field('Version')).toBe(`${VERSION}-1`);
    expect(await field('Architecture')).toBe('amd64');
    const depends = (await field('Depends')).split(', ');
    expect(depends).toContain('libc6 (>= 2.28)');
    expect(depends).toEqual(expect.arrayContaining(['adduser', 'iproute2']));
    expect(await field('Recommends')).toBe('nginx');
    await run('dpkg-deb', ['-e', DEB, join(work, 'control')]);
    expect(readFileSync(join(work, 'control/conffiles'), 'utf8')).toBe('/etc/keepwatch/agent.json.example\n');
    for (const s of ['postinst', 'prerm', 'postrm']) {
      expect(statSync(join(work, 'control', s)).mode & 0o777, s).toBe(0o755);
      await run('sh', ['-n', join(work, 'control', s)]);
    }
  });

  it('lintian finds no error and no warning in the .deb, and every override says why', async () => {
    const out = await lintian;
    const problems = out.split('\n').filter((l) => /^[EW]: /.test(l));
    console.log(`lintian: ${problems.length} errors/warnings${out.trim() ? `\n${out.trim()}` : ''}`);
    expect(problems).toEqual([]);
    // Each override line follows a comment block giving its reason.
    const lines = readFileSync(OVERRIDES, 'utf8').split('\n');
    lines.forEach((l, i) => {
      if (l.startsWith('keepwatch-agent:')) expect(lines[i - 1] ?? '', `reason for "${l}"`).toMatch(/^# \S/);
    });
  });

  it('rpm -qpl lists the executable, the units, the config directory and the license; the example config is %config(noreplace)', async () => {
    const files = (await run('rpm', ['-qpl', RPM])).trim().split('\n');
    expect(files.sort()).toEqual(
      [
        '/etc/keepwatch',
        '/etc/keepwatch/agent.json.example',
        '/usr/bin/keepwatch-agent',
        '/usr/lib/systemd/system/keepwatch-agent-cleanup.service',
        '/usr/lib/systemd/system/keepwatch-agent.service',
        '/usr/share/licenses/keepwatch-agent',
        '/usr/share/licenses/keepwatch-agent/copyright',
        '/usr/share/man/man1/keepwatch-agent.1.gz',
      ].sort(),
    );
    expect((await run('rpm', ['-qpc', RPM])).trim()).toBe('/etc/keepwatch/agent.json.example');
    // c = %config, n = noreplace: an edited example survives an upgrade.
    const flags = await run('rpm', ['-qp', '--queryformat', '[%{FILEFLAGS:fflags} %{FILENAMES}\n]', RPM]);
    expect(flags).toContain('cn /etc/keepwatch/agent.json.example\n');
    const info = await run('rpm', ['-qp', '--queryformat', '%{NAME} %{VERSION} %{RELEASE} %{ARCH}', RPM]);
    expect(info).toBe(`keepwatch-agent ${VERSION} 1 x86_64`);
  });

  it('rpm -qp --scripts shows the written-out scriptlets: the user made, the unit enabled, no start without a config, a warm restart on upgrade, stop only on erase', async () => {
    const text = await run('rpm', ['-qp', '--scripts', RPM]);
    const part = (name: string) => {
      const m = new RegExp(
        `^${name} scriptlet \\(using /bin/sh\\):\\n([\\s\\S]*?)(?=^\\w+ scriptlet|$(?![\\s\\S]))`,
        'm',
      ).exec(text);
      expect(m, `${name} scriptlet`).not.toBeNull();
      return m![1]!;
    };
    expect(part('preinstall')).toContain('useradd -r -g keepwatch-script');
    const post = part('postinstall');
    expect(post).toContain('systemctl --no-reload enable keepwatch-agent.service');
    expect(post).toMatch(
      /if \[ -f \/etc\/keepwatch\/agent\.json \]; then[\s\S]*systemctl start keepwatch-agent\.service/,
    );
    expect(post).toContain('systemctl kill --kill-whom=main --signal=SIGKILL keepwatch-agent.service');
    const preun = part('preuninstall');
    expect(preun).toMatch(/if \[ \$1 -eq 0 \]; then[\s\S]*systemctl stop keepwatch-agent\.service/);
    expect(part('postuninstall')).toMatch(/if \[ \$1 -eq 0 \]; then[\s\S]*userdel keepwatch-script/);
    // Written out, not macros: no unexpanded %systemd_* left in them.
    expect(text).not.toMatch(/%\{?systemd_/);
  });

  it("the executable in both packages needs no glibc newer than RHEL 8's 2.28, and the RPM requires no newer GLIBC symbol version", async () => {
    mkdirSync(join(work, 'rpm'), { recursive: true });
    // rpm2archive (Debian's rpm package) turns the payload into a tar: no cpio needed. Uncompressed
    // (-n): gzipping 120 MiB only for tar to unzip it again took 11 of the 15 s.
    await run('sh', ['-c', 'rpm2archive -n - < "$1" | tar -x', 'sh', RPM], { cwd: join(work, 'rpm') });
    if (!existsSync(join(work, 'deb'))) await run('dpkg-deb', ['-x', DEB, join(work, 'deb')]);
    for (const exe of [join(work, 'rpm/usr/bin/keepwatch-agent'), join(work, 'deb/usr/bin/keepwatch-agent')]) {
      const glibc = maxGlibc(exe);
      expect(glibc, exe).not.toBeNull();
      expect(compareVersions(glibc!, HOST_FLOOR.GLIBC), `${exe} needs GLIBC_${glibc}`).toBeLessThanOrEqual(0);
      expect(newerThanFloor(exe)).toEqual([]);
    }
    const requires = (await run('rpm', ['-qpR', RPM])).split('\n');
    const glibcs = requires.flatMap((r) => /^libc\.so\.6\(GLIBC_([0-9.]+)\)/.exec(r)?.[1] ?? []);
    expect(glibcs.length).toBeGreaterThan(0);
    expect(glibcs.filter((v) => compareVersions(v, '2.28') > 0)).toEqual([]);
  });
});
