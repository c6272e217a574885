// The .deb and the .rpm of the executable, for `npm run package:agent` (its last step). Each is
// rebuilt only when it is missing or older than one of its inputs (the executable, the packaging
// files, the units, these scripts), as make would: several tests run package:agent, and
// compressing the 120 MiB executable is the slow part.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildDeb } from './deb.mjs';
import { AGENT_DIR, PACKAGE, PACKAGING, ROOT } from './layout.mjs';
import { buildRpm } from './rpm.mjs';

function inputs(executable) {
  const dirFiles = (d) =>
    readdirSync(d)
      .filter((f) => !f.endsWith('.md'))
      .map((f) => join(d, f));
  return [
    executable,
    ...dirFiles(join(PACKAGING, 'deb')),
    ...dirFiles(join(PACKAGING, 'rpm')),
    ...dirFiles(join(AGENT_DIR, 'systemd')),
    ...['deb.mjs', 'rpm.mjs', 'layout.mjs', 'packages.mjs', 'elf.mjs'].map((f) =>
      join(ROOT, 'scripts/package-agent', f),
    ),
  ];
}

function upToDate(output, sources) {
  if (!existsSync(output)) return false;
  const built = statSync(output).mtimeMs;
  return sources.every((s) => statSync(s).mtimeMs <= built);
}

/** Builds (or keeps) both packages of `executable` at `version`, revision/release 1; their paths. */
export function buildPackages({ executable, version, outDir }) {
  const sources = inputs(executable);
  const deb = join(outDir, `${PACKAGE}_${version}-1_amd64.deb`);
  const rpm = join(outDir, `${PACKAGE}-${version}-1.x86_64.rpm`);
  return [
    upToDate(deb, sources) ? deb : buildDeb({ executable, version, outDir }),
    upToDate(rpm, sources) ? rpm : buildRpm({ executable, version, outDir }),
  ];
}
