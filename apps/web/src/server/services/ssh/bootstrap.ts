/**
 * Node bootstrap over SSH: install keepwatch-agent on a host and start it, enrolled to a node of
 * a cluster. Business rules here; the SSH mechanics in client.ts; progress in jobs.ts.
 *
 * 1. `probeHost`: key exchange only, returns the host key's SHA256 fingerprint (nothing sent).
 * 2. The admin compares it with the host's own (`ssh-keygen -l -f /etc/ssh/ssh_host_*_key.pub`)
 *    and confirms it. `startBootstrap` connects only if the host presents that key (checked in
 *    the key exchange, before authentication), then stores the confirmed key for the node; every
 *    later connection is checked against the stored key and a mismatch is refused loudly (both
 *    fingerprints, an error log line, an audit record) until an admin forgets the stored key.
 * 3. In the background (install.ts): upload the package (SFTP) — the .deb where the host has
 *    dpkg and systemd and the default layout is asked for, else the tarball —, write the agent
 *    config with a fresh one-time enrollment token and the dashboard URL, install (apt-get, or
 *    install.sh into the prefix: systemd when the host runs it, else the supervised process with
 *    a pid file), and wait until the node is enrolled and heard from.
 *
 * Private keys are used for the connection and forgotten, unless the admin asks to keep one;
 * then it is sealed with AES-256-GCM (secret-box.ts) bound to the node's id.
 */
import { z } from 'zod';
import { AbsolutePathSchema, ControlPlaneSchema, NginxLocalSchema } from '@keepwatch/shared';
import { AppError, notFound } from '../../errors';
import type { Logger } from '../../logger';
import { writeAudit } from '../audit';
import { issueEnrollToken } from '../nodes';
import type { Actor, Db } from '../types';
import {
  connectVerified,
  describeTarget,
  probeHostKey,
  SshAuthSchema,
  SshTargetSchema,
  type SshAuth,
  type SshSession,
} from './client';
import { FingerprintSchema, HostKeyChangedError, sameFingerprint, type HostKey } from './fingerprint';
import { DEFAULT_PREFIX, runInstall } from './install';
import type { JobStore } from './jobs';
import { sealSecret } from './secret-box';
import { unsealStoredKey, type BootstrapSettings } from './settings';

export { agentConfigFor, DEF_ONLINE_TIMEOUT_MS, DEFAULT_PREFIX, layoutFor, shellQuote } from './install';

export const ProbeInputSchema = z.strictObject({
  host: SshTargetSchema.shape.host,
  port: SshTargetSchema.shape.port,
  /** When given, the answer says whether the key matches the one stored for this node. */
  nodeId: z.uuid().optional(),
});

export const StartInputSchema = z.strictObject({
  nodeId: z.uuid({ message: 'must be an id (UUID)' }),
  target: SshTargetSchema,
  /** `stored`: the private key kept (sealed) from an earlier bootstrap of this node. */
  auth: z.union([SshAuthSchema, z.strictObject({ kind: z.literal('stored') })]),
  /** The fingerprint the admin confirmed; required unless one is stored for the node. */
  confirmedFingerprint: FingerprintSchema.optional(),
  /** Keep the private key, sealed (AES-256-GCM), for later runs. Default: forget it. */
  keepPrivateKey: z.boolean().default(false),
  prefix: AbsolutePathSchema.default(DEFAULT_PREFIX),
  /** The dashboard as the host reaches it (ws://, wss:// or ws+unix://…:/agent). */
  serverUrl: ControlPlaneSchema.shape.url,
  /** `auto`: systemd when the host runs it; `never`: always the supervised process. */
  systemd: z.enum(['auto', 'never']).default('auto'),
  /** This host's nginx (paths, start command); default: Debian's package. */
  nginx: NginxLocalSchema.optional(),
});
export type StartInput = z.input<typeof StartInputSchema>;

