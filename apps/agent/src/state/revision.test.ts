import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterSpecSchema } from '@keepwatch/shared';
import { createLogger } from '../log.js';
import { RevisionFile } from './revision.js';

const spec = ClusterSpecSchema.parse({ name: 'c', nodes: [{ name: 'lb1', interfaces: ['eth0'] }] });
const tls = {
  certificates: [
    {
      name: 'www',
      fingerprintSha256: 'a'.repeat(64),
      certificatePem: '-----BEGIN CERTIFICATE-----\nQQ==\n-----END CERTIFICATE-----\n',
      keyPem: '-----BEGIN PRIVATE KEY-----\nQQ==\n-----END PRIVATE KEY-----\n',
    },
  ],
  acmeThumbprint: 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0',
};

describe('RevisionFile', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the certificates and keys of the last revision for a restart, in a 0600 file', () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-revision-'));
    const file = new RevisionFile(dir, createLogger({ level: 'silent' }));
    file.write({ revision: 4, spec, tls });
    expect(file.read()).toEqual({ revision: 4, spec, tls });
    expect(statSync(join(dir, 'revision.json')).mode & 0o777).toBe(0o600);
  });

  it('reads a revision saved before certificates were pushed', () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-revision-'));
    const file = new RevisionFile(dir, createLogger({ level: 'silent' }));
    file.write({ revision: 3, spec });
    expect(file.read()).toEqual({ revision: 3, spec });
  });
});
