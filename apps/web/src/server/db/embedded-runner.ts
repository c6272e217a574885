/**
 * How the embedded database's programs (initdb, postgres) are run: as the dashboard's own user,
 * or — for a root dashboard, since PostgreSQL refuses root — as `postgres` in a private mount
 * namespace where the cluster folder is bind-mounted onto a fresh folder that user can reach (the
 * data folder may sit below a 0700 home or temp folder). The server runs under a watchdog shell
 * that stops it when the dashboard's pipe closes, so no server outlives its dashboard.
 */
import { spawn } from 'node:child_process';
import { chownSync, lchownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

export interface Runner {
  /** argv that runs `cmd` as the server's user, with the cluster folder at `clusterPath` in its view. */
  exec(cmd: string[]): string[];
  /** The same under the watchdog: the command is stopped when the dashboard closes its stdin. */
  watched(cmd: string[]): string[];
  clusterPath: string;
  dispose(): void;
}

// `$@` is the command. Positional parameters only: no path is ever spliced into a script.
const EXEC = 'exec "$@"';
// The watchdog: a reader of the dashboard's pipe (fd 3: a background job's stdin would be
// /dev/null) stops the server at EOF; the shell ends with the server, whichever goes first.
const WATCHDOG = [
  'exec 3<&0',
  '"$@" </dev/null & server=$!',
  "trap 'kill -INT $server' TERM INT",
  '{ read -r _ <&3; kill -INT $server; } & watcher=$!',
  'wait $server; status=$?',
  // A trapped signal ends the first wait early: wait again for the server's own exit.
  'if kill -0 $server 2>/dev/null; then wait $server; status=$?; fi',
  'kill $watcher 2>/dev/null',
  // Root: the mount point goes with the server, also when the dashboard was killed and cannot.
  // Lazily: a killed postmaster's children may still be leaving the folder.
  'if [ -n "${mnt:-}" ]; then umount -l -- "$mnt" && rmdir -- "$mnt"; fi',
  'exit $status',
].join('\n');
// Root: `$1` the cluster folder, `$2` where the server's user sees it (a private bind mount).
const BIND = 'mount --bind -- "$1" "$2" || exit 97; mnt=$2; shift 2; ';

export function runner(clusterDir: string): Runner {
  if (userInfo().uid !== 0) {
    return {
      exec: (cmd) => cmd,
      watched: (cmd) => ['sh', '-c', WATCHDOG, 'sh', ...cmd],
      clusterPath: clusterDir,
      dispose() {},
    };
  }
  const mnt = mkdtempSync('/tmp/keepwatch-pg-');
  const [uid, gid] = postgresUser();
  chownSync(mnt, uid, gid);
  const setpriv = ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--'];
  const inNamespace = (script: string, cmd: string[]) => [
    ...['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', BIND + script, 'sh'],
    ...[clusterDir, mnt, ...setpriv, ...cmd],
  ];
  return {
    exec: (cmd) => inNamespace(EXEC, cmd),
    watched: (cmd) => inNamespace(WATCHDOG, cmd),
    clusterPath: mnt,
    dispose: () => rmSync(mnt, { recursive: true, force: true }),
  };
}

export function postgresUser(): [number, number] {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error(
      'the dashboard runs as root, so its embedded database runs as the user "postgres", which does not exist: install PostgreSQL’s server package (it creates the user), run the dashboard as another user, or set DATABASE_URL',
    );
  }
  return [Number(uid), Number(gid)];
}

/** A cluster copied or restored by root (`cp -r`) is given back to the server's user. */
export function ownedByPostgres(clusterDir: string): void {
  const [uid, gid] = postgresUser();
  if (statSync(clusterDir).uid === uid) return;
  lchownSync(clusterDir, uid, gid);
  for (const entry of readdirSync(clusterDir, { recursive: true, encoding: 'utf8' })) {
    lchownSync(join(clusterDir, entry), uid, gid);
  }
}

export function run(argv: string[], what: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? done() : fail(new Error(`${what} failed (${code}): ${out.trim().slice(-2000)}`)),
    );
  });
}
