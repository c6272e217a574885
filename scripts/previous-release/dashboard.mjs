// The previous release's dashboard, from the git history, for version-skew tests: during a rolling
// upgrade the agents may be upgraded before the dashboard, so this release's agent must work
// against the previous release's hub. What an agent talks to is the control plane (the hub, the
// API, the database); the pages (Next.js) are left out, so no old Next build is needed. Its
// sources come from `git archive`; its Prisma client is generated from its own schema by this
// tree's Prisma CLI; it runs with tsx on this tree's node_modules, with @keepwatch/shared and
// @keepwatch/vrrp mapped to its own copies (tsconfig paths). Prepared once per commit under .cache/.
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PREVIOUS_RELEASE, workFolder } from './agent.mjs';

/** The control plane alone, on one port: the API and the agents' WebSocket, as the old server.ts wired them. */
const SERVER = `import { createServer } from 'node:http';
import { loadEnv } from './apps/web/src/env';
import { createControlPlane } from './apps/web/src/server/control-plane';
import { AgentHub } from './apps/web/src/server/hub/hub';

const env = loadEnv(process.env);
const cp = await createControlPlane(env);
const server = createServer((req, res) => {
  if (!cp.handle(req, res)) res.writeHead(404).end();
});
server.on('upgrade', (req, socket, head) => {
  if (AgentHub.owns(req)) cp.hub.handleUpgrade(req, socket, head);
  else socket.destroy();
});
server.listen(env.PORT, env.HOST, () => cp.log.info({ port: env.PORT }, 'dashboard listening'));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    cp.close().finally(() => process.exit(0));
  });
}
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'es2022',
    module: 'esnext',
    moduleResolution: 'bundler',
    baseUrl: '.',
    paths: {
      '@keepwatch/shared': ['packages/shared/src/index.ts'],
      '@keepwatch/shared/*': ['packages/shared/src/*'],
      '@keepwatch/vrrp': ['packages/vrrp/src/index.ts'],
      '@keepwatch/vrrp/*': ['packages/vrrp/src/*'],
    },
  },
};

/**
 * Prepares (once per commit) the previous release's control plane and returns its folder; run it
 * there as `node --import tsx server.ts` with the dashboard's environment (PORT, HOST,
 * KEEPWATCH_DATA_DIR, KEEPWATCH_ADMIN_USERNAME/PASSWORD). Fails with what is missing when the
 * history is not there.
 */
export function previousDashboard(root, commit = PREVIOUS_RELEASE) {
  const out = join(root, '.cache', `previous-dashboard-${commit}`);
  if (existsSync(join(out, 'server.ts'))) return out;
  const work = workFolder(root, commit, 'previous-dashboard');
  try {
    const tar = execFileSync(
      'git',
      ['-C', root, 'archive', commit, 'apps/web/src', 'packages/shared/src', 'packages/vrrp/src', 'prisma'],
      { maxBuffer: 256 * 1024 * 1024 },
    );
    execFileSync('tar', ['-x', '-C', work], { input: tar });
    // Its own client for its own schema (the generated folder is not in git).
    execFileSync(join(root, 'node_modules', '.bin', 'prisma'), ['generate', '--schema', 'prisma/schema.prisma'], {
      cwd: work,
      stdio: 'pipe',
      // Generation is WASM; the schema engine binary it would download is not needed (STACK-NOTES).
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/false',
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
        CHECKPOINT_DISABLE: '1',
      },
    });
    writeFileSync(join(work, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(join(work, 'server.ts'), SERVER);
    try {
      renameSync(work, out);
    } catch (e) {
      if (!existsSync(join(out, 'server.ts'))) throw e; // else a parallel build finished first
    }
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
