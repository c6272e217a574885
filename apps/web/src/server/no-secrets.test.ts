import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { appRouter } from './root';
import { LocalEventBus } from './bus';
import { createApiWithCluster, type Api, type Caller } from './testing/api';
import { referenceSpec } from '../../test/fixtures';

/**
 * Issue #15 finding 4: no secret reaches a role that should not see it. Every query and
 * subscription of the router (read from the router itself, so a new one is covered without
 * editing this file) is called as a viewer and as an operator on a cluster that has a VRRP
 * password, a stored SSH key, an enrollment token, an agent credential and sessions; no output
 * may contain any of them, nor a password hash.
 */
const VRRP_PASSWORD = 'Zq7~x^Pw';
const HMAC_KEY = randomBytes(32).toString('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

type Kind = 'query' | 'subscription';
const procedureMap = appRouter._def.procedures as unknown as Record<
  string,
  { _def: { type: string; inputs: ZodLike[] } }
>;
const procedures = Object.entries(procedureMap)
  .filter(([, p]) => p._def.type === 'query' || p._def.type === 'subscription')
  .map(([path, p]) => ({ path, kind: p._def.type as Kind }))
  .sort((a, b) => a.path.localeCompare(b.path));

/** Values for the input fields procedures take, by name; a required field not here fails the test. */
function fieldValues(clusterId: string): Record<string, unknown> {
  return {
    clusterId,
    id: clusterId,
    number: 1,
    limit: 100,
    since: new Date(Date.now() - 3600_000),
  };
}

interface ZodLike {
  def?: { type?: string; innerType?: ZodLike; shape?: Record<string, ZodLike> };
  shape?: Record<string, ZodLike>;
}

/** An input for the procedure's schema from `fieldValues`: optional fields without a value are left out. */
function inputFor(path: string, clusterId: string): unknown {
  const proc = procedureMap[path];
  const schema = proc?._def.inputs[0];
  if (!schema) return undefined;
  const unwrap = (s: ZodLike): { s: ZodLike; optional: boolean } => {
    const t = s.def?.type;
    if ((t === 'optional' || t === 'default') && s.def?.innerType)
      return { s: unwrap(s.def.innerType).s, optional: true };
    return { s, optional: false };
  };
  const { s } = unwrap(schema);
  const shape = s.shape ?? s.def?.shape;
  if (!shape) throw new Error(`${path}: input is not an object; teach this test its value`);
  const values = fieldValues(clusterId);
  const out: Record<string, unknown> = {};
  for (const [k, field] of Object.entries(shape)) {
    if (k in values) out[k] = values[k];
    else if (!unwrap(field).optional)
      throw new Error(`${path}: no value for required field "${k}"; add it to fieldValues`);
  }
  return out;
}

function callByPath(caller: Caller, path: string, input: unknown): Promise<unknown> {
  let fn: unknown = caller;
  for (const part of path.split('.')) fn = (fn as Record<string, unknown>)[part];
  return (fn as (i: unknown) => Promise<unknown>)(input);
}

/**
 * The first event a subscription yields after `act` (bounded: 5 s). The first `next()` starts the
 * subscription (it subscribes lazily), so it is asked for before `act` runs.
 */
async function firstEventAfter(iterable: AsyncIterable<unknown>, act: () => Promise<void>): Promise<unknown> {
  const it = iterable[Symbol.asyncIterator]();
  const first = it.next();
  await act();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no event within 5 s')), 5000);
  });
  try {
    const r = await Promise.race([first, timeout]);
    return r.done ? null : r.value;
  } finally {
    clearTimeout(timer);
    await it.return?.();
  }
}

