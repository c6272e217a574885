// Test support (not part of the package): runs real `nginx -t` on rendered configs inside a
// temporary prefix, so it never touches /var/log/nginx or /run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderNginxMain, type NginxMainOptions } from '../src/nginx/render.js';

export const NGINX_BIN = '/usr/sbin/nginx';

export type NginxTestResult = { ok: boolean; output: string };

/**
 * Runs `nginx -t` on one http-level config, wrapped in a main config with every path in a temp dir
 * (`settings`: the main config's other settings, e.g. the spec's worker_shutdown_timeout).
 */
export function nginxTest(
  httpConf: string,
  settings: Pick<NginxMainOptions, 'workerShutdownTimeoutMs' | 'workerProcesses'> & {
    /** A main-context file (renderNginxMainContext): included at top level instead of the main config's own line. */
    mainContext?: string;
  } = {},
): NginxTestResult {
  const dir = mkdtempSync(join(tmpdir(), 'kw-nginx-t-'));
  try {
    const temp = join(dir, 'temp');
    mkdirSync(temp);
    const include = join(dir, 'keepwatch.conf');
    writeFileSync(include, httpConf);
    const main = join(dir, 'nginx.conf');
    const { mainContext, ...mainSettings } = settings;
    let mainConf = renderNginxMain({
      pidPath: join(dir, 'nginx.pid'),
      errorLogPath: join(dir, 'error.log'),
      includePath: include,
      tempDir: temp,
      ...mainSettings,
    });
    if (mainContext !== undefined) {
      // As a distribution's nginx.conf has it: an include at top level, and no line of its own.
      const file = join(dir, 'main-context.conf');
      writeFileSync(file, mainContext);
      mainConf = mainConf.replace(/^worker_shutdown_timeout .*;$/m, `include ${file};`);
    }
    writeFileSync(main, mainConf);
    // nginx -t binds the listen sockets. A fresh network namespace keeps it off the host's ports,
    // and ip_nonlocal_bind lets it bind VIP addresses the host does not hold (as a backup must).
    const script =
      'ip link set lo up && sysctl -qw net.ipv4.ip_nonlocal_bind=1 net.ipv6.ip_nonlocal_bind=1 && exec "$@"';
    const r = spawnSync(
      'unshare',
      [
        '-n',
        'sh',
        '-c',
        script,
        'sh',
        NGINX_BIN,
        '-t',
        '-q',
        '-p',
        `${dir}/`,
        '-c',
        main,
        '-e',
        join(dir, 'error.log'),
      ],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`;
    // -q prints only findings: any [warn] or worse fails a golden too.
    return { ok: r.status === 0 && !/\[(emerg|alert|crit|warn)\]/.test(output), output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