export type BootstrapDeps = {
  db: Db;
  log: Logger;
  settings: BootstrapSettings;
  jobs: JobStore;
  onlineTimeoutMs?: number;
};

export async function probeHost(
  db: Db,
  input: z.infer<typeof ProbeInputSchema>,
): Promise<
  HostKey & {
    stored: (HostKey & { host: string; port: number; username: string }) | null;
    matchesStored: boolean | null;
  }
> {
  let key: HostKey;
  try {
    key = await probeHostKey(input);
  } catch (e) {
    throw new AppError('BAD_REQUEST', {
      field: 'host',
      message: `cannot reach the SSH server: ${(e as Error).message}`,
    });
  }
  const stored = input.nodeId ? await db.sshHost.findUnique({ where: { nodeId: input.nodeId } }) : null;
  return {
    ...key,
    stored: stored
      ? {
          fingerprint: stored.hostKeyFingerprint,
          keyType: stored.hostKeyType,
          host: stored.host,
          port: stored.port,
          username: stored.username,
        }
      : null,
    matchesStored: stored ? sameFingerprint(stored.hostKeyFingerprint, key.fingerprint) : null,
  };
}

/** What is stored for the node's host (never the key itself). */
export async function storedHost(db: Db, nodeId: string) {
  const h = await db.sshHost.findUnique({ where: { nodeId } });
  return h
    ? {
        host: h.host,
        port: h.port,
        username: h.username,
        fingerprint: h.hostKeyFingerprint,
        keyType: h.hostKeyType,
        hasStoredKey: h.encryptedPrivateKey !== null,
        updatedAt: h.updatedAt,
      }
    : null;
}

/** Forgets the confirmed host key (and any stored private key) of a node; audited. */
export async function forgetHostKey(db: Db, actor: Actor, input: { nodeId: string }): Promise<{ forgotten: boolean }> {
  return db.$transaction(async (tx) => {
    const h = await tx.sshHost.findUnique({ where: { nodeId: input.nodeId } });
    if (!h) return { forgotten: false };
    await tx.sshHost.delete({ where: { nodeId: input.nodeId } });
    await writeAudit(tx, actor, {
      action: 'node.ssh.forget-host-key',
      targetType: 'node',
      targetId: input.nodeId,
      before: { host: h.host, port: h.port, fingerprint: h.hostKeyFingerprint, keyType: h.hostKeyType },
    });
    return { forgotten: true };
  });
}

/**
 * Connects (refusing a host whose key is not the confirmed one), stores the host key, issues the
 * enrollment token, and starts the job that installs and starts the agent. Resolves once the job
 * runs; its progress is `deps.jobs.get(jobId)`.
 */

