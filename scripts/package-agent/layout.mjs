// What the .deb and the .rpm install, and where: shared by deb.mjs and rpm.mjs so the two
// packages cannot drift apart.
//
//   /usr/bin/keepwatch-agent                       the self-contained executable (npm run package:agent)
//   <unitDir>/keepwatch-agent.service              the units of apps/agent/systemd/, ExecStart=
//   <unitDir>/keepwatch-agent-cleanup.service        rewritten to /usr/bin/keepwatch-agent
//   /etc/keepwatch/agent.json.example              configuration (conffile / %config(noreplace))
//   /usr/share/man/man1/keepwatch-agent.1.gz
//
// /etc/keepwatch/agent.json itself is written at enrollment and belongs to no package file list:
// upgrades leave it alone, purge (deb) or erase (rpm) deletes it in the maintainer scripts.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const AGENT_DIR = join(ROOT, 'apps/agent');
export const PACKAGING = join(AGENT_DIR, 'packaging');
export const PACKAGE = 'keepwatch-agent';
export const BIN = '/usr/bin/keepwatch-agent';
export const MAINTAINER = 'Keepwatch maintainers <maintainers@keepwatch.example>';
export const SUMMARY = 'Keepwatch agent: VRRP, VIPs, health checks and nginx for a load-balancer host';
// Lines under 80 characters (Debian's extended description).
export const DESCRIPTION = [
  'The agent of Keepwatch, a control plane for keepalived-style VRRP clusters',
  'of nginx load balancers. On each load-balancer host it speaks VRRP with its',
  "peers, holds the cluster's virtual IP addresses, runs health checks, writes",
  "and reloads nginx's configuration and reports to the Keepwatch dashboard.",
  'One self-contained executable: it carries its own Node.js runtime, so the',
  'host needs no Node.js.',
];

/** An upstream version, as both formats take it (no '-': it would run into the revision or release). */
export const VERSION_RE = /^[0-9][A-Za-z0-9.+~]*$/;
/** A Debian revision or an RPM release. */
export const RELEASE_RE = /^[A-Za-z0-9.+~]+$/;

/**
 * What differs between the two packages where deb.mjs and rpm.mjs do the same steps: the names
 * their version checks use, the command-line option of the package's own revision, where the
 * units and the copyright go, and the folder of apps/agent/packaging with the format's own files.
 */
export const FORMATS = {
  deb: {
    version: 'a Debian upstream version',
    releaseOption: 'revision',
    release: 'a Debian revision',
    unitDir: '/lib/systemd/system',
    copyrightDir: `usr/share/doc/${PACKAGE}`,
    dir: join(PACKAGING, 'deb'),
  },
  rpm: {
    version: 'an RPM version',
    releaseOption: 'release',
    release: 'an RPM release',
    unitDir: '/usr/lib/systemd/system',
    copyrightDir: `usr/share/licenses/${PACKAGE}`,
    dir: join(PACKAGING, 'rpm'),
  },
};

export function fail(msg) {
  console.error(`package:agent: ${msg}`);
  process.exit(1);
}

/** The agent's version (apps/agent/package.json). */
export function agentVersion() {
  return JSON.parse(readFileSync(join(AGENT_DIR, 'package.json'), 'utf8')).version;
}

/** The executable that `npm run package:agent` writes for a version. */
export function defaultExecutable(version) {
  return join(ROOT, 'dist', `${PACKAGE}-${version}-linux-x64`);
}

/** A fixed time for changelogs and archive members: the last commit's, or SOURCE_DATE_EPOCH. */
export function buildEpoch() {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(execFileSync('git', ['-C', ROOT, 'log', '-1', '--format=%ct'], { encoding: 'utf8' }).trim());
  } catch {
    return Math.floor(Date.now() / 1000);
  }
}

/** Checks that `path` is an x86-64 ELF executable (a stand-in or the real one). */
export function checkExecutable(path) {
  let head;
  try {
    head = readFileSync(path).subarray(0, 20);
  } catch {
    fail(`${path} is missing: build the executable first (npm run package:agent)`);
  }
  // ELF magic, 64-bit class, machine 0x3e (x86-64) at offset 18.
  if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head.readUInt16LE(18) !== 0x3e)
    fail(`${path} is not an x86-64 ELF executable`);
}

/**
 * The units with ExecStart= pointing at the packaged executable. Fails when a unit has an
 * ExecStart= that does not run keepwatch-agent (a changed unit must not ship half-rewritten).
 */
