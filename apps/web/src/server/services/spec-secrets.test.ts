import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterSpecInput, VrrpInstance } from '@keepwatch/shared';
import { referenceSpec } from '../../../test/fixtures';
import { createApiWithCluster, type Api } from '../testing/api';
import { revisionSpec } from './rollout-reads';
import {
  SEALED_PREFIX,
  openInstanceSecrets,
  sealInstanceSecrets,
  sealStoredSecrets,
  specSecretKey,
} from './spec-secrets';

/**
 * Issue #15 finding 8: the VRRP password and auth_hmac keys are sealed at rest (in the instance
 * columns and in every stored revision) like the stored SSH keys, and open where they are used.
 */
const PASSWORD = 'Qx9^vR2k';
const HMAC_KEY = randomBytes(32).toString('hex');

function instance(over: Partial<VrrpInstance> = {}): VrrpInstance {
  const first = referenceSpec().vrrpInstances?.[0] as VrrpInstance;
  return { ...first, authentication: { type: 'pass', password: PASSWORD }, ...over };
}

describe('sealing an instance’s secrets', () => {
  const key = randomBytes(32);
  const clusterId = '00000000-0000-4000-8000-000000000001';
  const signed = instance({
    authentication: undefined,
    authHmac: { keys: [{ id: 1, hex: HMAC_KEY }], activeKey: 1, antiReplay: 'time', mode: 'enforce' },
  });

  it('replaces the password and each auth_hmac key by a sealed value, and opens them again', () => {
    const sealed = sealInstanceSecrets(instance(), key, clusterId);
    expect(sealed.authentication?.password.startsWith(SEALED_PREFIX)).toBe(true);
    expect(JSON.stringify(sealed)).not.toContain(PASSWORD);
    expect(openInstanceSecrets(sealed, key, clusterId)).toEqual(instance());
    const sealedHmac = sealInstanceSecrets(signed, key, clusterId);
    expect(JSON.stringify(sealedHmac)).not.toContain(HMAC_KEY);
    expect(sealedHmac.authHmac?.keys[0]?.id).toBe(1);
    expect(openInstanceSecrets(sealedHmac, key, clusterId)).toEqual(signed);
  });

  it('seals each time with a new IV, and leaves a sealed value as it is', () => {
    const a = sealInstanceSecrets(instance(), key, clusterId);
    expect(sealInstanceSecrets(instance(), key, clusterId).authentication?.password).not.toBe(
      a.authentication?.password,
    );
    expect(sealInstanceSecrets(a, key, clusterId)).toEqual(a);
  });

  it('opens a plain value (stored by an older version) as itself', () => {
    expect(openInstanceSecrets(instance(), key, clusterId)).toEqual(instance());
  });

  it('does not open a value copied into another instance or another cluster', () => {
    const sealed = sealInstanceSecrets(instance(), key, clusterId);
    expect(() => openInstanceSecrets({ ...sealed, name: 'VI_OTHER' }, key, clusterId)).toThrow(/cannot be unsealed/);
    expect(() => openInstanceSecrets(sealed, key, '00000000-0000-4000-8000-000000000002')).toThrow(
      /cannot be unsealed/,
    );
  });

  it('under another secret key, says which instance cannot be opened and what to do', () => {
    const sealed = sealInstanceSecrets(instance(), key, clusterId);
    expect(() => openInstanceSecrets(sealed, randomBytes(32), clusterId)).toThrow(
      /VRRP secrets of instance "VI_1" cannot be unsealed with this dashboard's secret key .*restore that key file/,
    );
  });
});

