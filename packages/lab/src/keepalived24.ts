// keepalived 2.4.3, the first release with `auth_hmac`, which no distribution ships yet: built
// from the source tarball in assets/keepalived-2.4/ by its build script, on the test path only,
// and cached by version outside the clone (CI clones anew on every run; a cached build is reused
// in well under a second, a fresh one takes ~25 s on 2 cores).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { assetPath } from './assets.js';
import { run } from './exec.js';

export const KEEPALIVED_24_VERSION = '2.4.3';
/** sha256 of assets/keepalived-2.4/keepalived-2.4.3.tar.gz: the build refuses another tarball. */
const TARBALL_SHA256 = '2618381d883b0f30949406e8a58a095f777dac157c7b2c22f1d0075facb28dfa';

/** Where the build is cached: $KEEPWATCH_CACHE_DIR, else ~/.cache/keepwatch. */
export function keepwatchCacheDir(): string {
  return process.env.KEEPWATCH_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'keepwatch');
}

/**
 * The path of keepalived 2.4.3's binary, building it first when the cache lacks it. The build
 * script installs its Debian build dependencies when missing (scripts/setup.sh installs them too).
 */
export async function keepalived24(): Promise<{ path: string; vrrpOnlyBuild: true }> {
  const prefix = join(keepwatchCacheDir(), `keepalived-${KEEPALIVED_24_VERSION}`);
  const r = await run(
    'bash',
    [
      assetPath('keepalived-2.4/build-keepalived.sh'),
      assetPath(`keepalived-2.4/keepalived-${KEEPALIVED_24_VERSION}.tar.gz`),
      prefix,
    ],
    { timeoutMs: 15 * 60_000, env: { ...process.env, JOBS: '2', EXPECTED_SHA256: TARBALL_SHA256 } },
  );
  if (r.code !== 0) throw new Error(`building keepalived ${KEEPALIVED_24_VERSION} failed: ${r.stderr.trim()}`);
  return { path: join(prefix, 'sbin', 'keepalived'), vrrpOnlyBuild: true };
}
