#!/usr/bin/env node
// npm run package:agent — one tarball for linux-x64 that needs only Node 20+ on the host:
//
//   dist/keepwatch-agent-<version>-linux-x64.tar.gz
//     keepwatch-agent-<version>/
//       install.sh                 --prefix DIR, --server URL --token T --node NAME, --no-systemd, --start
//       bin/keepwatch-agent        launcher (install.sh pins the node binary it checked)
//       bin/keepwatch-agent-supervise  restart loop with a pid file, for hosts without systemd
//       lib/keepwatch-agent.mjs    the agent and its production dependencies, bundled by esbuild
//       lib/keepwatch_net.node     the native addon (raw sockets, AF_PACKET, pidfd, sd_notify)
//       systemd/*.service          the units, rewritten by install.sh for the prefix and config
//       VERSION, README.md
//
//   dist/keepwatch-agent-<version>-linux-x64
//     the same agent as ONE executable with its own Node 24 LTS runtime and the addon inside: no
//     Node.js needed on the host (scripts/package-agent/sea.mjs; the .deb and .rpm install it)
//
// Bundling to one file (rather than copying node_modules) keeps the package small and means
// nothing on the host is resolved through node_modules: the only files the agent loads at run
// time are the bundle, Node's built-ins and the addon beside it. Run after the agent is built
// (the root script builds it through turbo first).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import {
  AGENT_DIR as agentDir,
  PACKAGING as packaging,
  ROOT as root,
  agentVersion,
  fail,
  makeStage,
} from './package-agent/layout.mjs';
import { buildExecutable } from './package-agent/sea.mjs';

const version = agentVersion();
const name = `keepwatch-agent-${version}`;
const outDir = join(root, 'dist');
const tarball = join(outDir, `${name}-linux-x64.tar.gz`);

if (process.platform !== 'linux' || process.arch !== 'x64')
  fail(
    `the package is for linux-x64; this machine is ${process.platform}-${process.arch} (the addon is built for the machine it runs on)`,
  );
const entry = join(agentDir, 'dist/entry.js');
const addon = join(agentDir, 'build/Release/keepwatch_net.node');
if (!existsSync(entry)) fail(`${entry} is missing: build the agent first (npm run build -w @keepwatch/agent)`);
if (!existsSync(addon))
  fail(`${addon} is missing: the addon is built by node-gyp at npm install (npm rebuild @keepwatch/agent)`);

// The agent loads its addon relative to its own compiled file (dist/transport/native.js →
// ../../build/Release/). In the bundle the addon sits beside the bundle, so that one literal is
// rewritten; the build fails if the literal is not found (a changed native.ts must not silently
// ship a bundle that cannot find its addon).
const ADDON_LITERAL = "'../../build/Release/keepwatch_net.node'";
const addonBeside = {
  name: 'addon-beside-bundle',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]transport[\\/]native\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(ADDON_LITERAL))
        throw new Error(`${args.path}: expected ${ADDON_LITERAL} (the addon's path) to rewrite`);
      return { contents: text.replace(ADDON_LITERAL, "'./keepwatch_net.node'"), loader: 'js' };
    });
  },
};

// Each run stages in its own folder and renames its results into dist/: two runs at once (tests
// that package in parallel) never see each other's half-written files.
const { stage, tree: top } = makeStage('tarball', name);
mkdirSync(join(top, 'bin'), { recursive: true });
mkdirSync(join(top, 'lib'), { recursive: true });
mkdirSync(outDir, { recursive: true });

const result = await build({
  entryPoints: [entry],
  outfile: join(top, 'lib/keepwatch-agent.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // The same bundle from whichever folder this runs (see sea.mjs).
  absWorkingDir: root,
  // CommonJS dependencies (pino, prom-client, ws) call require() for Node built-ins; an ESM
  // bundle has none, so give it one. The shebang of main.ts is dropped by esbuild's banner.
  banner: {
    js: "import { createRequire as __kwCreateRequire } from 'node:module'; const require = __kwCreateRequire(import.meta.url);",
  },
  // ws loads these optional native speedups when present; the agent does not need them.
  external: ['bufferutil', 'utf-8-validate'],
  plugins: [addonBeside],
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
});
const inputs = Object.keys(result.metafile.inputs);
if (!inputs.some((p) => p.includes('dist/transport/native.js')))
  fail('the bundle does not contain the transport (dist/transport/native.js)');

copyFileSync(addon, join(top, 'lib/keepwatch_net.node'));
cpSync(join(agentDir, 'systemd'), join(top, 'systemd'), { recursive: true });
copyFileSync(join(packaging, 'install.sh'), join(top, 'install.sh'));
copyFileSync(join(packaging, 'keepwatch-agent'), join(top, 'bin/keepwatch-agent'));
copyFileSync(join(packaging, 'keepwatch-agent-supervise'), join(top, 'bin/keepwatch-agent-supervise'));
copyFileSync(join(packaging, 'README.md'), join(top, 'README.md'));
writeFileSync(join(top, 'VERSION'), `${version}\n`);
for (const f of ['install.sh', 'bin/keepwatch-agent', 'bin/keepwatch-agent-supervise']) chmodSync(join(top, f), 0o755);

// Reproducible enough: sorted names, fixed owner and mtime (the bytes of the bundle decide the rest).
mkdirSync(dirname(tarball), { recursive: true });
execFileSync(
  'tar',
  [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '-czf',
    join(stage, 'out.tar.gz'),
    '-C',
    stage,
    name,
  ],
  { stdio: 'inherit' },
);
renameSync(join(stage, 'out.tar.gz'), tarball);
rmSync(stage, { recursive: true, force: true });

const executable = await buildExecutable({ root, version, entry, addon }).catch((e) => fail(e.message));

// --- The .deb and .rpm of the executable (scripts/package-agent/packages.mjs; the packages task's).
const { buildPackages } = await import('./package-agent/packages.mjs');
for (const p of buildPackages({ executable, version, outDir })) console.log(p);
// ---

console.log(executable);
console.log(tarball);
