/**
 * Where the dashboard's files are, found from the running module. From source (tsx, vitest) this
 * file is apps/web/src/server/layout.ts; in the compiled server every module is one file,
 * apps/web/dist/server.mjs, and the build defines KEEPWATCH_COMPILED so the same code finds the
 * same folders. Paths are resolved from here rather than from the working directory, so the
 * command works from any directory (systemd, a shell elsewhere).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

declare const KEEPWATCH_COMPILED: boolean | undefined;

/** True in dist/server.mjs (set by scripts/build-server.mjs). */
export const COMPILED = typeof KEEPWATCH_COMPILED !== 'undefined' && KEEPWATCH_COMPILED;

/** apps/web: next.config.ts and the Next build (.next) are here. */
export const APP_DIR = fileURLToPath(new URL(COMPILED ? '..' : '../..', import.meta.url));

/** The repository's root (prisma/migrations, dist/ with the agent packages). */
export const REPO_DIR = join(APP_DIR, '..', '..');