describe('secrets at rest in the database', () => {
  let api: Api;
  let clusterId: string;

  /** Every row of every table as text: what a dump of the database holds. */
  async function databaseText(): Promise<string> {
    const db = api.db.prisma;
    const tables = await db.$queryRaw<{ name: string }[]>`
      SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`;
    let text = '';
    for (const { name } of tables)
      text += (
        await db.$queryRawUnsafe<{ t: string }[]>(
          `SELECT row_to_json(x)::text AS t FROM "${name.replaceAll('"', '')}" x`,
        )
      )
        .map((r) => r.t)
        .join('\n');
    return text;
  }

  beforeAll(async () => {
    const spec: ClusterSpecInput = referenceSpec();
    spec.vrrpInstances = [
      instance(),
      instance({
        name: 'VI_HMAC',
        authentication: undefined,
        vrid: 52,
        version: 3,
        vips: [{ address: '192.0.2.181' }],
        authHmac: { keys: [{ id: 1, hex: HMAC_KEY }], activeKey: 1, antiReplay: 'time', mode: 'enforce' },
      }),
    ];
    const s = await createApiWithCluster(spec);
    api = s.api;
    clusterId = s.clusterId;
    // A second revision through an edit, and a revert: each stores the spec again.
    const edited = (await api.admin.instances.list({ clusterId }))[0]!;
    await api.admin.instances.update({
      id: edited.id,
      version: edited.version,
      instance: { ...edited.instance, advertIntervalMs: 2000 },
    });
    await api.admin.rollout.revert({ clusterId, number: 1, basedOn: 2 });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('holds neither the VRRP password nor the auth_hmac key in clear in any table', async () => {
    const text = await databaseText();
    expect(text).toContain(SEALED_PREFIX);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(HMAC_KEY);
  });

  it('pushes revisions to the agents with the secrets opened', async () => {
    for (const n of [1, 2, 3]) {
      const rev = await revisionSpec(api.db.prisma, clusterId, n);
      const [vi1, hmac] = rev?.spec.vrrpInstances ?? [];
      expect(vi1?.authentication?.password).toBe(PASSWORD);
      expect(hmac?.authHmac?.keys[0]?.hex).toBe(HMAC_KEY);
    }
  });

  it('shows an admin the secrets in clear where they edit and read them', async () => {
    const list = await api.admin.instances.list({ clusterId });
    expect(list.map((i) => i.instance.authentication?.password)).toContain(PASSWORD);
    const rev = await api.admin.clusters.revision({ clusterId, number: 3 });
    expect(JSON.stringify(rev.spec)).toContain(HMAC_KEY);
  });

  it('seals at start-up what an older version stored in clear, keeping each revision’s content and hash', async () => {
    const db = api.db.prisma;
    const plain = (await revisionSpec(db, clusterId, 1))!.spec;
    const first = await db.configRevision.findUniqueOrThrow({ where: { clusterId_number: { clusterId, number: 1 } } });
    // What a version before sealing left: the secrets in clear in a revision and in the columns.
    const old = await db.configRevision.create({
      data: { clusterId, number: 4, spec: plain as never, specHash: first.specHash, summary: 'old', createdBy: 'old' },
    });
    await db.vrrpInstance.updateMany({ where: { clusterId, name: 'VI_1' }, data: { authPassword: PASSWORD } });
    expect(await databaseText()).toContain(PASSWORD);

    expect(await sealStoredSecrets(db, specSecretKey())).toEqual({ instances: 1, revisions: 1 });
    expect(await databaseText()).not.toContain(PASSWORD);
    expect(await databaseText()).not.toContain(HMAC_KEY);
    expect((await revisionSpec(db, clusterId, 4))!.spec).toEqual(plain);
    const after = await db.configRevision.findUniqueOrThrow({ where: { id: old.id } });
    expect({ ...after, spec: null }).toEqual({ ...old, spec: null });
    expect((await api.admin.instances.list({ clusterId }))[0]?.instance.authentication?.password).toBe(PASSWORD);
    // Nothing left to do on the next start.
    expect(await sealStoredSecrets(db, specSecretKey())).toEqual({ instances: 0, revisions: 0 });
  });

  it('lets the database change a stored revision only by sealing its secrets', async () => {
    const db = api.db.prisma;
    const rev = await db.configRevision.findUniqueOrThrow({ where: { clusterId_number: { clusterId, number: 1 } } });
    const spec = rev.spec as { vrrpInstances: { vips: unknown[]; authentication?: { password: string } }[] };
    const update = (data: object) => db.configRevision.update({ where: { id: rev.id }, data });
    const vi1 = spec.vrrpInstances[0]!;
    // Another VIP, a secret put back in clear, another summary: each refused.
    const moved = { ...spec, vrrpInstances: [{ ...vi1, vips: [] }, ...spec.vrrpInstances.slice(1)] };
    await expect(update({ spec: moved })).rejects.toThrow(/append-only/);
    const clear = {
      ...spec,
      vrrpInstances: [{ ...vi1, authentication: { type: 'pass', password: PASSWORD } }, ...spec.vrrpInstances.slice(1)],
    };
    await expect(update({ spec: clear })).rejects.toThrow(/append-only/);
    await expect(update({ summary: 'rewritten' })).rejects.toThrow(/append-only/);
    // Sealed again (a new IV): the same content, allowed.
    const resealed = sealInstanceSecrets(
      openInstanceSecrets(vi1 as never, specSecretKey(), clusterId),
      specSecretKey(),
      clusterId,
    );
    expect(resealed).not.toEqual(vi1);
    await update({ spec: { ...spec, vrrpInstances: [resealed, ...spec.vrrpInstances.slice(1)] } });
  });
});