describe('no secret in any read as viewer or operator', () => {
  let api: Api;
  let clusterId: string;
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    const spec = referenceSpec();
    const [first] = spec.vrrpInstances ?? [];
    if (!first) throw new Error('the reference spec has no instance');
    spec.vrrpInstances = [
      { ...first, authentication: { type: 'pass', password: VRRP_PASSWORD } },
      // A second instance signs its adverts (auth_hmac); its key is as secret as the password.
      {
        ...first,
        name: 'VI_HMAC',
        authentication: undefined,
        vrid: 52,
        version: 3,
        vips: [{ address: '192.0.2.181' }],
        authHmac: { keys: [{ id: 1, hex: HMAC_KEY }], activeKey: 1 },
      },
    ];
    const s = await createApiWithCluster(spec);
    api = s.api;
    clusterId = s.clusterId;
    api.deps.bus = new LocalEventBus(api.deps.log);
    const db = api.db.prisma;
    const [lb1, lb2] = Object.values(s.nodeIds) as [string, string];
    secrets['VRRP password'] = VRRP_PASSWORD;
    secrets['auth_hmac key'] = HMAC_KEY;
    const { token } = await api.admin.nodes.issueEnrollToken({ id: lb1 });
    secrets['enrollment token'] = token;
    secrets['enrollment token hash'] = sha256(token);
    const credential = randomBytes(32).toString('base64url');
    await db.node.update({ where: { id: lb2 }, data: { credentialHash: sha256(credential) } });
    secrets['agent credential'] = credential;
    secrets['agent credential hash'] = sha256(credential);
    const sealed = [16, 16, 96].map((n) => randomBytes(n).toString('base64'));
    await db.sshHost.create({
      data: {
        nodeId: lb1,
        host: '192.0.2.21',
        username: 'root',
        hostKeyFingerprint: 'SHA256:abc',
        hostKeyType: 'ssh-ed25519',
        encryptedPrivateKey: sealed.join(':'),
      },
    });
    secrets['sealed SSH key'] = sealed[2] as string;
    // A stored TLS certificate's key (issue #17 item 1): sealed, and never selected by a read.
    const certKey = randomBytes(96).toString('base64');
    await db.certificate.create({
      data: {
        clusterId,
        name: 'www',
        certificatePem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
        chainPem: '',
        sealedKey: `kwsealed:v1:${randomBytes(12).toString('base64')}:${randomBytes(16).toString('base64')}:${certKey}`,
        names: ['www.example.test'],
        subject: 'CN=www.example.test',
        issuer: 'CN=www.example.test',
        notBefore: new Date(),
        notAfter: new Date(Date.now() + 86_400_000),
        fingerprintSha256: 'AB:CD',
      },
    });
    secrets['sealed certificate key'] = certKey;
    const sessionToken = randomBytes(32).toString('base64url');
    await db.session.create({
      data: { tokenHash: sha256(sessionToken), userId: api.users.viewer.id, expiresAt: new Date(Date.now() + 60_000) },
    });
    secrets['session token hash'] = sha256(sessionToken);
    for (const u of await db.user.findMany()) secrets[`password hash of ${u.username}`] = u.passwordHash;
    // A failed sign-in and a changed password: both land in the audit log the viewer reads.
    await api
      .as(null)
      .caller.session.login({ username: 'viewer1', password: 'Zq7~x^Pw-typed-as-login' })
      .catch(() => {});
    secrets['password typed at a failed sign-in'] = 'Zq7~x^Pw-typed-as-login';
  });
  afterAll(async () => {
    await api?.close();
  });

  it('covers the queries and subscriptions of the router', () => {
    expect(procedures.filter((p) => p.kind === 'query').length).toBeGreaterThan(20);
    expect(procedures.filter((p) => p.kind === 'subscription').length).toBeGreaterThan(0);
  });

  const cases = procedures.flatMap((p) => (['viewer', 'operator'] as const).map((role) => ({ ...p, role })));
  it.each(cases)('$path ($kind) as $role returns no secret', async ({ path, kind, role }) => {
    const caller = api.as(role).caller;
    let input: unknown;
    try {
      input = inputFor(path, clusterId);
    } catch (e) {
      // No value for its input: then the role must be refused before the input is read.
      const code = await callByPath(caller, path, {}).then(
        () => 'ok',
        (err: unknown) => (err instanceof TRPCError ? err.code : String(err)),
      );
      if (code !== 'FORBIDDEN') throw e;
      return;
    }
    let outputs: unknown[];
    try {
      if (kind === 'query') outputs = [await callByPath(caller, path, input)];
      else {
        const iterable = (await callByPath(caller, path, input)) as AsyncIterable<unknown>;
        // A change while subscribed: the event it causes is the subscription's output.
        const admin = api.as('admin').caller;
        outputs = [
          await firstEventAfter(iterable, async () => {
            const inst = (await admin.instances.list({ clusterId }))[0];
            if (!inst) throw new Error('no instance');
            await admin.instances.update({ id: inst.id, version: inst.version, instance: inst.instance });
          }),
        ];
      }
    } catch (e) {
      // Refused before running: nothing was returned.
      expect(e).toBeInstanceOf(TRPCError);
      expect((e as TRPCError).code).toBe('FORBIDDEN');
      return;
    }
    const text = JSON.stringify(outputs);
    const found = Object.entries(secrets)
      .filter(([, v]) => text.includes(v))
      .map(([k]) => k);
    if (/\$argon2|PRIVATE KEY/.test(text)) found.push('a password hash or private key');
    expect(found).toEqual([]);
  });
});
