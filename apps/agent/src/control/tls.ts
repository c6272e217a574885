/**
 * The control channel's TLS (issue #15 finding 2): a wss:// dashboard is trusted by a pinned
 * public key (SPKI, like an SSH host key: `keepwatch-agent enroll --pin sha256/…`) or by a CA
 * file, or else by the system's CAs. With pins, the check runs on the TLS handshake's result,
 * before the WebSocket opens and so before any token or credential is sent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOptional, writePrivate } from '../state/files.js';
import type { TLSSocket } from 'node:tls';
import { z } from 'zod';
import { TlsPinSchema, type ControlPlane } from '@keepwatch/shared';
import { certificatePin } from '@keepwatch/shared/tls';

/** Options for the `ws` client: with pins, the chain is not checked by CAs (the pin is the trust). */
export function tlsClientOptions(cp: ControlPlane): { rejectUnauthorized?: boolean; ca?: Buffer } {
  if (!cp.url.startsWith('wss://')) return {};
  if (cp.pins) return { rejectUnauthorized: false };
  return cp.caFile ? { ca: readFileSync(cp.caFile) } : {};
}

/**
 * The pin of the key a connected socket's peer presented, or null when it presented none. Call it
 * once per socket: Node hands the peer certificate out only once (a second call gets none).
 */
export function peerPin(socket: TLSSocket): string | null {
  const cert = socket.getPeerX509Certificate?.();
  return cert ? certificatePin(cert) : null;
}

/** Why the peer's key (its pin, from peerPin) matches none of the pins, or null when one matches. */
export function pinProblem(got: string | null, pins: readonly string[]): string | null {
  if (!got) return 'the dashboard presented no certificate';
  if (pins.includes(got)) return null;
  return `the dashboard's public key ${got} matches none of the pinned keys (${pins.join(', ')}): refusing to send anything (someone on the path, or a new key not pinned yet)`;
}

/** Where the pins the dashboard announced are kept (the config file may be read-only: /etc under ProtectSystem). */
export const ANNOUNCED_PINS_FILE = 'control-pins.json';

const PinsFileSchema = z.strictObject({ pins: z.array(TlsPinSchema).min(1).max(8) });

/** The pins the dashboard announced, or null when none are kept (then the config's pins hold). */
export function readAnnouncedPins(text: string | null): string[] | null {
  if (text === null) return null;
  try {
    const r = PinsFileSchema.safeParse(JSON.parse(text));
    return r.success ? r.data.pins : null;
  } catch {
    return null;
  }
}

/**
 * Whether to take a `pins` announcement: only over a pinned connection, and only when the list
 * keeps the key this connection was verified with (an announcement cannot lock the agent out of
 * the dashboard it came from). Null to take it, else why not.
 */
export function announcementProblem(connectedPin: string | null, pins: readonly string[]): string | null {
  if (connectedPin === null)
    return 'the connection is not pinned (CA-verified or loopback): pins are not taken from it';
  if (!pins.includes(connectedPin))
    return `the announced pins leave out ${connectedPin}, the key this connection was verified with`;
  return null;
}

/** The pins to trust: the dashboard's last announcement kept in `stateDir`, else the config's (none: CA trust). */
export function trustedPins(stateDir: string, configPins: string[] | undefined): string[] | undefined {
  if (!configPins) return undefined;
  return readAnnouncedPins(readOptional(join(stateDir, ANNOUNCED_PINS_FILE))) ?? configPins;
}

/** Keeps an announcement in `stateDir` when it may be taken; else says why not (and keeps nothing). */
export function takeAnnouncedPins(
  stateDir: string,
  connectedPin: string | null,
  pins: readonly string[],
): string | null {
  const problem = announcementProblem(connectedPin, pins);
  if (!problem) writePrivate(join(stateDir, ANNOUNCED_PINS_FILE), JSON.stringify({ pins }));
  return problem;
}
