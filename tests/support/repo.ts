/**
 * Where the repository is and what it builds, for the tests that run its scripts and products
 * (packaging, installed agents) rather than its modules.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, with a trailing slash. */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The agent's release, as its package.json says: the packaging scripts name their files with it. */
export const AGENT_VERSION = (
  JSON.parse(readFileSync(join(REPO, 'apps/agent/package.json'), 'utf8')) as { version: string }
).version;

/** The environment a fresh host gives a program: no NODE_PATH, no npm, no repository on PATH. */
export const BARE_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };
