/**
 * A throw-away PostgreSQL server for one test run: Debian's server binaries, run as the
 * `postgres` user (root may not run them), a cluster in a temp folder, listening only on a unix
 * socket in that folder — no TCP port, and the system's own cluster is never touched.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** The socket directory (the `host` of a unix-socket URL). */
  socketDir: string;
  port: number;
  stop(): void;
}

function asPostgres(argv: string[]): string[] {
  // root cannot run the server; an ordinary user runs it as themselves.
  return userInfo().uid === 0 ? ['runuser', '-u', 'postgres', '--', ...argv] : argv;
}

export function startTestPostgres(): TestPostgres {
  for (const bin of ['initdb', 'pg_ctl']) {
    if (!existsSync(join(PG_BIN, bin)))
      throw new Error(`${join(PG_BIN, bin)} is missing: install postgresql-15 (scripts/setup.sh does)`);
  }
  const dir = mkdtempSync('/tmp/keepwatch-web-pg-');
  if (userInfo().uid === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  // The port only names the socket file; with listen_addresses='' nothing listens on TCP.
  const port = 50000 + (process.pid % 10000);
  const run = (argv: string[]) => {
    const [cmd, ...args] = asPostgres(argv);
    const r = spawnSync(cmd as string, args, { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  };
  run([join(PG_BIN, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  run([
    join(PG_BIN, 'pg_ctl'),
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-t',
    '30',
    '-o',
    `-c listen_addresses='' -k ${dir} -p ${port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
    'start',
  ]);
  return {
    socketDir: dir,
    port,
    stop() {
      const [cmd, ...args] = asPostgres([join(PG_BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop']);
      spawnSync(cmd as string, args, { cwd: dir, stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A URL for database `db` on the test server. */
export function pgUrl(pg: { socketDir: string; port: number }, db: string): string {
  return `postgresql://postgres@localhost:${pg.port}/${db}?host=${encodeURIComponent(pg.socketDir)}`;
}
