import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The client's address for rate limits and the audit log (issue #15 finding 3). The TCP peer,
 * unless the peer is one of the configured trusted proxies (KEEPWATCH_TRUSTED_PROXIES): then the
 * right-most address of X-Forwarded-For that is not itself a trusted proxy — what the nearest
 * untrusted hop connected from. A forwarded header from anyone else is ignored (it is the client's
 * own claim), so limits cannot be dodged by sending one.
 */
export function clientAddress(
  req: Pick<IncomingMessage, 'headers'> & { socket: { remoteAddress?: string | undefined } },
  trustedProxies: readonly string[],
): string | null {
  const peer = normalise(req.socket.remoteAddress ?? '');
  if (!peer) return null;
  if (!trustedProxies.includes(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((h) => normalise(h.trim()))
    .filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) if (!trustedProxies.includes(hops[i]!)) return hops[i]!;
  return peer;
}

/** An IP address without the IPv4-mapped prefix, or '' when it is not an address. */
function normalise(a: string): string {
  const v = a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
  return isIP(v) ? v.toLowerCase() : '';
}
