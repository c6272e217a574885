/**
 * The `keepwatch-dashboard` command (server.ts runs it; compiled: `node dist/server.mjs`):
 *
 *   keepwatch-dashboard [serve]                    serve the dashboard (the default)
 *   keepwatch-dashboard migrate                    apply the migrations, then exit
 *   keepwatch-dashboard create-admin --username N  create the first admin; the password comes from
 *                                                  KEEPWATCH_ADMIN_PASSWORD or the first line of stdin
 *   keepwatch-dashboard --version | --help
 *
 * Configuration is the environment (env.ts; under systemd, /etc/keepwatch/dashboard.env).
 * Exit status: 0 done, 1 failed, 2 bad arguments or environment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadEnv, type Env } from '../env';
import { openDatabase } from './db/client';
import { NewPasswordSchema } from './auth/password';
import { createFirstAdmin } from './services/auth';
import { APP_DIR } from './layout';
import { serve } from './serve';
import { parseCli, USAGE, type CliArgs } from './cli-args';

/** The dashboard's version (apps/web/package.json, found beside the source or the compiled file). */
export function dashboardVersion(): string {
  const pkg = JSON.parse(readFileSync(join(APP_DIR, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

async function readLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

async function migrateOrCreateAdmin(env: Env, args: CliArgs): Promise<number> {
  const db = await openDatabase({
    url: env.DATABASE_URL,
    dataDir: env.KEEPWATCH_DATA_DIR,
    postgresBin: env.KEEPWATCH_POSTGRES_BIN,
  });
  try {
    if (args.command !== 'create-admin') {
      console.log(
        `${db.kind} database: applied ${db.migrations.applied.length} migration(s), ${db.migrations.alreadyApplied.length} already applied`,
      );
      return 0;
    }
    const password = NewPasswordSchema.safeParse(env.KEEPWATCH_ADMIN_PASSWORD ?? (await readLine()));
    if (!password.success) {
      console.error(`password: ${password.error.issues[0]?.message}`);
      return 2;
    }
    const r = await createFirstAdmin(db.prisma, { username: args.username, password: password.data }, 'cli');
    console.log(r.created ? `admin "${args.username}" created` : `not created: ${r.reason}`);
    return r.created ? 0 : 1;
  } finally {
    await db.close();
  }
}

/**
 * Runs the command. Resolves to the exit status, or to null for `serve`, which keeps the process
 * running until a signal stops it.
 */
export async function runCli(argv: string[], source: Record<string, string | undefined>): Promise<number | null> {
  const cli = parseCli(argv);
  if (!cli.ok) {
    console.error(`${cli.problems.join('\n')}\n${USAGE}`);
    return 2;
  }
  const { args } = cli;
  if (args.command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (args.command === 'version') {
    console.log(`keepwatch-dashboard ${dashboardVersion()}`);
    return 0;
  }
  let env: Env;
  try {
    env = loadEnv(source);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  try {
    if (args.command === 'serve') {
      await serve(env);
      return null;
    }
    return await migrateOrCreateAdmin(env, args);
  } catch (e) {
    console.error(`keepwatch-dashboard ${args.command}: ${(e as Error).message}`);
    return 1;
  }
}
