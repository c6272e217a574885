import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openDatabase, type Database } from '../db/client';
import { createTestDatabase, type TestDatabase } from '../testing/db';
import { verifyAuditChain, writeAudit } from './audit';
import type { Actor } from './types';

const system: Actor = { kind: 'system', name: 'test', sourceAddress: '192.0.2.7' };

describe('audit log', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('chains each record to the previous one and verifies', async () => {
    for (let i = 0; i < 3; i++) {
      await db.prisma.$transaction((tx) =>
        writeAudit(tx, system, {
          action: 'test.write',
          targetType: 'thing',
          targetId: String(i),
          before: { n: i, z: [1, { b: 2, a: 1 }] },
          after: null,
        }),
      );
    }
    const rows = await db.prisma.auditLog.findMany({ orderBy: { seq: 'asc' } });
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    expect(rows[1]?.prevHash).toBe(rows[0]?.hash);
    expect(rows[2]?.prevHash).toBe(rows[1]?.hash);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true, count: 3 });
  });

  it('refuses UPDATE and DELETE on audit records (append-only trigger)', async () => {
    await expect(db.prisma.$executeRawUnsafe(`UPDATE "AuditLog" SET action = 'x' WHERE seq = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.prisma.$executeRawUnsafe(`DELETE FROM "AuditLog" WHERE seq = 1`)).rejects.toThrow(/append-only/);
  });

  it('keeps the chain linear when two dashboard instances write at once (advisory lock)', async () => {
    const other: Database = await openDatabase({ url: db.url, dataDir: '/nonexistent', poolMax: 5 });
    try {
      const before = await db.prisma.auditLog.count();
      const writer = (d: Database, who: string) =>
        Promise.all(
          Array.from({ length: 15 }, (_, i) =>
            d.prisma.$transaction((tx) =>
              writeAudit(
                tx,
                { kind: 'system', name: who, sourceAddress: null },
                { action: 'race', targetType: who, targetId: String(i) },
              ),
            ),
          ),
        );
      const [a, b] = await Promise.all([writer(db, 'a'), writer(other, 'b')]);
      const seqs = [...a, ...b].map((r) => r.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => before + 1 + i));
      expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: true, count: before + 30 });
    } finally {
      await other.close();
    }
  });

  it('reports the first broken link when a record is tampered with', async () => {
    // Only a superuser with the trigger disabled can do this; the chain still shows it.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query(`ALTER TABLE "AuditLog" DISABLE TRIGGER "AuditLog_append_only"`);
      await c.query(`UPDATE "AuditLog" SET "targetId" = 'forged' WHERE seq = 2`);
      await c.query(`ALTER TABLE "AuditLog" ENABLE TRIGGER "AuditLog_append_only"`);
    } finally {
      await c.end();
    }
    expect(await verifyAuditChain(db.prisma, 2)).toMatchObject({ ok: false, brokenAt: 2, reason: 'hash-mismatch' });
  });
});
