// Prisma 7 configuration for the CLI (`prisma generate`). The dashboard applies migrations itself
// at start (apps/web/src/server/db/migrate.ts), so `prisma migrate` is never needed; with
// internet access it also works, given DATABASE_URL.
import { defineConfig } from 'prisma/config';

const url = process.env.DATABASE_URL;

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  ...(url ? { datasource: { url } } : {}),
});
