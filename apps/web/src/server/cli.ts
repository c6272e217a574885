/**
 * `npm run db:migrate -w @keepwatch/web` — apply the migrations (DATABASE_URL or the embedded database).
 * `npm run admin:create -w @keepwatch/web -- --username NAME` — create the first admin; the password
 * comes from KEEPWATCH_ADMIN_PASSWORD or, if unset, the first line of standard input.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadEnv } from '../env';
import { openDatabase } from './db/client';
import { NewPasswordSchema } from './auth/password';
import { createFirstAdmin } from './services/auth';
import { UsernameSchema } from './routers/users';

const ArgsSchema = z.discriminatedUnion('command', [
  z.object({ command: z.literal('migrate') }),
  z.object({ command: z.literal('create-admin'), username: UsernameSchema }),
]);

async function readLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ options: { username: { type: 'string' } }, allowPositionals: true });
  const args = ArgsSchema.safeParse({ command: positionals[0], ...values });
  if (!args.success) {
    console.error(
      `usage: cli.ts migrate | create-admin --username NAME\n${args.error.issues.map((i) => `${i.path.join('.') || 'command'}: ${i.message}`).join('\n')}`,
    );
    return 2;
  }
  const env = loadEnv();
  const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.KEEPWATCH_DATA_DIR });
  try {
    if (args.data.command === 'migrate') {
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
    const r = await createFirstAdmin(db.prisma, { username: args.data.username, password: password.data }, 'cli');
    console.log(r.created ? `admin "${args.data.username}" created` : `not created: ${r.reason}`);
    return r.created ? 0 : 1;
  } finally {
    await db.close();
  }
}

process.exitCode = await main();
