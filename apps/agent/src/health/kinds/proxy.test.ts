import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { proxyCheck } from './proxy.js';

const never = new AbortController().signal;

describe('proxy check', () => {
  let server: Server;
  let port = 0;
  const hosts: string[] = [];

  beforeAll(async () => {
    // Stands in for nginx's answers: the status the path names.
    server = createServer((req, res) => {
      hosts.push(req.headers.host ?? '');
      res.writeHead(Number(req.url?.slice(1))).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  const target = (path: string) => ({ address: '127.0.0.1', port, host: 'app.example.com', path });

  it('is OK when the status class is expected, and sends the virtual server as Host', async () => {
    expect(await proxyCheck(target('/204'), ['2xx', '3xx'], never)).toEqual({ ok: true });
    expect(hosts.at(-1)).toBe('app.example.com');
  });

  it('fails on a 502 (nginx could not reach a backend) with the status in the detail', async () => {
    expect(await proxyCheck(target('/502'), ['2xx', '3xx', '4xx'], never)).toEqual({
      ok: false,
      detail: 'status 502 for app.example.com/502, expected 2xx or 3xx or 4xx',
    });
  });

  it('fails on a class that is not expected', async () => {
    expect((await proxyCheck(target('/301'), ['2xx'], never)).ok).toBe(false);
  });

  it('fails when nginx does not listen', async () => {
    const closed = createTcpServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const p = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await proxyCheck({ ...target('/200'), port: p }, ['2xx'], never);
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/^nginx at 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
  });
});
