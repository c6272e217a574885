/**
 * The dashboard's environment, parsed once with zod (STYLE §C16): the only file besides
 * server.ts that reads `process.env`. Everything else receives an `Env` value.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { isIP } from 'node:net';
import { TlsPinSchema } from '@keepwatch/shared';

const bool = z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true');

/** A comma-separated variable as a list: entries trimmed (then `each`), empty ones dropped. */
const commaList = (each: (entry: string) => string) =>
  z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((e) => each(e.trim()))
        .filter((e) => e.length > 0),
    );

export const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    /** Real PostgreSQL. Absent: the embedded database in KEEPWATCH_DATA_DIR. */
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgresql:// URL' })
      .optional(),
    /**
     * Where the embedded database keeps its cluster when DATABASE_URL is absent: a PostgreSQL
     * server of the dashboard's own, started from the installed server programs.
     */
    KEEPWATCH_DATA_DIR: z.string().min(1).default('.keepwatch/data'),
    /** The folder of PostgreSQL's server programs (postgres, initdb) for the embedded database; default: found. */
    KEEPWATCH_POSTGRES_BIN: z.string().min(1).optional(),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    /** The first admin, created at start only while no admin exists. No default password on purpose. */
    KEEPWATCH_ADMIN_USERNAME: z.string().optional(),
    KEEPWATCH_ADMIN_PASSWORD: z.string().optional(),
    /** AES-256-GCM key for private keys kept for SSH bootstrap (base64 or hex, 32 bytes); default: the key file below. */
    KEEPWATCH_SECRET_KEY: z.string().optional(),
    /**
     * The key file (created with mode 0600 on first use). Default: `secret.key` beside the data
     * folder, never inside it, so a copy of the data folder or a pg_dump never carries the key.
     */
    KEEPWATCH_SECRET_KEY_FILE: z.string().min(1).optional(),
    /** The agent package the SSH bootstrap copies to hosts; default: the newest dist/keepwatch-agent-*.tar.gz. */
    KEEPWATCH_AGENT_PACKAGE: z.string().optional(),
    /**
     * Serve HTTPS (and the agents' wss://) with this certificate and key (PEM), for sites without a
     * TLS proxy in front. Both or neither. The dashboard prints its key's pin for agents to enroll with.
     */
    KEEPWATCH_TLS_CERT_FILE: z.string().min(1).optional(),
    KEEPWATCH_TLS_KEY_FILE: z.string().min(1).optional(),
    /**
     * Dashboard key pins announced to agents (comma-separated `sha256/…`), to replace the TLS
     * certificate without re-enrolling: list the current key's pin and the next one, let the
     * agents connect once, then switch the certificate. An agent takes the list only over a
     * connection verified by a pin that the list keeps. Unset: nothing is announced.
     */
    KEEPWATCH_AGENT_PINS: commaList((p) => p).refine(
      (list) => list.length <= 8 && list.every((p) => TlsPinSchema.safeParse(p).success),
      {
        message: 'must be at most 8 key pins (sha256/ and the base64 of 32 bytes) separated by commas',
      },
    ),
    /**
     * CA certificates (PEM) trusted for the ACME directory besides the system's: a private CA, or
     * pebble's test CA in the lab. There is no switch to turn verification off.
     */
    KEEPWATCH_ACME_CA_FILE: z.string().min(1).optional(),
    /** Bearer token a Prometheus scraper sends for /metrics; unset: /metrics answers direct connections from this host only. */
    KEEPWATCH_METRICS_TOKEN: z.string().min(16).optional(),
    /** Mark the session cookie `Secure` (set it when the dashboard is served over HTTPS). */
    KEEPWATCH_SECURE_COOKIES: bool.default(false),
    /**
     * Proxies whose X-Forwarded-For is believed (comma-separated IP addresses, e.g. a TLS proxy on
     * this host: 127.0.0.1). Rate limits and the audit log then use the forwarded client address;
     * a forwarded header from anyone else is ignored.
     */
    KEEPWATCH_TRUSTED_PROXIES: commaList((a) => a.toLowerCase()).refine((list) => list.every((a) => isIP(a) !== 0), {
      message: 'must be IP addresses separated by commas',
    }),
    /** Extra origins allowed to send mutations (besides the request's own Host), comma-separated. */
    KEEPWATCH_ALLOWED_ORIGINS: commaList((o) => o),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((e) => (e.KEEPWATCH_TLS_CERT_FILE === undefined) === (e.KEEPWATCH_TLS_KEY_FILE === undefined), {
    path: ['KEEPWATCH_TLS_KEY_FILE'],
    message: 'KEEPWATCH_TLS_CERT_FILE and KEEPWATCH_TLS_KEY_FILE go together: give both or neither',
  });
export type Env = z.infer<typeof EnvSchema>;

/** Where the secret key file belongs: KEEPWATCH_SECRET_KEY_FILE, else `secret.key` in the data folder's parent. */
export function wantedSecretKeyFile(env: Pick<Env, 'KEEPWATCH_SECRET_KEY_FILE' | 'KEEPWATCH_DATA_DIR'>): string {
  return resolve(env.KEEPWATCH_SECRET_KEY_FILE ?? join(dirname(resolve(env.KEEPWATCH_DATA_DIR)), 'secret.key'));
}

/** Where versions before KEEPWATCH_SECRET_KEY_FILE kept the key: inside the data folder. */
export function legacySecretKeyFile(env: Pick<Env, 'KEEPWATCH_DATA_DIR'>): string {
  return join(resolve(env.KEEPWATCH_DATA_DIR), 'secret.key');
}

/**
 * The secret key file in use: where it belongs, except for an older installation whose key is
 * still inside the data folder (serve moves it at start; when it could not, it is read there, so
 * the stored SSH keys keep opening). An explicit KEEPWATCH_SECRET_KEY_FILE is always used as is.
 */
export function secretKeyFile(env: Pick<Env, 'KEEPWATCH_SECRET_KEY_FILE' | 'KEEPWATCH_DATA_DIR'>): string {
  const wanted = wantedSecretKeyFile(env);
  if (env.KEEPWATCH_SECRET_KEY_FILE) return wanted;
  const legacy = legacySecretKeyFile(env);
  return !existsSync(wanted) && existsSync(legacy) ? legacy : wanted;
}

/**
 * Parses the environment; throws with one `NAME: problem` line per bad variable.
 *
 * @param source - the variables to read (process.env by default; tests pass their own).
 */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  // An empty variable (`DATABASE_URL=`) means unset, as in most shells' and compose files' usage.
  const r = EnvSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!r.success) {
    throw new Error(
      `invalid environment:\n${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  return r.data;
}
