/**
 * The embedded database: a PostgreSQL server of the dashboard's own, started from the host's
 * PostgreSQL server programs as a child process on a cluster inside the data folder (issue 16: it
 * idles at a fraction of PGlite's memory, and it is the same server and LISTEN/NOTIFY path as
 * production). It listens on no TCP port, only on a unix socket inside its own 0700 cluster
 * folder, with a password kept beside the cluster (0600), so only the dashboard connects.
 * How its programs run (as root too, and stopped with the dashboard): embedded-runner.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { ownedByPostgres, postgresUser, run, runner } from './embedded-runner';

/** The cluster folder inside the data folder. */
export const CLUSTER_DIR = 'postgresql';
/** The superuser's password, beside the cluster (the server's user cannot read it when that is `postgres`). */
export const PASSWORD_FILE = 'postgresql.password';
const PORT = 5432; // names the socket file only: nothing listens on TCP
const SOCKET_PATH_MAX = 107; // sun_path
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export interface EmbeddedServer {
  url: string;
  pid: number;
  /** The major version of the server programs in use. */
  version: number;
  stop(): Promise<void>;
}

export interface EmbeddedServerOptions {
  dataDir: string;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Where to look for PostgreSQL's server programs (KEEPWATCH_POSTGRES_BIN); default: the usual places. */
  binDir?: string | undefined;
  /** Called when the server exits without being stopped (killed, crashed): the dashboard cannot go on. */
  onUnexpectedExit?: ((code: number | null) => void) | undefined;
}

/** Every installed server's bin folder by major version: Debian's, PGDG's on RHEL, RHEL's own. */
export function installedServers(): Map<number, string> {
  const found = new Map<number, string>();
  const add = (dir: string) => {
    if (!existsSync(join(dir, 'postgres')) || !existsSync(join(dir, 'initdb'))) return;
    const v = serverMajor(dir);
    if (v !== undefined && !found.has(v)) found.set(v, dir);
  };
  for (const [root, bin] of [
    ['/usr/lib/postgresql', (v: string) => `/usr/lib/postgresql/${v}/bin`],
    ['/usr', (v: string) => (v.startsWith('pgsql-') ? `/usr/${v}/bin` : '')],
  ] as const) {
    if (!existsSync(root)) continue;
    for (const v of readdirSync(root)) if (bin(v)) add(bin(v));
  }
  add('/usr/bin');
  return found;
}

function serverMajor(binDir: string): number | undefined {
  // The binary carries its `postgres --version` text; reading it costs no process.
  const bin = readFileSync(join(binDir, 'postgres'));
  const at = bin.indexOf('(PostgreSQL) ');
  const m = at < 0 ? null : /^(\d+)/.exec(bin.subarray(at + 13, at + 20).toString('latin1'));
  return m ? Number(m[1]) : undefined;
}

function givenServer(binDir: string): Map<number, string> {
  const ok = existsSync(join(binDir, 'postgres')) && existsSync(join(binDir, 'initdb'));
  const version = ok ? serverMajor(binDir) : undefined;
  return version === undefined ? new Map() : new Map([[version, binDir]]);
}

/** The server programs for a cluster of major `want` (or the newest for a new cluster), or a clear error. */
export function chooseServer(want: number | undefined, binDir: string | undefined): { dir: string; version: number } {
  const servers = binDir ? givenServer(binDir) : installedServers();
  if (servers.size === 0) {
    throw new Error(
      binDir
        ? `KEEPWATCH_POSTGRES_BIN=${binDir} has no PostgreSQL server programs (postgres, initdb)`
        : 'the embedded database needs PostgreSQL’s server programs (postgres, initdb) and none are installed: install postgresql (Debian) or postgresql-server (RHEL), set KEEPWATCH_POSTGRES_BIN to their folder, or set DATABASE_URL',
    );
  }
  if (want !== undefined) {
    const dir = servers.get(want);
    if (!dir) {
      throw new Error(
        `the embedded database was created by PostgreSQL ${want}, whose server programs are not installed (found ${[...servers.keys()].join(', ')}): install PostgreSQL ${want}, or upgrade the cluster with pg_upgrade`,
      );
    }
    return { dir, version: want };
  }
  const version = Math.max(...servers.keys());
  return { dir: servers.get(version) as string, version };
}

/** The URL of the embedded server of a data folder (the socket lives in the cluster folder). */
export function embeddedUrl(clusterDir: string, password: string, database = 'keepwatch'): string {
  return `postgresql://keepwatch:${password}@localhost:${PORT}/${database}?host=${encodeURIComponent(clusterDir)}`;
}

