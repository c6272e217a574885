/**
 * The control channel's TLS (issue #15 finding 2): a wss:// dashboard is trusted by a pinned
 * public key (SPKI, like an SSH host key: `keepwatch-agent enroll --pin sha256/…`) or by a CA
 * file, or else by the system's CAs. With pins, the check runs on the TLS handshake's result,
 * before the WebSocket opens and so before any token or credential is sent.
 */
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import type { ControlPlane } from '@keepwatch/shared';
import { certificatePin } from '@keepwatch/shared/tls';

/** Options for the `ws` client: with pins, the chain is not checked by CAs (the pin is the trust). */
export function tlsClientOptions(cp: ControlPlane): { rejectUnauthorized?: boolean; ca?: Buffer } {
  if (!cp.url.startsWith('wss://')) return {};
  if (cp.pins) return { rejectUnauthorized: false };
  return cp.caFile ? { ca: readFileSync(cp.caFile) } : {};
}

/** Why a connected socket's certificate does not match the pins, or null when one matches. */
export function pinProblem(socket: TLSSocket, pins: readonly string[]): string | null {
  const cert = socket.getPeerX509Certificate?.();
  if (!cert) return 'the dashboard presented no certificate';
  const got = certificatePin(cert);
  if (pins.includes(got)) return null;
  return `the dashboard's public key ${got} matches none of the pinned keys (${pins.join(', ')}): refusing to send anything (someone on the path, or a new key not pinned yet)`;
}
