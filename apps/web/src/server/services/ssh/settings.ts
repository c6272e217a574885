/**
 * Where bootstrap finds the agent package and the key that seals stored private keys. Read once.
 *
 *   KEEPWATCH_AGENT_PACKAGE  the tarball to copy (default: the newest
 *                            dist/keepwatch-agent-*-linux-x64.tar.gz of this checkout, which
 *                            `npm run package:agent` writes)
 *   KEEPWATCH_SECRET_KEY     32 bytes, hex or base64 (default: KEEPWATCH_DATA_DIR/secret.key,
 *                            created with mode 0600 on first use)
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnv, type Env } from '../../../env';
import { loadSecretKey } from './secret-box';

/** This checkout's dist/ folder (apps/web/src/server/services/ssh → the repository root). */
const REPO_DIST = fileURLToPath(new URL('../../../../../../dist/', import.meta.url));
const PACKAGE_NAME = /^keepwatch-agent-(\d+)\.(\d+)\.(\d+)-linux-x64\.tar\.gz$/;

export type BootstrapSettings = {
  /** The agent package to upload, or null with the reason when there is none. */
  packagePath(): string;
  /** The AES-256 key for stored private keys (loaded or created on first use). */
  secretKey(): Buffer;
};

/** The newest agent package in `dir`, by version. */
export function newestPackage(dir: string): string | null {
  if (!existsSync(dir)) return null;
  const found = readdirSync(dir)
    .map((f) => ({ f, m: PACKAGE_NAME.exec(f) }))
    .filter((x): x is { f: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => [1, 2, 3].reduce((acc, i) => acc || Number(b.m[i]) - Number(a.m[i]), 0));
  return found[0] ? join(dir, found[0].f) : null;
}

/**
 * Settings from the environment. The two KEEPWATCH_* variables above are read when env.ts knows
 * them; until then the defaults apply.
 */
export function bootstrapSettings(
  env: Env & { KEEPWATCH_AGENT_PACKAGE?: string; KEEPWATCH_SECRET_KEY?: string } = loadEnv(),
): BootstrapSettings {
  let key: Buffer | null = null;
  return {
    packagePath() {
      const p = env.KEEPWATCH_AGENT_PACKAGE ?? newestPackage(REPO_DIST);
      if (!p || !existsSync(p) || !statSync(p).isFile()) {
        throw new Error(
          `no agent package${p ? ` at ${p}` : ` in ${REPO_DIST}`}: build it with \`npm run package:agent\` (or set KEEPWATCH_AGENT_PACKAGE)`,
        );
      }
      return p;
    },
    secretKey() {
      key ??= loadSecretKey({ envValue: env.KEEPWATCH_SECRET_KEY, dataDir: env.KEEPWATCH_DATA_DIR });
      return key;
    },
  };
}

let cached: BootstrapSettings | null = null;
/** The process's settings (the custom server's module graph holds one). */
export function defaultBootstrapSettings(): BootstrapSettings {
  return (cached ??= bootstrapSettings());
}
