#!/usr/bin/env node
// keepwatch-agent_<version>-<revision>_amd64.deb from the self-contained executable, with
// dpkg-deb --root-owner-group (no fakeroot, no debhelper). What goes where: layout.mjs.
//
//   node scripts/package-agent/deb.mjs [--executable FILE] [--version V] [--revision R] [--out DIR]
//
// Defaults: the executable dist/keepwatch-agent-<version>-linux-x64, the agent's version, revision
// 1, dist/. Prints the package's path. Depends: computed from the executable's ELF needs
// (libc6 (>= 2.28) …, see elfDepends), plus adduser (postinst) and iproute2 (the agent runs `ip`);
// nginx is Recommends: a VRRP-only cluster runs without it. Maintainer scripts, copyright, man
// page, example config and lintian overrides: apps/agent/packaging/deb/.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  DESCRIPTION,
  FORMATS,
  MAINTAINER,
  PACKAGE,
  SUMMARY,
  fail,
  filesBelow,
  packageCommand,
  stagePackage,
  withoutGzipTime,
} from './layout.mjs';
import { compareVersions, requiredVersions } from './elf.mjs';

const DEB = FORMATS.deb.dir;

// The first GCC release (= Debian's libstdc++6 upstream version) that provides each symbol version.
const GCC_FOR = {
  GLIBCXX: { '3.4.21': '5', '3.4.22': '6', '3.4.23': '7', '3.4.24': '7', '3.4.25': '8', '3.4.26': '9' },
  CXXABI: { '1.3.9': '5', '1.3.10': '6', '1.3.11': '7', '1.3.12': '9' },
};

/**
 * The Depends of the executable, from what its ELF asks the dynamic linker for: each NEEDED
 * library's package, at the newest symbol version it references. Not dpkg-shlibdeps: on Debian 12
 * it answers libc6 (>= 2.34) only because the runtime links the libpthread/libdl stubs glibc 2.34
 * merged into libc (it uses none of their symbols — dpkg-shlibdeps says so itself), and
 * libstdc++6 (>= 10.2) from symbol-file entries dated later than the GCC that introduced them.
 * A library not listed here fails the build: add it knowingly.
 */
