/**
 * The version and modules of this host's nginx (issue #17 item 4), from `nginx -V` of the
 * configured binary: reported to the hub in heartbeats (capability `nginx-build`), and the
 * version the renderer writes for (the `http2` directive changed in 1.25.1).
 */
import { execFile } from 'node:child_process';
import { parseNginxV, type NginxBuildInfo, type ParseNginxVResult } from '@keepwatch/shared';
import type { Logger } from '../log.js';

/** How long `nginx -V` may take: it only prints, so a hang means something is badly wrong. */
const NGINX_V_TIMEOUT_MS = 10_000;

/** Runs `<binary> -V` and reads what it printed (to stderr, where nginx writes it). */
export function runNginxV(binary: string, timeoutMs = NGINX_V_TIMEOUT_MS): Promise<ParseNginxVResult> {
  return new Promise((resolve) => {
    execFile(binary, ['-V'], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && `${stderr}${stdout}`.trim() === '') {
        resolve({ ok: false, reason: `${binary} -V failed: ${err.message}` });
        return;
      }
      resolve(parseNginxV(`${stderr}\n${stdout}`));
    });
  });
}

/**
 * `nginx -V` of the configured binary, run once and kept: the binary does not change under a
 * running agent except by a package upgrade, which restarts nothing of ours (a restarted agent
 * reads it again). A failed run (nginx not installed yet) is tried again at the next {@link load}.
 */
export class NginxBuildProbe {
  private info: NginxBuildInfo | null = null;
  private loading: Promise<NginxBuildInfo | null> | null = null;

  constructor(
    private readonly binary: string,
    private readonly log: Logger,
    private readonly run: (binary: string) => Promise<ParseNginxVResult> = runNginxV,
  ) {}

  /** The build info, running `nginx -V` the first time (and after a failed run); null when it failed. */
  load(): Promise<NginxBuildInfo | null> {
    if (this.info) return Promise.resolve(this.info);
    this.loading ??= this.run(this.binary).then(
      (r) => {
        this.loading = null;
        if (!r.ok) {
          this.log.warn({ binary: this.binary, reason: r.reason }, 'nginx version not known');
          return null;
        }
        this.info = r.info;
        this.log.info({ version: r.info.version, openssl: r.info.openssl }, 'nginx build');
        return r.info;
      },
      (err: unknown) => {
        this.loading = null;
        this.log.warn({ err, binary: this.binary }, 'nginx version not known');
        return null;
      },
    );
    return this.loading;
  }

  /** What {@link load} read; null before it finished or when it failed. */
  get current(): NginxBuildInfo | null {
    return this.info;
  }
}
