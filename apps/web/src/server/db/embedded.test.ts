import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './client';
import { createFirstAdmin, login } from '../services/auth';
import { importCluster } from '../services/clusters';
import { verifyAuditChain, writeAudit } from '../services/audit';
import { ClusterSpecSchema } from '@keepwatch/shared';
import { referenceSpec } from '../../../test/fixtures';

describe('embedded database (no DATABASE_URL)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keepwatch-embedded-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('boots in a local data folder: migrations, first admin, sign-in, a cluster revision, the audit chain — and keeps them across a restart', async () => {
    const db = await openDatabase({ dataDir: join(dir, 'data') });
    try {
      expect(db.kind).toBe('embedded');
      expect(db.migrations.applied.length).toBeGreaterThan(0);
      expect(
        await createFirstAdmin(db.prisma, { username: 'admin', password: 'a long enough password' }, 'test'),
      ).toEqual({ created: true });
      const r = await login(db.prisma, { username: 'admin', password: 'a long enough password', sourceAddress: null });
      expect(r.ok).toBe(true);
      const actor = { kind: 'system' as const, name: 'test', sourceAddress: null };
      const c = await db.prisma.$transaction((tx) =>
        importCluster(tx, actor, { spec: ClusterSpecSchema.parse(referenceSpec()) }),
      );
      expect(c.revision).toBe(1);
      // One in-process connection: concurrent transactions must still be isolated, a rolled-back
      // one leaving no audit record and no hole in the chain.
      const rs = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          db.prisma.$transaction(async (tx) => {
            await writeAudit(tx, actor, { action: 'test.concurrent', targetType: 'test', targetId: String(i) });
            if (i % 2 === 0) throw new Error(`rolled back ${i}`);
          }),
        ),
      );
      expect(rs.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    } finally {
      await db.close();
    }
    const again = await openDatabase({ dataDir: join(dir, 'data') });
    try {
      expect(again.migrations.applied).toEqual([]);
      expect(await again.prisma.configRevision.count()).toBe(1);
      expect(await verifyAuditChain(again.prisma)).toMatchObject({ ok: true, count: 6 });
    } finally {
      await again.close();
    }
  });
});
