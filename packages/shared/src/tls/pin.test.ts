import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TlsPinSchema } from '../spec/agent-config.js';
import { pemPin } from './index.js';

describe('pemPin', () => {
  it("is the SHA-256 of the certificate's public key (what `openssl pkey -pubout -outform DER | sha256` gives), and valid config", () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-pin-'));
    const [key, crt] = [join(dir, 'k.pem'), join(dir, 'c.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=x',
        '-keyout',
        key,
        '-out',
        crt,
      ],
      { stdio: 'ignore' },
    );
    const der = execFileSync('openssl', ['pkey', '-in', key, '-pubout', '-outform', 'DER']);
    const expected = `sha256/${execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der }).toString('base64')}`;
    expect(pemPin(readFileSync(crt, 'utf8'))).toBe(expected);
    expect(TlsPinSchema.safeParse(expected).success).toBe(true);
  });
});