export async function startBootstrap(
  deps: BootstrapDeps,
  actor: Actor,
  raw: StartInput,
): Promise<{ jobId: string; hostKey: HostKey }> {
  const input = StartInputSchema.parse(raw);
  const node = await deps.db.node.findUnique({
    where: { id: input.nodeId },
    select: { id: true, name: true, sshHost: true },
  });
  if (!node) throw notFound('node', 'nodeId');
  if (deps.jobs.runningFor(node.id))
    throw new AppError('CONFLICT', { field: 'nodeId', message: `a bootstrap of node ${node.name} is already running` });
  const stored = node.sshHost;
  if (stored && input.confirmedFingerprint && !sameFingerprint(stored.hostKeyFingerprint, input.confirmedFingerprint)) {
    throw new AppError('CONFLICT', {
      field: 'confirmedFingerprint',
      message: `node ${node.name} already has a confirmed host key ${stored.hostKeyFingerprint} (${stored.host}:${stored.port}); forget it first if the host's key really changed`,
    });
  }
  const expected: HostKey | null = stored
    ? { fingerprint: stored.hostKeyFingerprint, keyType: stored.hostKeyType }
    : input.confirmedFingerprint
      ? { fingerprint: input.confirmedFingerprint, keyType: 'unconfirmed' }
      : null;
  if (!expected)
    throw new AppError('BAD_REQUEST', {
      field: 'confirmedFingerprint',
      message: "confirm the host key first: probe the host and compare its fingerprint with the host's own",
    });

  let auth: SshAuth;
  if (input.auth.kind === 'stored') {
    if (!stored?.encryptedPrivateKey)
      throw new AppError('BAD_REQUEST', {
        field: 'auth',
        message: `no private key is stored for node ${node.name}; give a key or a password`,
      });
    auth = { kind: 'key', privateKey: unsealStoredKey(deps.settings, stored.encryptedPrivateKey, node) };
  } else auth = input.auth;
  const [packagePath, debPath] = (() => {
    try {
      return [deps.settings.packagePath(), deps.settings.debPath()] as const;
    } catch (e) {
      throw new AppError('INTERNAL', { message: (e as Error).message });
    }
  })();

  const target = describeTarget(input.target);
  let session: SshSession;
  try {
    session = await connectVerified(input.target, auth, expected);
  } catch (e) {
    if (e instanceof HostKeyChangedError) {
      deps.log.error(
        { node: node.name, target, expected: e.expected.fingerprint, actual: e.actual.fingerprint },
        'ssh host key changed: connection refused',
      );
      await deps.db.$transaction((tx) =>
        writeAudit(tx, actor, {
          action: 'node.ssh.host-key-refused',
          targetType: 'node',
          targetId: node.id,
          after: {
            target,
            expected: e.expected.fingerprint,
            actual: e.actual.fingerprint,
            actualType: e.actual.keyType,
          },
        }),
      );
      throw new AppError('CONFLICT', { field: 'confirmedFingerprint', message: e.message, cause: e });
    }
    throw new AppError('BAD_REQUEST', { field: 'target', message: (e as Error).message, cause: e });
  }

  let token: string;
  try {
    const keep =
      input.auth.kind === 'stored'
        ? (stored?.encryptedPrivateKey ?? null)
        : input.keepPrivateKey && auth.kind === 'key'
          ? sealSecret(deps.settings.secretKey(), auth.privateKey, node.id)
          : null;
    const data = {
      host: input.target.host,
      port: input.target.port,
      username: input.target.username,
      hostKeyFingerprint: session.hostKey.fingerprint,
      hostKeyType: session.hostKey.keyType,
      encryptedPrivateKey: keep,
    };
    token = await deps.db.$transaction(
      async (tx) => {
        await tx.sshHost.upsert({ where: { nodeId: node.id }, create: { nodeId: node.id, ...data }, update: data });
        const t = await issueEnrollToken(tx, actor, { id: node.id });
        await writeAudit(tx, actor, {
          action: 'node.ssh-bootstrap',
          targetType: 'node',
          targetId: node.id,
          after: {
            node: node.name,
            target,
            fingerprint: session.hostKey.fingerprint,
            keyType: session.hostKey.keyType,
            firstConfirmation: !stored,
            prefix: input.prefix,
            systemd: input.systemd,
            privateKeyKept: keep !== null,
          },
        });
        return t.token;
      },
      { maxWait: 10_000, timeout: 30_000 },
    );
  } catch (e) {
    session.close();
    throw e;
  }

  const job = deps.jobs.create(node.id, node.name, target);
  job.add(
    'step',
    `connected to ${target}; host key ${session.hostKey.fingerprint} (${session.hostKey.keyType}) matches the confirmed one`,
  );
  const log = deps.log.child({ job: job.id, node: node.name, target });
  void runInstall(deps, job, session, {
    ...input,
    packagePath,
    debPath,
    node: { id: node.id, name: node.name },
    token,
  }).then(
    (done) => {
      job.succeed(done);
      log.info('ssh bootstrap finished');
    },
    (e: unknown) => {
      job.fail((e as Error).message);
      log.warn({ err: e }, 'ssh bootstrap failed');
    },
  );
  return { jobId: job.id, hostKey: session.hostKey };
}
