import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterSpecSchema, type PushedCertificate, type TlsMaterial } from '@keepwatch/shared';
import { createLogger } from '../log.js';
import { AgentMetrics } from '../metrics.js';
import { NginxApplier } from './apply.js';
import type { NginxExec } from './exec.js';
import { applyNginxSpec } from './spec-apply.js';
import { TlsFiles } from './tls-files.js';

const spec = ClusterSpecSchema.parse({
  name: 'c',
  nodes: [{ name: 'lb1', interfaces: ['eth0'] }],
  pools: [{ name: 'app', servers: [{ address: '198.51.100.11', port: 8080 }] }],
  virtualServers: [
    {
      name: 'www',
      listen: [{ port: 443, ssl: true }],
      locations: [{ path: '/', pool: 'app' }],
      tls: { certificate: 'www' },
    },
  ],
});

const cert = (name: string, serial: string): PushedCertificate => ({
  name,
  fingerprintSha256: serial.padEnd(64, '0'),
  certificatePem: `-----BEGIN CERTIFICATE-----\n${serial}\n-----END CERTIFICATE-----\n`,
  keyPem: `-----BEGIN PRIVATE KEY-----\n${serial}\n-----END PRIVATE KEY-----\n`,
});

/** A running nginx stand-in whose `-t` refuses a key file containing "bad" (as a mismatched key fails). */
function fakeNginx(tlsDir: string) {
  const seen = { tests: 0, reloads: 0 };
  let workers = [100];
  const exec: NginxExec = {
    test: () => {
      seen.tests++;
      const bad = readFileSync(join(tlsDir, 'www.key'), 'utf8').includes('bad');
      return Promise.resolve({ ok: !bad, output: bad ? 'nginx: [emerg] SSL_CTX_use_PrivateKey(...) failed' : '' });
    },
    reload: () => {
      seen.reloads++;
      workers = [workers[0]! + 1];
      return Promise.resolve({ ok: true, output: '' });
    },
    masterPid: () => 1,
    workerPids: () => workers,
  };
  return { exec, seen };
}

describe('applyNginxSpec with pushed certificates', () => {
  let dir = '';
  const setup = () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-spec-apply-'));
    const files = new TlsFiles(join(dir, 'tls'));
    const nginx = fakeNginx(files.dir);
    const applier = new NginxApplier(nginx.exec, { confPath: join(dir, 'keepwatch.conf'), drainWaitMs: 0 });
    const log = createLogger({ level: 'silent' });
    const nginxBuild = { load: () => Promise.resolve(null), current: { version: '1.22.1' } };
    const deps = {
      nginx: applier,
      tlsFiles: files,
      nginxBuild,
      cfg: { node: 'lb1' },
      metrics: new AgentMetrics(),
      log,
    };
    const apply = (material?: TlsMaterial) => applyNginxSpec(deps, spec, material);
    return { files, apply, seen: nginx.seen };
  };
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('tests and reloads a renewal although the rendered config is the same', async () => {
    const { apply, seen } = setup();
    expect(await apply({ certificates: [cert('www', 'a1')] })).toEqual({ ok: true });
    const reloads = seen.reloads;
    expect(await apply({ certificates: [cert('www', 'b2')] })).toEqual({ ok: true });
    expect(seen.reloads).toBe(reloads + 1);
  });

  it('leaves nginx alone when the same certificates come again', async () => {
    const { apply, seen } = setup();
    await apply({ certificates: [cert('www', 'a1')] });
    const before = { ...seen };
    await apply({ certificates: [cert('www', 'a1')] });
    expect(seen).toEqual(before);
  });

  it("keeps the old files when nginx -t refuses the new key, and reports nginx's output", async () => {
    const { apply, files } = setup();
    await apply({ certificates: [cert('www', 'a1')] });
    const r = await apply({ certificates: [cert('www', 'bad')] });
    expect(r).toMatchObject({ ok: false, stage: 'test', output: expect.stringContaining('SSL_CTX_use_PrivateKey') });
    expect(readFileSync(files.path('www', 'key'), 'utf8')).toContain('a1');
    expect(readFileSync(files.path('www', 'pem'), 'utf8')).toContain('a1');
  });

  it('refuses a spec naming a certificate the push lacks, writing nothing', async () => {
    const { apply, files } = setup();
    expect(await apply({ certificates: [cert('api', 'a1')] })).toMatchObject({
      ok: false,
      stage: 'validate',
      message: 'certificate "www" not pushed with the revision',
    });
    expect(existsSync(files.dir)).toBe(false);
  });

  it('removes the files of certificates no longer pushed after a successful apply', async () => {
    const { apply, files } = setup();
    await apply({ certificates: [cert('www', 'a1'), cert('old', 'c3')] });
    expect(existsSync(files.path('old', 'key'))).toBe(true);
    await apply({ certificates: [cert('www', 'a1')] });
    expect(existsSync(files.path('old', 'key'))).toBe(false);
    expect(existsSync(files.path('www', 'key'))).toBe(true);
  });
});
