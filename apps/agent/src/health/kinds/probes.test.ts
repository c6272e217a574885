import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpCheck } from './http.js';
import { tcpCheck } from './tcp.js';
import { processCheck } from './process.js';

const never = new AbortController().signal;

describe('built-in check kinds', () => {
  let http: Server;
  let port = 0;

  beforeAll(async () => {
    http = createHttpServer((req, res) => res.writeHead(req.url === '/ok' ? 200 : 503).end());
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    port = (http.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => http.close(() => r()));
  });

  it('http is OK when the status is the expected one', async () => {
    expect(await httpCheck(`http://127.0.0.1:${port}/ok`, 200, never)).toEqual({ ok: true });
  });

  it('http fails with the status it got', async () => {
    expect(await httpCheck(`http://127.0.0.1:${port}/down`, 200, never)).toEqual({
      ok: false,
      detail: 'status 503, expected 200',
    });
  });

  it('http fails when nothing listens', async () => {
    const closed = createTcpServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const p = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect((await httpCheck(`http://127.0.0.1:${p}/`, 200, never)).ok).toBe(false);
  });

  it('tcp is OK once a connection is established', async () => {
    expect(await tcpCheck('127.0.0.1', port, never)).toEqual({ ok: true });
  });

  it('tcp does not connect once its signal has aborted (the timeout)', async () => {
    const abort = new AbortController();
    abort.abort();
    expect(await tcpCheck('127.0.0.1', port, abort.signal)).toEqual({ ok: false, detail: 'connect timed out' });
  });

  it('process is OK while the pid in the pid file runs, and fails for a dead or missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-pid-'));
    writeFileSync(join(dir, 'self.pid'), `${process.pid}\n`);
    writeFileSync(join(dir, 'dead.pid'), '999999999\n');
    expect(processCheck(join(dir, 'self.pid'))).toEqual({ ok: true });
    expect(processCheck(join(dir, 'dead.pid')).ok).toBe(false);
    expect(processCheck(join(dir, 'missing.pid'))).toEqual({
      ok: false,
      detail: `no pid in ${join(dir, 'missing.pid')}`,
    });
  });
});