/** Creates the cluster: initdb into the (empty) cluster folder, scram password for the one superuser. */
async function initCluster(clusterDir: string, binDir: string, password: string): Promise<void> {
  rmSync(clusterDir, { recursive: true, force: true });
  mkdirSync(clusterDir, { mode: 0o700 });
  if (userInfo().uid === 0) chownSync(clusterDir, ...postgresUser());
  const r = runner(clusterDir);
  // initdb reads the password from a file its user can read, removed right after.
  const handover = mkdtempSync(join(tmpdir(), 'keepwatch-pginit-'));
  try {
    const pwfile = join(handover, 'password');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (userInfo().uid === 0) {
      chownSync(handover, ...postgresUser());
      chownSync(pwfile, ...postgresUser());
    }
    const initdb = [join(binDir, 'initdb'), '-D', r.clusterPath, '-U', 'keepwatch', `--pwfile=${pwfile}`];
    await run(r.exec([...initdb, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-instructions']), 'initdb');
  } finally {
    rmSync(handover, { recursive: true, force: true });
    r.dispose();
  }
}

/** Starts the data folder's server (creating its cluster the first time) and waits until it answers. */
export async function startEmbeddedServer(opts: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const log = opts.log ?? (() => {});
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const clusterDir = join(dataDir, CLUSTER_DIR);
  const socket = join(clusterDir, `.s.PGSQL.${PORT}`);
  if (Buffer.byteLength(socket) > SOCKET_PATH_MAX) {
    throw new Error(
      `KEEPWATCH_DATA_DIR ${dataDir} is too long for the embedded database’s socket (${socket} is ${Buffer.byteLength(socket)} bytes, at most ${SOCKET_PATH_MAX}): choose a shorter folder`,
    );
  }
  const passwordFile = join(dataDir, PASSWORD_FILE);
  const created = !existsSync(join(clusterDir, 'PG_VERSION'));
  const want = created ? undefined : Number(readFileSync(join(clusterDir, 'PG_VERSION'), 'utf8').trim());
  const server = chooseServer(want, opts.binDir);
  if (created) {
    writeFileSync(passwordFile, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
    await initCluster(clusterDir, server.dir, readFileSync(passwordFile, 'utf8').trim());
    log('embedded database created', { cluster: clusterDir, postgresql: server.version });
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  await previousServerGone(clusterDir);
  if (userInfo().uid === 0) ownedByPostgres(clusterDir);
  const r = runner(clusterDir);
  const settings = {
    listen_addresses: '',
    port: String(PORT),
    unix_socket_directories: r.clusterPath,
    unix_socket_permissions: '0700',
    // One small installation: a modest cache keeps the idle footprint small (issue 16).
    shared_buffers: '32MB',
    max_connections: '40',
    logging_collector: 'off',
  };
  const args = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const argv = r.watched([join(server.dir, 'postgres'), '-D', r.clusterPath, ...args]);
  // A session of its own: a terminal's Ctrl-C reaches the dashboard, which stops the server after
  // its own connections, not the server before them.
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe'], detached: true });
  const tail: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    for (const line of d.split('\n').filter(Boolean)) {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      log('postgresql', { line });
    }
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  child.on('error', () => {}); // a spawn failure also ends in 'exit'
  const url = embeddedUrl(clusterDir, password);
  try {
    await waitUntilReady(embeddedUrl(clusterDir, password, 'postgres'), exited, () => tail.join('\n'));
    await ensureDatabase(embeddedUrl(clusterDir, password, 'postgres'));
  } catch (err) {
    await stopChild(child, exited);
    r.dispose();
    throw err;
  }
  log('embedded database started', { pid: child.pid, postgresql: server.version });
  let stopping: Promise<void> | undefined;
  void exited.then((code) => {
    if (stopping) return;
    log('embedded database exited unexpectedly', { code, log: tail.join('\n') });
    opts.onUnexpectedExit?.(code);
  });
  return {
    url,
    pid: child.pid as number,
    version: server.version,
    stop: () =>
      (stopping ??= stopChild(child, exited).finally(() => {
        r.dispose();
        log('embedded database stopped', {});
      })),
  };
}

async function waitUntilReady(url: string, exited: Promise<number | null>, logTail: () => string): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (let attempt = 0; attempt < 600; attempt++) {
    if (gone !== undefined) {
      throw new Error(`the embedded database did not start (exit status ${gone}):\n${logTail()}`);
    }
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      // Not up yet: no socket, or the server still starting; anything else is an answer.
      if (code !== 'ENOENT' && code !== 'ECONNREFUSED' && code !== '57P03') throw err;
    } finally {
      await client.end().catch(() => {});
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the embedded database did not answer within ${START_TIMEOUT_MS / 1000} s:\n${logTail()}`);
}

/**
 * A server of this cluster still running — the previous dashboard's, still shutting down after
 * its watchdog saw it go — is waited for; one that stays is another dashboard's on the same folder.
 */
async function previousServerGone(clusterDir: string): Promise<void> {
  const lock = join(clusterDir, 'postmaster.pid');
  const pid = existsSync(lock) ? Number(readFileSync(lock, 'utf8').split('\n')[0]) : 0;
  const running = () => {
    try {
      return pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
    } catch {
      return false; // gone: postgres itself clears a stale lock file
    }
  };
  for (let i = 0; i < STOP_TIMEOUT_MS / 100 && running(); i++) await new Promise((r) => setTimeout(r, 100));
  if (running()) {
    throw new Error(
      `the embedded database in ${clusterDir} is in use by its server, pid ${pid}: is another dashboard running on this data folder?`,
    );
  }
}

/** Creates the dashboard's database on the cluster's first start (again if that start was cut short). */
async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'keepwatch'`);
    if (rows.length === 0) await client.query('CREATE DATABASE keepwatch');
  } finally {
    await client.end();
  }
}

/** Closes the watchdog's pipe (the server shuts down fast), SIGKILL after STOP_TIMEOUT_MS. */
async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
