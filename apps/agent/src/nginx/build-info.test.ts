import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ParseNginxVResult } from '@keepwatch/shared';
import { createLogger } from '../log.js';
import { NginxBuildProbe, runNginxV } from './build-info.js';

const log = createLogger({ level: 'silent' });
const NGINX = '/usr/sbin/nginx';

describe('runNginxV', () => {
  it('reads the version `nginx -v` prints, from the nginx installed here', async () => {
    // `nginx -v` prints "nginx version: nginx/1.22.1" to stderr (the only channel it uses).
    const printed = /nginx\/(\d+\.\d+\.\d+)/.exec(spawnSync(NGINX, ['-v'], { encoding: 'utf8' }).stderr)?.[1];
    expect(printed).toBeDefined();
    const r = await runNginxV(NGINX);
    expect(r.ok && r.info.version).toBe(printed);
    expect(r.ok && r.info.modules).toContain('http_ssl_module');
  });

  it('says why when the binary is missing', async () => {
    const r = await runNginxV('/nonexistent/nginx');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain('/nonexistent/nginx -V failed');
  });
});

describe('NginxBuildProbe', () => {
  const info = { version: '1.22.1', modules: ['http_ssl_module'] };

  it('runs nginx -V once and keeps what it read', async () => {
    let runs = 0;
    const probe = new NginxBuildProbe(NGINX, log, () => {
      runs++;
      return Promise.resolve({ ok: true, info });
    });
    expect(probe.current).toBeNull();
    await Promise.all([probe.load(), probe.load()]);
    expect(await probe.load()).toEqual(info);
    expect(probe.current).toEqual(info);
    expect(runs).toBe(1);
  });

  it('tries again after a failed run', async () => {
    const results: ParseNginxVResult[] = [
      { ok: false, reason: 'not installed' },
      { ok: true, info },
    ];
    const probe = new NginxBuildProbe(NGINX, log, () => Promise.resolve(results.shift()!));
    expect(await probe.load()).toBeNull();
    expect(await probe.load()).toEqual(info);
  });
});
