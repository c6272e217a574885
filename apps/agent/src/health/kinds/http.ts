import { request } from 'node:http';
import type { CheckOutcome } from '../check.js';

/** HTTP GET `url` on a new connection; OK when the status is `expectStatus`. */
export function httpCheck(url: string, expectStatus: number, signal: AbortSignal): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'GET', agent: false, signal, headers: { 'user-agent': 'keepwatch-agent', connection: 'close' } },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve(
            res.statusCode === expectStatus
              ? { ok: true }
              : { ok: false, detail: `status ${res.statusCode}, expected ${expectStatus}` },
          ),
        );
        res.on('error', (e) => resolve({ ok: false, detail: e.message }));
      },
    );
    req.on('error', (e) => resolve({ ok: false, detail: e.message }));
    req.end();
  });
}
