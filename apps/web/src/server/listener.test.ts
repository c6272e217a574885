import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { certificatePin, pemPin } from '@keepwatch/shared/tls';
import { loadEnv } from '../env';
import { createListener } from './listener';
import { makeTestPki } from './services/certificates/test-pki';

const dir = mkdtempSync(join(tmpdir(), 'kw-listener-'));
const [cert, key] = [join(dir, 'dash.crt'), join(dir, 'dash.key')];
// Any key pair serves: the client below does not verify the chain, it compares the pin.
const pki = makeTestPki();
writeFileSync(cert, pki.leafPem);
writeFileSync(key, pki.leafKey);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the dashboard listener', () => {
  it('serves plain HTTP without a certificate, with no pin', () => {
    const l = createListener({}, () => undefined);
    expect([l.scheme, l.pin]).toEqual(['http', null]);
  });

  it('serves HTTPS with the certificate and key, and its pin is the key agents see on the wire', async () => {
    const l = createListener({ KEEPWATCH_TLS_CERT_FILE: cert, KEEPWATCH_TLS_KEY_FILE: key }, (_req, res) =>
      res.end('ok'),
    );
    expect(l.scheme).toBe('https');
    expect(l.pin).toBe(pemPin(readFileSync(cert, 'utf8')));
    await new Promise<void>((r) => l.server.listen(0, '127.0.0.1', r));
    try {
      const port = (l.server.address() as AddressInfo).port;
      const seen = await new Promise<{ body: string; pin: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/', rejectUnauthorized: false }, (res) => {
          const pin = certificatePin((res.socket as TLSSocket).getPeerX509Certificate()!);
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ body, pin }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(seen).toEqual({ body: 'ok', pin: l.pin });
    } finally {
      l.server.close();
    }
  });

  it('refuses a certificate without its key in the environment, naming both variables', () => {
    expect(() => loadEnv({ KEEPWATCH_TLS_CERT_FILE: cert })).toThrow(
      'KEEPWATCH_TLS_CERT_FILE and KEEPWATCH_TLS_KEY_FILE go together',
    );
  });
});
