// The previous release's agent, built from the git history, for version-skew tests: during a
// rolling upgrade one node still runs the agent of the release before, against the new dashboard
// and beside the new agent. The release is the last one that landed (its commit below); its
// sources come from `git archive` (a clone has the history), bundled by esbuild with this tree's
// node_modules into one ESM file that Node runs like the tarball's bundle, with this tree's
// N-API addon (ABI-stable; the old code calls a subset of it). Cached by commit under .cache/.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The last release that landed (issues 2–8): 2026-11-24, npm start's launch mode. */
export const PREVIOUS_RELEASE = '49436f2';

/**
 * A new folder under root's .cache/ to build `what` of `commit` in; fails with what is missing when
 * the commit is not in the history (a copy of the tree rather than a clone).
 */
export function workFolder(root, commit, what) {
  try {
    execFileSync('git', ['-C', root, 'cat-file', '-e', `${commit}^{commit}`], { stdio: 'pipe' });
  } catch {
    throw new Error(
      `commit ${commit} (the previous release) is not in ${root}'s git history: clone the repository, not a copy`,
    );
  }
  mkdirSync(join(root, '.cache'), { recursive: true });
  return mkdtempSync(join(root, '.cache', `${what}-tmp-`));
}

/**
 * Builds (once per commit) and returns the path of the previous release's agent bundle, run as
 * `node <path> run --config FILE`. Fails with what is missing when the history is not there.
 */
export async function previousAgent(root, commit = PREVIOUS_RELEASE) {
  const out = join(root, '.cache', `previous-agent-${commit}`, 'keepwatch-agent.mjs');
  if (existsSync(out)) return out;
  const work = workFolder(root, commit, 'previous-agent');
  try {
    const src = join(work, 'src');
    mkdirSync(src);
    const tar = execFileSync('git', [
      '-C',
      root,
      'archive',
      commit,
      'apps/agent/src',
      'packages/shared/src',
      'packages/vrrp/src',
    ]);
    execFileSync('tar', ['-x', '-C', src], { input: tar });
    const addon = join(root, 'apps/agent/build/Release/keepwatch_net.node');
    if (!existsSync(addon)) throw new Error(`${addon} is missing: npm install builds it`);
    const literal = "'../../build/Release/keepwatch_net.node'";
    const dir = join(work, 'out');
    mkdirSync(dir);
    await build({
      entryPoints: [join(src, 'apps/agent/src/main.ts')],
      outfile: join(dir, 'keepwatch-agent.mjs'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      alias: {
        '@keepwatch/shared': join(src, 'packages/shared/src/index.ts'),
        '@keepwatch/vrrp': join(src, 'packages/vrrp/src/index.ts'),
      },
      nodePaths: [join(root, 'node_modules')],
      tsconfigRaw: { compilerOptions: { target: 'es2022' } },
      banner: {
        js: "import { createRequire as __kwCreateRequire } from 'node:module'; const require = __kwCreateRequire(import.meta.url);",
      },
      external: ['bufferutil', 'utf-8-validate'],
      plugins: [
        {
          name: 'addon-of-this-tree',
          setup(b) {
            b.onLoad({ filter: /[\\/]transport[\\/]native\.ts$/ }, (args) => {
              const text = readFileSync(args.path, 'utf8');
              if (!text.includes(literal)) throw new Error(`${args.path}: expected ${literal} to rewrite`);
              return { contents: text.replace(literal, JSON.stringify(addon)), loader: 'ts' };
            });
          },
        },
      ],
      logLevel: 'error',
    });
    try {
      renameSync(dir, join(out, '..'));
    } catch (e) {
      if (!existsSync(out)) throw e; // else a parallel build finished first
    }
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