export function packagedUnits() {
  const dir = join(AGENT_DIR, 'systemd');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.service'))
    .sort()
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8').replace(
        /^(Exec(?:Start|StartPre|StartPost|Reload|Stop|StopPost)=[-@:+!]*)(?:\/usr\/bin\/env\s+)?\S*keepwatch-agent(?=\s|$)/gm,
        `$1${BIN}`,
      );
      for (const line of text.split('\n').filter((l) => /^ExecStart=/.test(l)))
        if (!line.replace(/^ExecStart=[-@:+!]*/, '').startsWith(`${BIN} `))
          fail(`${name}: ExecStart= does not run ${BIN} after the rewrite: ${line}`);
      return { name, text };
    });
}

/**
 * Writes the files common to both packages under `tree` (a staging root), the units into
 * `unitDir` (/lib/systemd/system on Debian, /usr/lib/systemd/system on RPM systems).
 */
export function stageCommon(tree, { executable, version, unitDir }) {
  const put = (rel, data, mode) => {
    const p = join(tree, rel);
    mkdirSync(dirname(p), { recursive: true, mode: 0o755 });
    if (typeof data === 'string' || Buffer.isBuffer(data)) writeFileSync(p, data);
    else copyFileSync(data.from, p);
    chmodSync(p, mode);
  };
  put(BIN.slice(1), { from: executable }, 0o755);
  for (const u of packagedUnits()) put(join(unitDir.slice(1), u.name), u.text, 0o644);
  put('etc/keepwatch/agent.json.example', { from: join(PACKAGING, 'deb/agent.json.example') }, 0o644);
  const man = readFileSync(join(PACKAGING, 'deb/keepwatch-agent.1'), 'utf8').replaceAll('@VERSION@', version);
  // gzip -9n: no name or time in the header, so the bytes depend on the text only.
  put('usr/share/man/man1/keepwatch-agent.1.gz', withoutGzipTime(gzipSync(man, { level: 9 })), 0o644);
}

/** node's gzip header has mtime 0 already; OS byte set to Unix (3) as `gzip -n` writes it. */
export function withoutGzipTime(buf) {
  buf[9] = 3;
  return buf;
}

/**
 * The steps both packages begin with: `version` and `release` checked, the executable checked, a
 * staging folder ({@link makeStage}) whose tree holds the common files ({@link stageCommon}) and
 * the copyright. Returns the folder, the tree and the build's fixed time ({@link buildEpoch}).
 */
export function stagePackage(format, { executable, version, release, treeName }) {
  const f = FORMATS[format];
  if (!VERSION_RE.test(version)) fail(`version ${version}: not ${f.version}`);
  if (!RELEASE_RE.test(release)) fail(`${f.releaseOption} ${release}: not ${f.release}`);
  checkExecutable(executable);
  const { stage, tree } = makeStage(format, treeName);
  stageCommon(tree, { executable, version, unitDir: f.unitDir });
  const copyright = join(tree, f.copyrightDir);
  mkdirSync(copyright, { recursive: true });
  copyFileSync(join(FORMATS.deb.dir, 'copyright'), join(copyright, 'copyright'));
  return { stage, tree, epoch: buildEpoch() };
}

/**
 * A folder of its own per run under .cache, with the staging root `treeName` (mode 755) in it:
 * two runs at once (tests packaging in parallel) never see each other's half-written files, and
 * the result is renamed into the output folder. The caller removes `stage`.
 */
export function makeStage(kind, treeName) {
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  const stage = mkdtempSync(join(ROOT, `.cache/package-agent-${kind}-`));
  const tree = join(stage, treeName);
  mkdirSync(tree, { recursive: true });
  chmodSync(tree, 0o755);
  return { stage, tree };
}

/**
 * The command line of deb.mjs and rpm.mjs when run as a script (not imported):
 * [--executable FILE] [--version V] [--revision R | --release R] [--out DIR]; prints the package's path.
 */
export function packageCommand(moduleUrl, format, build) {
  if (!process.argv[1] || moduleUrl !== new URL(`file://${process.argv[1]}`).href) return;
  const { releaseOption } = FORMATS[format];
  const option = { type: 'string' };
  const { values } = parseArgs({
    options: { executable: option, version: option, [releaseOption]: option, out: option },
  });
  console.log(
    build({
      executable: values.executable ?? defaultExecutable(agentVersion()),
      version: values.version ?? agentVersion(),
      [releaseOption]: values[releaseOption] ?? '1',
      outDir: values.out ?? join(ROOT, 'dist'),
    }),
  );
}

/** Every file below `dir`, as paths relative to it, sorted. */
export function filesBelow(dir, rel = '') {
  return readdirSync(join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesBelow(dir, join(rel, e.name)) : [join(rel, e.name)]))
    .sort();
}
