/**
 * Public-key pins for the agent's wss:// channel (issue #15 finding 2): `sha256/` and the base64
 * SHA-256 of a certificate's DER SubjectPublicKeyInfo — the dashboard prints its own, the agent
 * compares the one it is shown. A key pin survives renewing the certificate with the same key.
 * Node only (a subpath, kept out of the browser bundle).
 */
import { createHash, X509Certificate } from 'node:crypto';

/** The pin of a DER SubjectPublicKeyInfo. */
export function spkiPin(spkiDer: Uint8Array): string {
  return `sha256/${createHash('sha256').update(spkiDer).digest('base64')}`;
}

/** The pin of a certificate's public key. */
export function certificatePin(cert: X509Certificate): string {
  return spkiPin(cert.publicKey.export({ type: 'spki', format: 'der' }));
}

/** The pin of the first certificate in a PEM text. */
export function pemPin(pem: string): string {
  return certificatePin(new X509Certificate(pem));
}
