/**
 * The dashboard's listening server: plain HTTP (behind a TLS proxy, or on loopback), or HTTPS with
 * KEEPWATCH_TLS_CERT_FILE / KEEPWATCH_TLS_KEY_FILE for sites without a proxy (issue #15 finding
 * 2). With TLS, `pin` is its key's pin, which agents enroll with (`keepwatch-agent enroll --pin`).
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { pemPin } from '@keepwatch/shared/tls';
import type { Env } from '../env';

export type Listener = { server: Server; scheme: 'http' | 'https'; pin: string | null };

/** The pin of the configured certificate's key, or null when the dashboard does not serve TLS. */
export function dashboardPin(env: Pick<Env, 'KEEPWATCH_TLS_CERT_FILE'>): string | null {
  return env.KEEPWATCH_TLS_CERT_FILE ? pemPin(readFileSync(env.KEEPWATCH_TLS_CERT_FILE, 'utf8')) : null;
}

export function createListener(
  env: Pick<Env, 'KEEPWATCH_TLS_CERT_FILE' | 'KEEPWATCH_TLS_KEY_FILE'>,
  handler: RequestListener,
): Listener {
  if (!env.KEEPWATCH_TLS_CERT_FILE || !env.KEEPWATCH_TLS_KEY_FILE)
    return { server: createHttpServer(handler), scheme: 'http', pin: null };
  const cert = readFileSync(env.KEEPWATCH_TLS_CERT_FILE);
  const key = readFileSync(env.KEEPWATCH_TLS_KEY_FILE);
  // An https.Server is an http.Server (tls.Server underneath) for every use here: listen, upgrade, close.
  const server = createHttpsServer({ cert, key }, handler) as unknown as Server;
  return { server, scheme: 'https', pin: pemPin(cert.toString('utf8')) };
}
