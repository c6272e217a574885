// Test support (not part of the package): runs real `keepalived -t` (config test) on a rendered
// keepalived.conf, in a fresh network namespace holding veth interfaces of the names the config
// uses, since keepalived refuses a config whose interfaces do not exist.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KEEPALIVED_BIN = '/usr/sbin/keepalived';

/** Runs `keepalived -t -f FILE`; ok only with exit status 0 and no output at all. */
export function keepalivedTest(conf: string, interfaces: readonly string[]): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kw-keepalived-t-'));
  try {
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, conf);
    const links = interfaces
      .map((name, i) => `ip link add name ${name} type veth peer name kwpeer${i} && ip link set dev ${name} up`)
      .join(' && ');
    const script = `${links || 'true'} && exec "$@"`;
    const r = spawnSync('unshare', ['-n', 'sh', '-c', script, 'sh', KEEPALIVED_BIN, '-t', '-f', file], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`;
    return { ok: r.status === 0 && output.trim() === '', output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
