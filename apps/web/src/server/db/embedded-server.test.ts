import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { buildSync } from 'esbuild';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { CLUSTER_DIR, PASSWORD_FILE, chooseServer, startEmbeddedServer } from './embedded-server';

/** The postmaster's pid, from the lock file it keeps in its cluster folder. */
const postmasterPid = (dataDir: string) =>
  Number(readFileSync(join(dataDir, CLUSTER_DIR, 'postmaster.pid'), 'utf8').split('\n')[0]);

const FIXTURE = new URL('./__fixtures__/hold-embedded-server.ts', import.meta.url).pathname;

/**
 * The stand-in dashboard (`before` node: e.g. setpriv; `script`: the fixture under tsx, or a
 * bundle of it), once it printed its server's URL.
 */
async function standIn(dataDir: string, before: string[] = [], script = ['--import', 'tsx', FIXTURE]) {
  const [cmd, ...args] = [...before, process.execPath, ...script, dataDir];
  const child = spawn(cmd as string, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout }).once('line', done);
    child.once('exit', (code) => fail(new Error(`the stand-in dashboard exited (${code})`)));
  });
  expect(JSON.parse(first)).toHaveProperty('url');
  return child;
}

async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  for (let i = 0; i < timeoutMs / 100; i++) {
    if (!existsSync(`/proc/${pid}`)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('the embedded database server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keepwatch-embedded-server-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps its cluster and password in the data folder, private to the dashboard', async () => {
    const dataDir = join(dir, 'private');
    const server = await startEmbeddedServer({ dataDir });
    try {
      expect(statSync(join(dataDir, CLUSTER_DIR)).mode & 0o077).toBe(0);
      expect(statSync(join(dataDir, PASSWORD_FILE)).mode & 0o777).toBe(0o600);
    } finally {
      await server.stop();
    }
  });

  it('listens on no TCP port, and refuses a connection without its password', async () => {
    const server = await startEmbeddedServer({ dataDir: join(dir, 'closed') });
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query<{ listen_addresses: string }>('SHOW listen_addresses');
      await client.end();
      expect(rows[0]?.listen_addresses).toBe('');
      const wrong = new pg.Client({ connectionString: server.url.replace(/:[0-9a-f]+@/, ':wrong@') });
      await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
    } finally {
      await server.stop();
    }
  });

  it('stops its server when the dashboard is killed with SIGKILL, and starts again at once on the same folder', async () => {
    const dataDir = join(dir, 'killed');
    const fixture = new URL('./__fixtures__/hold-embedded-server.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const first = await new Promise<string>((done, fail) => {
        createInterface({ input: child.stdout }).once('line', done);
        child.once('exit', (code) => fail(new Error(`the stand-in dashboard exited (${code})`)));
      });
      expect(JSON.parse(first)).toHaveProperty('url');
      const pid = postmasterPid(dataDir);
      // As root the server sees its cluster through a mount point in /tmp (the watchdog's argument).
      const watchdog = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0];
      const mnt = readFileSync(`/proc/${watchdog}/cmdline`, 'utf8')
        .split('\0')
        .find((a) => a.startsWith('/tmp/keepwatch-pg-'));
      expect(mnt).toBeDefined();
      child.kill('SIGKILL');
      // The next start waits for the old server's shutdown instead of failing on its lock file.
      const again = await startEmbeddedServer({ dataDir });
      await again.stop();
      expect(await gone(pid, 1000)).toBe(true);
      // The killed dashboard's watchdog took its mount point away.
      for (let i = 0; i < 50 && existsSync(mnt!); i++) await new Promise((r) => setTimeout(r, 100));
      expect(existsSync(mnt!)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('run by an ordinary user, runs its server as that user', async () => {
    // A folder of its own: the suite's temp folder is root's, 0700.
    const home = mkdtempSync(join(tmpdir(), 'keepwatch-embedded-nobody-'));
    chownSync(home, 65534, 65534);
    // The checkout may sit below a folder that user cannot enter (CI clones into `mktemp -d`):
    // the stand-in runs as one bundled file from the user's own folder.
    const bundle = join(home, 'stand-in.mjs');
    buildSync({
      entryPoints: [FIXTURE],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      external: ['pg-native'],
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      logLevel: 'silent',
    });
    chmodSync(bundle, 0o644);
    const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'];
    const child = await standIn(join(home, 'data'), asNobody, [bundle]);
    try {
      const pid = postmasterPid(join(home, 'data'));
      expect(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]).toBe('65534');
      child.kill('SIGKILL');
      expect(await gone(pid, 20_000)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('tells the dashboard when its server exits on its own, and not when it is stopped', async () => {
    const dataDir = join(dir, 'crash');
    const exits: (number | null)[] = [];
    const stopped = await startEmbeddedServer({ dataDir, onUnexpectedExit: (code) => exits.push(code) });
    await stopped.stop();
    let told!: (code: number | null) => void;
    const exit = new Promise<number | null>((r) => (told = r));
    const server = await startEmbeddedServer({ dataDir, onUnexpectedExit: (code) => told(code) });
    try {
      process.kill(postmasterPid(dataDir), 'SIGKILL');
      expect(await exit).not.toBe(0);
      expect(exits).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('says at once why its server did not start, with the server’s own words', async () => {
    const dataDir = join(dir, 'broken');
    await (await startEmbeddedServer({ dataDir })).stop();
    appendFileSync(join(dataDir, CLUSTER_DIR, 'postgresql.conf'), '\nthis is not a setting\n');
    await expect(startEmbeddedServer({ dataDir })).rejects.toThrow(
      /^the embedded database did not start \(exit status \d+\):\n[^]*syntax error in file/,
    );
  });

  it('names a server-programs folder that holds none', () => {
    expect(() => chooseServer(undefined, join(dir, 'no-such-bin'))).toThrow(
      `KEEPWATCH_POSTGRES_BIN=${join(dir, 'no-such-bin')} has no PostgreSQL server programs (postgres, initdb)`,
    );
  });

  it('says which PostgreSQL version a cluster needs when it is not installed', () => {
    expect(() => chooseServer(99, undefined)).toThrow(
      /^the embedded database was created by PostgreSQL 99, whose server programs are not installed \(found \d+/,
    );
  });

  it('refuses a data folder too long for its socket path, naming the limit', async () => {
    const long = join(dir, 'x'.repeat(100));
    await expect(startEmbeddedServer({ dataDir: long })).rejects.toThrow(
      /^KEEPWATCH_DATA_DIR .* is too long for the embedded database’s socket \(.* at most 107\): choose a shorter folder$/,
    );
  });
});
