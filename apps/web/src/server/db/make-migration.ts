/**
 * `npm run db:diff -w @keepwatch/web -- NAME`: after editing prisma/schema.prisma, writes
 * prisma/migrations/<timestamp>_<NAME>/migration.sql with the SQL that brings the committed
 * migrations to the schema (the offline equivalent of `prisma migrate dev --create-only`).
 * Review the file, then commit it; the dashboard applies it at its next start.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { diffMigrationsToSchema, isEmptyDiff } from './schema-diff';
import { MIGRATIONS_DIR } from './migrate';

const { positionals } = parseArgs({ allowPositionals: true });
const name = z
  .string()
  .regex(/^[a-z0-9_]{1,60}$/, { message: 'the migration name must be lowercase letters, digits and "_"' })
  .safeParse(positionals[0]);
if (!name.success) {
  console.error(`usage: db:diff NAME\nNAME: ${name.error.issues[0]?.message}`);
  process.exit(2);
}
const sql = await diffMigrationsToSchema();
if (isEmptyDiff(sql)) {
  console.log('prisma/schema.prisma and the migrations agree: nothing to write');
} else {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const dir = join(MIGRATIONS_DIR, `${stamp}_${name.data}`);
  await mkdir(dir);
  await writeFile(join(dir, 'migration.sql'), sql);
  console.log(`wrote ${join(dir, 'migration.sql')}`);
}
