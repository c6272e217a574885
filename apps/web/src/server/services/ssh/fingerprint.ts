/**
 * SSH host-key fingerprints, as OpenSSH prints them (`ssh-keygen -l -E sha256`): `SHA256:` and the
 * unpadded base64 of the SHA-256 of the key blob (RFC 4253 6.6 public key format). Pure.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** `SHA256:` + 43 characters of unpadded base64 (32 bytes). */
export const FingerprintSchema = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, {
  message: 'must be an OpenSSH SHA256 fingerprint (SHA256:… as ssh-keygen -l prints it)',
});

export type HostKey = { fingerprint: string; keyType: string };

/**
 * The fingerprint and key type of a host key blob (the server's K_S, as ssh2's hostVerifier
 * receives it). The type is the blob's leading string (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …).
 */
export function hostKeyOf(blob: Buffer): HostKey {
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  let keyType = 'unknown';
  if (blob.length >= 4) {
    const len = blob.readUInt32BE(0);
    if (len > 0 && len <= 64 && blob.length >= 4 + len) keyType = blob.subarray(4, 4 + len).toString('latin1');
  }
  return { fingerprint, keyType };
}

/** Whether two fingerprints are the same (constant time; the strings are public, but cheap). */
export function sameFingerprint(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The loud refusal when a host presents another key than the one the admin confirmed: it names
 * both fingerprints, since that is what the admin must compare (on the host's console:
 * `ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub`).
 */
export class HostKeyChangedError extends Error {
  constructor(
    readonly target: string,
    readonly expected: HostKey,
    readonly actual: HostKey,
  ) {
    super(
      `HOST KEY CHANGED for ${target}: the confirmed key is ${expected.fingerprint} (${expected.keyType}) but the host presented ${actual.fingerprint} (${actual.keyType}). ` +
        'The connection was refused and nothing was sent. Someone may be intercepting the connection, or the host was reinstalled; ' +
        "check the new fingerprint on the host's console, then forget the stored key and confirm the new one.",
    );
    this.name = 'HostKeyChangedError';
  }
}
