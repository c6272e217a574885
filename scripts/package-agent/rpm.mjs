#!/usr/bin/env node
// keepwatch-agent-<version>-<release>.x86_64.rpm from the self-contained executable, with
// rpmbuild (Debian's rpm package) and a .spec generated from
// apps/agent/packaging/rpm/keepwatch-agent.spec.in. What goes where: layout.mjs.
//
//   node scripts/package-agent/rpm.mjs [--executable FILE] [--version V] [--release R] [--out DIR]
//
// Defaults as deb.mjs's. Prints the package's path. The payload is xz (RHEL 8's rpm reads it;
// zstd needs a newer rpm than some RHEL-family hosts have) at level 1, as the .deb: see deb.mjs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DESCRIPTION, FORMATS, MAINTAINER, PACKAGE, SUMMARY, fail, packageCommand, stagePackage } from './layout.mjs';

/** `Fri Dec 04 2026`, the date form of a %changelog entry. */
function changelogDate(epoch) {
  return new Date(epoch * 1000).toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) .*$/, '$1 $3 $2 $4');
}

export function specFor({ version, release, epoch }) {
  const fill = {
    VERSION: version,
    RELEASE: release,
    SUMMARY,
    DESCRIPTION: DESCRIPTION.join('\n'),
    DATE: changelogDate(epoch),
    MAINTAINER,
  };
  const text = readFileSync(join(FORMATS.rpm.dir, 'keepwatch-agent.spec.in'), 'utf8').replace(
    /@([A-Z]+)@/g,
    (m, k) => fill[k] ?? fail(`spec template: unknown field ${m}`),
  );
  // The template's own header comment would otherwise sit in the spec unchanged: fine for rpm.
  return text;
}

export function buildRpm({ executable, version, release = '1', outDir }) {
  // VERSION_RE has no '-' (it would run into the release): a Debian upstream version is an RPM one.
  const { stage: top, tree, epoch } = stagePackage('rpm', { executable, version, release, treeName: 'tree' });
  const spec = join(top, `${PACKAGE}.spec`);
  writeFileSync(spec, specFor({ version, release, epoch }));
  const defines = {
    _topdir: top,
    kw_tree: tree,
    _binary_payload: 'w1.xzdio',
    // Reproducible: build time and file times from SOURCE_DATE_EPOCH, no build host name.
    source_date_epoch_from_changelog: '0',
    use_source_date_epoch_as_buildtime: '1',
    clamp_mtime_to_source_date_epoch: '1',
    _buildhost: 'keepwatch-build',
  };
  try {
    return rpmbuild(top, spec, defines, { version, release, epoch, outDir });
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}

function rpmbuild(top, spec, defines, { version, release, epoch, outDir }) {
  execFileSync(
    'rpmbuild',
    ['-bb', '--quiet', ...Object.entries(defines).flatMap(([k, v]) => ['--define', `${k} ${v}`]), spec],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
    },
  );
  const built = join(top, 'RPMS/x86_64');
  const name = readdirSync(built).find((f) => f.startsWith(`${PACKAGE}-${version}-${release}.`));
  if (!name) fail(`rpmbuild wrote no package into ${built}`);
  mkdirSync(outDir, { recursive: true });
  const rpm = join(outDir, name);
  renameSync(join(built, name), rpm);
  return rpm;
}

packageCommand(import.meta.url, 'rpm', buildRpm);
