import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who may read `/metrics` on the dashboard's port (issue #15 finding 8): with
 * KEEPWATCH_METRICS_TOKEN set, a scraper sending `Authorization: Bearer <token>`; without it, only
 * a direct connection from this host (loopback, no forwarding header — a TLS proxy on the same host
 * forwards the public's requests from loopback too). Returns why not, or null when allowed.
 */
export function metricsRefusal(
  req: Pick<IncomingMessage, 'headers'> & { socket: { remoteAddress?: string | undefined } },
  token: string | undefined,
): string | null {
  if (token !== undefined) {
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const [a, b] = [Buffer.from(given), Buffer.from(token)];
    return a.length === b.length && timingSafeEqual(a, b)
      ? null
      : 'metrics need Authorization: Bearer <KEEPWATCH_METRICS_TOKEN>';
  }
  const peer = req.socket.remoteAddress ?? '';
  const loopback = peer === '::1' || peer.startsWith('127.') || peer.startsWith('::ffff:127.');
  const forwarded = ['x-forwarded-for', 'forwarded', 'x-real-ip'].some((h) => req.headers[h] !== undefined);
  return loopback && !forwarded
    ? null
    : 'metrics are served to this host only: set KEEPWATCH_METRICS_TOKEN and scrape with Authorization: Bearer <token>';
}
