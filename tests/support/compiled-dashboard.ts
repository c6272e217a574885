/**
 * The compiled dashboard (apps/web/dist/server.mjs, what production and the systemd unit run with
 * plain node) as a command, and what the service tests need around it: a seeded installation, a
 * snapshot of what it serves, and PostgreSQL's own client tools on the tests' server.
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PG_BIN } from '../../apps/web/test/postgres.js';
import type { TrpcHttp } from './trpc-http.js';

export const WEB_DIR = fileURLToPath(new URL('../../apps/web/', import.meta.url));
export const COMPILED_SERVER = join(WEB_DIR, 'dist', 'server.mjs');

export type CommandResult = { status: number | null; stdout: string; stderr: string };

/** The environment of a command: this process's, without a database choice of its own. */
function commandEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  for (const k of Object.keys(base)) if (k === 'DATABASE_URL' || k.startsWith('KEEPWATCH_')) delete base[k];
  return { ...base, ...env };
}

/** Runs `node dist/server.mjs ARGS` to the end (migrate, create-admin, --version …). */
export function runDashboardCommand(args: string[], env: Record<string, string> = {}, input = ''): CommandResult {
  if (!existsSync(COMPILED_SERVER))
    throw new Error(`${COMPILED_SERVER} is missing: build it with \`npm run build -w @keepwatch/web\``);
  const r = spawnSync(process.execPath, [COMPILED_SERVER, ...args], {
    cwd: WEB_DIR,
    env: commandEnv(env),
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A two-node cluster on RFC 5737 addresses. */
export function clusterSpec(name: string, vrid: number) {
  return {
    name,
    nodes: [
      { name: 'lb1', addresses: ['192.0.2.11'], interfaces: ['eth0'] },
      { name: 'lb2', addresses: ['192.0.2.12'], interfaces: ['eth0'] },
    ],
    vrrpInstances: [
      {
        name: 'VI_1',
        vrid,
        version: 3,
        interface: 'eth0',
        members: [
          { node: 'lb1', priority: 100, initialState: 'master' },
          { node: 'lb2', priority: 80, initialState: 'backup' },
        ],
        vips: [{ address: `198.51.100.${vrid}` }],
      },
    ],
    checks: [],
    pools: [{ name: 'webs', servers: [{ address: '203.0.113.21', port: 80 }] }],
    virtualServers: [{ name: 'server-1', listen: [{ port: 80 }], locations: [{ path: '/', pool: 'webs' }] }],
  };
}

/** Clusters, revisions, a user and the audit records all of that writes. */
export async function seedInstallation(api: TrpcHttp): Promise<void> {
  const edge = await api.mutate<{ id: string }>('clusters.import', { spec: clusterSpec('edge', 51) });
  await api.mutate('clusters.import', { spec: clusterSpec('core', 52) });
  const edgeNow = await api.query<{ version: number }>('clusters.get', { id: edge.id });
  await api.mutate('clusters.rename', { id: edge.id, version: edgeNow.version, name: 'edge-eu' });
  await api.mutate('users.create', { username: 'vera', password: 'a long viewer password', role: 'viewer' });
}

export type Snapshot = {
  clusters: unknown[];
  revisions: Record<string, unknown[]>;
  nodes: Record<string, unknown[]>;
  users: unknown[];
  audit: { ok: boolean; count: number; headHash?: string };
};

/** What an installation serves through its API: to compare before a backup and after a restore or an upgrade. */
export async function snapshot(api: TrpcHttp): Promise<Snapshot> {
  const clusters = await api.query<{ id: string; name: string }[]>('clusters.list');
  const revisions: Record<string, unknown[]> = {};
  const nodes: Record<string, unknown[]> = {};
  for (const c of clusters) {
    revisions[c.name] = await api.query<unknown[]>('clusters.revisions', { clusterId: c.id, limit: 100 });
    const list = await api.query<{ node: { name: string; addresses: string[] } }[]>('nodes.list', { clusterId: c.id });
    nodes[c.name] = list.map((n) => ({ name: n.node.name, addresses: n.node.addresses }));
  }
  const users = (await api.query<{ username: string; role: string }[]>('users.list')).map((u) => ({
    username: u.username,
    role: u.role,
  }));
  const audit = await api.query<Snapshot['audit']>('audit.verify');
  return { clusters, revisions, nodes, users, audit };
}

/** Runs one of PostgreSQL's client programs (psql, pg_dump, pg_restore); throws with its output when it fails. */
export function pgTool(tool: 'psql' | 'pg_dump' | 'pg_restore', args: string[]): string {
  const r = spawnSync(join(PG_BIN, tool), args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Creates database `name` on the server of `adminUrl` (a URL to its `postgres` database). */
export function createDatabase(adminUrl: string, name: string): void {
  pgTool('psql', ['-v', 'ON_ERROR_STOP=1', '-q', '-d', adminUrl, '-c', `CREATE DATABASE "${name}"`]);
}

/** A new OpenSSH private key (ed25519, no passphrase), as an admin would keep for bootstrap. */
export function newPrivateKey(dir: string): string {
  const file = join(dir, `id_ed25519_${randomBytes(4).toString('hex')}`);
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'keepwatch-test', '-f', file], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  return readFileSync(file, 'utf8');
}

/**
 * Seals `plaintext` the way the dashboard stores a kept SSH private key (SshHost.encryptedPrivateKey:
 * AES-256-GCM, the row's node id as associated data, `iv:tag:ciphertext` in base64). Written out
 * here on purpose: a stored key must keep opening across versions, so the tests pin the format.
 */
export function sealLikeTheDashboard(key: Buffer, plaintext: string, nodeId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(nodeId, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), ct].map((b) => b.toString('base64')).join(':');
}

/** Stores a kept, sealed private key for `nodeId` straight in PostgreSQL (what a bootstrap with "keep" leaves). */
export function storeSealedKey(url: string, nodeId: string, sealed: string): void {
  const fingerprint = `SHA256:${'A'.repeat(43)}`;
  pgTool('psql', [
    '-v',
    'ON_ERROR_STOP=1',
    '-q',
    '-d',
    url,
    '-c',
    `INSERT INTO "SshHost" (id, "nodeId", host, port, username, "hostKeyFingerprint", "hostKeyType", "encryptedPrivateKey", "updatedAt")
     VALUES (gen_random_uuid(), '${nodeId}', '127.0.0.1', 22, 'root', '${fingerprint}', 'ssh-ed25519', '${sealed}', now())`,
  ]);
}

/**
 * Asks the dashboard to bootstrap `nodeId` with its stored key against a loopback port where
 * nothing listens: the answer says how far it got — the key is unsealed first, the connection
 * comes after (refused).
 */
export async function bootstrapWithStoredKey(api: TrpcHttp, nodeId: string, closedPort: number) {
  const r = await api.call(
    'bootstrap.start',
    {
      nodeId,
      target: { host: '127.0.0.1', port: closedPort, username: 'root' },
      auth: { kind: 'stored' },
      serverUrl: 'ws://127.0.0.1:3000/agent',
    },
    { mutation: true },
  );
  if (r.ok) throw new Error('bootstrap.start was expected to fail (nothing listens on the target port)');
  return { field: r.error.data?.field ?? null, message: r.error.message };
}
