import { request } from 'node:http';
import type { CheckOutcome } from '../check.js';

/** Where a proxy check sends its request: this node's nginx, as a client of `host` would. */
export type ProxyTarget = { address: string; port: number; host: string; path: string };

/**
 * HTTP GET through this node's own nginx (a proxy check): connects to nginx's listen socket and
 * asks for `path` on virtual server `host`. OK when the status class is in `expect`; nginx's own
 * 502/504 (no backend answered) is a failure whatever is expected, and so is no nginx at all.
 */
export function proxyCheck(target: ProxyTarget, expect: readonly string[], signal: AbortSignal): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.address,
        port: target.port,
        path: target.path,
        method: 'GET',
        agent: false,
        signal,
        headers: { host: target.host, 'user-agent': 'keepwatch-agent', connection: 'close' },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const cls = `${Math.floor(status / 100)}xx`;
          resolve(
            expect.includes(cls)
              ? { ok: true }
              : {
                  ok: false,
                  detail: `status ${status} for ${target.host}${target.path}, expected ${expect.join(' or ')}`,
                },
          );
        });
        res.on('error', (e) => resolve({ ok: false, detail: e.message }));
      },
    );
    req.on('error', (e) => resolve({ ok: false, detail: `nginx at ${target.address}:${target.port}: ${e.message}` }));
    req.end();
  });
}
