import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from './client';
import { diffMigrationsToSchema, isEmptyDiff } from './schema-diff';
import { createTestDatabase, type TestDatabase } from '../testing/db';

// Guards the usual mistake — a schema.prisma change without its migration (npm run db:diff).
describe('migrations and schema.prisma agree', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(1);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("Prisma's schema engine finds nothing between the committed migrations and schema.prisma", async () => {
    const sql = await diffMigrationsToSchema();
    expect(isEmptyDiff(sql), sql).toBe(true);
  });

  it('every model is a table with exactly the columns the generated client reads and writes', async () => {
    const rows = await db.prisma.$queryRawUnsafe<{ table_name: string; column_name: string }[]>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const actual: Record<string, string[]> = {};
    for (const r of rows) (actual[r.table_name] ??= []).push(r.column_name);
    const expected: Record<string, string[]> = {};
    const ns = Prisma as unknown as Record<string, Record<string, string>>;
    for (const model of Object.values(Prisma.ModelName)) {
      expected[model] = Object.values(ns[`${model}ScalarFieldEnum`] ?? {});
    }
    const sorted = (o: Record<string, string[]>) =>
      Object.fromEntries(
        Object.entries(o)
          .sort()
          .map(([k, v]) => [k, [...v].sort()]),
      );
    expect(sorted(actual)).toEqual(sorted(expected));
  });
});
