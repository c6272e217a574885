#!/usr/bin/env node
// The second half of `npm run build -w @keepwatch/web` (after `next build`): compiles the custom
// server (server.ts and its server-side graph: the control plane, the hub, the generated Prisma
// client, @keepwatch/shared) into one ES module, dist/server.mjs, that plain `node` runs — no tsx
// at run time. npm packages stay external and load from node_modules as installed (Next, React,
// Prisma's runtime, pg, PGlite and the native modules cannot be bundled usefully); the workspace
// packages are bundled in, so their own dist/ folders are not needed at run time.
import { build } from 'esbuild';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const outfile = join(appDir, 'dist', 'server.mjs');
const { version } = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8'));

// A bare specifier is a package: external unless it is one of ours. `~/` is the tsconfig alias.
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./~]/ }, (args) =>
      args.path.startsWith('@keepwatch/') || args.path.startsWith('node:')
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

rmSync(join(appDir, 'dist'), { recursive: true, force: true });
const started = Date.now();
const result = await build({
  absWorkingDir: appDir,
  entryPoints: ['server.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  tsconfig: 'tsconfig.json',
  // layout.ts finds apps/web and the repository from dist/ instead of src/server/.
  define: { KEEPWATCH_COMPILED: 'true' },
  banner: {
    js: `#!/usr/bin/env node\n// keepwatch-dashboard ${version}, compiled by scripts/build-server.mjs from server.ts. Do not edit.`,
  },
  plugins: [externalPackages],
  metafile: true,
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
const inputs = Object.keys(result.metafile.inputs).length;
console.log(
  `dist/server.mjs: ${inputs} modules, ${(bytes / 1024).toFixed(0)} KiB, ${Date.now() - started} ms (run: node dist/server.mjs)`,
);
