/**
 * Where bootstrap finds the agent package and the key that seals stored private keys. Read once.
 *
 *   KEEPWATCH_AGENT_PACKAGE  the tarball to copy (default: the newest
 *                            dist/keepwatch-agent-*-linux-x64.tar.gz of this checkout, which
 *                            `npm run package:agent` writes); the newest
 *                            keepwatch-agent_<version>-<revision>_amd64.deb in the same folder is
 *                            what hosts with dpkg and systemd get
 *   KEEPWATCH_SECRET_KEY     32 bytes, hex or base64; else the file KEEPWATCH_SECRET_KEY_FILE
 *                            (default: secret.key beside, not inside, KEEPWATCH_DATA_DIR),
 *                            created with mode 0600 on first use
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadEnv, secretKeyFile, type Env } from '../../../env';
import { REPO_DIR } from '../../layout';
import { AppError } from '../../errors';
import { loadSecretKey, openSecret } from './secret-box';

/** This checkout's dist/ folder (found from source or from the compiled server). */
const REPO_DIST = join(REPO_DIR, 'dist');
const PACKAGE_NAME = /^keepwatch-agent-(\d+)\.(\d+)\.(\d+)-linux-x64\.tar\.gz$/;
const DEB_NAME = /^keepwatch-agent_(\d+)\.(\d+)\.(\d+)-(\d+)_amd64\.deb$/;

export type BootstrapSettings = {
  /** The agent package to upload, or null with the reason when there is none. */
  packagePath(): string;
  /** The .deb beside the tarball, or null when none was built. */
  debPath(): string | null;
  /** The AES-256 key for stored private keys (loaded or created on first use). */
  secretKey(): Buffer;
  /** The dashboard's own TLS key pin: a wss:// agent config pins it (null behind a TLS proxy). */
  dashboardPin?: string | null;
};

/** The newest file in `dir` whose name matches `pattern`, comparing its numeric groups in order. */
function newestMatching(dir: string, pattern: RegExp): string | null {
  if (!existsSync(dir)) return null;
  const found = readdirSync(dir)
    .map((f) => ({ f, m: pattern.exec(f) }))
    .filter((x): x is { f: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => a.m.slice(1).reduce((acc, _, i) => acc || Number(b.m[i + 1]) - Number(a.m[i + 1]), 0));
  return found[0] ? join(dir, found[0].f) : null;
}

/** The newest agent tarball in `dir`, by version. */
export function newestPackage(dir: string): string | null {
  return newestMatching(dir, PACKAGE_NAME);
}

/** The newest agent .deb in `dir`, by version then revision. */
export function newestDeb(dir: string): string | null {
  return newestMatching(dir, DEB_NAME);
}

/** Settings from the environment (env.ts). */
export function bootstrapSettings(env: Env = loadEnv()): BootstrapSettings {
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
    debPath() {
      return newestDeb(dirname(this.packagePath()));
    },
    secretKey() {
      key ??= loadSecretKey({ envValue: env.KEEPWATCH_SECRET_KEY, file: secretKeyFile(env) });
      return key;
    },
  };
}

let cached: BootstrapSettings | null = null;
/** The process's settings (the custom server's module graph holds one). */
export function defaultBootstrapSettings(): BootstrapSettings {
  return (cached ??= bootstrapSettings());
}

/**
 * The stored private key, unsealed. A key sealed under another secret key (the key file was lost,
 * replaced or not restored with the database) cannot be opened: say so, and what to do, rather
 * than fail with a bare decryption error.
 */
export function unsealStoredKey(
  settings: BootstrapSettings,
  sealed: string,
  node: { id: string; name: string },
): string {
  try {
    return openSecret(settings.secretKey(), sealed, node.id);
  } catch (e) {
    throw new AppError('BAD_REQUEST', {
      field: 'auth',
      message: `the private key stored for node ${node.name} cannot be unsealed with this dashboard's secret key (KEEPWATCH_SECRET_KEY or KEEPWATCH_SECRET_KEY_FILE): it was sealed under another key, which was lost or replaced; give the private key or a password again (keep the new key file with your backups)`,
      cause: e,
    });
  }
}