function elfDepends(executable) {
  const dynamic = execFileSync('readelf', ['-d', '--wide', executable], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  const req = requiredVersions(executable);
  const newest = (prefix) => req[prefix]?.at(-1);
  const gcc = (prefix) => {
    const v = newest(prefix);
    if (!v) return '0';
    // Versions older than the table's first entry are older than GCC 5: any libstdc++6 has them.
    if (compareVersions(v, Object.keys(GCC_FOR[prefix])[0]) < 0) return '0';
    return GCC_FOR[prefix][v] ?? fail(`${prefix}_${v}: which GCC provides it? add it to GCC_FOR in deb.mjs`);
  };
  const deps = new Set();
  for (const lib of needed) {
    if (/^(libc|libm|libdl|libpthread|librt)\.so\.\d+$|^ld-linux-x86-64\.so\.2$/.test(lib))
      deps.add(`libc6 (>= ${newest('GLIBC') ?? '2.28'})`);
    else if (lib === 'libstdc++.so.6') {
      const v = [gcc('GLIBCXX'), gcc('CXXABI')].sort(compareVersions).at(-1);
      deps.add(v === '0' ? 'libstdc++6' : `libstdc++6 (>= ${v})`);
    } else if (lib === 'libgcc_s.so.1') deps.add('libgcc-s1 | libgcc1');
    else fail(`the executable needs ${lib}: which Debian package provides it? add it in deb.mjs (elfDepends)`);
  }
  return [...deps];
}

function rfc2822(epoch) {
  return execFileSync('date', ['-u', '-R', '-d', `@${epoch}`], { encoding: 'utf8' }).trim();
}

function changelog(debVersion, epoch) {
  return [
    `${PACKAGE} (${debVersion}) unstable; urgency=medium`,
    '',
    `  * keepwatch-agent ${debVersion.replace(/-[^-]+$/, '')} as one self-contained executable with`,
    '    the systemd units and /etc/keepwatch.',
    '',
    ` -- ${MAINTAINER}  ${rfc2822(epoch)}`,
    '',
  ].join('\n');
}

/** Installed-Size in KiB as dpkg-gencontrol counts it: each file rounded up, each directory 1. */
function installedSize(tree) {
  const files = filesBelow(tree).filter((f) => !f.startsWith('DEBIAN/'));
  const dirs = new Set(
    files.flatMap((f) =>
      f
        .split('/')
        .slice(0, -1)
        .map((_, i, a) => a.slice(0, i + 1).join('/')),
    ),
  );
  return files.reduce((kib, f) => kib + Math.ceil(statSync(join(tree, f)).size / 1024), 0) + dirs.size;
}

export function buildDeb({ executable, version, revision = '1', outDir }) {
  const debVersion = `${version}-${revision}`;
  const { stage, tree, epoch } = stagePackage('deb', {
    executable,
    version,
    release: revision,
    treeName: `${PACKAGE}_${debVersion}`,
  });
  const doc = join(tree, FORMATS.deb.copyrightDir);
  writeFileSync(
    join(doc, 'changelog.Debian.gz'),
    withoutGzipTime(gzipSync(changelog(debVersion, epoch), { level: 9 })),
  );
  const overrides = join(tree, 'usr/share/lintian/overrides');
  mkdirSync(overrides, { recursive: true });
  copyFileSync(join(DEB, 'lintian-overrides'), join(overrides, PACKAGE));
  for (const f of filesBelow(tree)) chmodSync(join(tree, f), f === 'usr/bin/keepwatch-agent' ? 0o755 : 0o644);

  const control = join(tree, 'DEBIAN');
  mkdirSync(control);
  const depends = [...elfDepends(join(tree, 'usr/bin/keepwatch-agent')), 'adduser', 'iproute2'];
  const fields = [
    ['Package', PACKAGE],
    ['Version', debVersion],
    ['Architecture', 'amd64'],
    ['Maintainer', MAINTAINER],
    ['Installed-Size', String(installedSize(tree))],
    ['Depends', depends.join(', ')],
    ['Recommends', 'nginx'],
    ['Section', 'net'],
    ['Priority', 'optional'],
    ['Homepage', 'https://keepwatch.example'],
    ['Description', `${SUMMARY}\n${DESCRIPTION.map((l) => ` ${l}`).join('\n')}`],
  ];
  writeFileSync(join(control, 'control'), `${fields.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`);
  writeFileSync(join(control, 'conffiles'), '/etc/keepwatch/agent.json.example\n');
  const md5 = filesBelow(tree)
    .filter((f) => !f.startsWith('DEBIAN/') && !f.startsWith('etc/'))
    .map(
      (f) =>
        `${createHash('md5')
          .update(readFileSync(join(tree, f)))
          .digest('hex')}  ${f}`,
    );
  writeFileSync(join(control, 'md5sums'), `${md5.join('\n')}\n`);
  for (const s of ['postinst', 'prerm', 'postrm']) {
    copyFileSync(join(DEB, s), join(control, s));
    chmodSync(join(control, s), 0o755);
  }
  for (const f of ['control', 'conffiles', 'md5sums']) chmodSync(join(control, f), 0o644);

  mkdirSync(outDir, { recursive: true });
  const deb = join(outDir, `${PACKAGE}_${debVersion}_amd64.deb`);
  // xz, which every dpkg reads (zstd needs dpkg 1.21.18+), at level 1: measured on the 123 MiB
  // executable here, 14 s for 34.6 MB against 2 min for 30.0 MB at the default level 6.
  try {
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '-z1', '--build', tree, join(stage, 'out.deb')], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
    });
    renameSync(join(stage, 'out.deb'), deb);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return deb;
}

packageCommand(import.meta.url, 'deb', buildDeb);
