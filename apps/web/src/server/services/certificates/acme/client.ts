/**
 * The ACME client side (RFC 8555) over acme-client: the CA's TLS trust (a CA bundle for a private
 * or test CA such as pebble, never "verification off"), the account key's thumbprint, and the CA's
 * error text for the row and the page.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { Agent, get } from 'node:https';
import { rootCertificates } from 'node:tls';
import * as acme from 'acme-client';

/**
 * Trusts the CAs in `pem` (besides the system's) for every ACME request of this process:
 * KEEPWATCH_ACME_CA_FILE, for a directory served under a private CA (pebble's test CA in the lab).
 */
export function trustAcmeCa(pem: string): void {
  caAgent = new Agent({ ca: [...rootCertificates, pem], keepAlive: false });
  acme.axios.defaults.httpsAgent = caAgent;
}
let caAgent: Agent | undefined;

// acme-client retries a failed request 5 times, 5 to 25 s apart (75 s: an admin's request would
// hang that long), and a network error ends in a TypeError of its own: 3 tries, 1-3 s apart, and
// a 30 s limit per request; checkDirectory() gives the network error's own words first.
// acmeSettings is acme-client's own member of its axios instance's defaults (src/axios.js), untyped.
const settings = (acme.axios.defaults as unknown as { acmeSettings: Record<string, number> }).acmeSettings;
settings.retryMaxAttempts = 3;
settings.retryDefaultDelay = 1;
acme.axios.defaults.timeout = 30_000;

/** Fetches the CA's directory once (10 s at most): rejects with the network or TLS error, or the HTTP status. */
export function checkDirectory(directoryUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get(directoryUrl, { agent: caAgent ?? false, timeout: 10_000 }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new Error(`the directory answered HTTP ${res.statusCode ?? '?'}`));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
  });
}

/** How often and how long acme-client polls an order or challenge (ms); bounded: ~1 min at most. */
const POLL = { backoffAttempts: 12, backoffMin: 250, backoffMax: 8000 } as const;

export function acmeClient(a: { directoryUrl: string; accountKeyPem: string; accountUrl?: string }): acme.Client {
  return new acme.Client({
    directoryUrl: a.directoryUrl,
    accountKey: a.accountKeyPem,
    ...(a.accountUrl ? { accountUrl: a.accountUrl } : {}),
    ...POLL,
  });
}

/**
 * RFC 8555 8.1: the account key's JWK thumbprint (RFC 7638: SHA-256 of the required members in
 * lexicographic order, no spaces), base64url — the part after the dot of every key authorization,
 * which the nodes answer http-01 with for any token.
 */
export function accountThumbprint(accountKeyPem: string): string {
  const jwk = createPublicKey(accountKeyPem).export({ format: 'jwk' });
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : jwk.kty === 'RSA'
        ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
        : null;
  if (!members) throw new Error(`unsupported ACME account key type ${jwk.kty}`);
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** A fresh account or certificate key: ECDSA P-256 (every ACME CA takes it; small and fast). */
export async function newKeyPem(): Promise<string> {
  return (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
}

/** A CSR for `names` (the first is the CN) signed with `keyPem`. */
export async function csrFor(names: readonly string[], keyPem: string): Promise<string> {
  const [, csr] = await acme.crypto.createCsr({ commonName: names[0], altNames: [...names] }, keyPem);
  return csr.toString();
}

/** The leaf and its chain from the CA's PEM bundle (leaf first, RFC 8555 7.4.2). */
export function splitIssued(pem: string): { certificatePem: string; chainPem: string } {
  const [leaf = '', ...chain] = acme.crypto.splitPemChain(pem);
  return { certificatePem: leaf, chainPem: chain.join('\n') };
}

/**
 * The text to store and show for a failed ACME step: acme-client puts the CA's problem document
 * `detail` (RFC 8555 6.7, RFC 7807) in the error's message; network errors keep theirs. Cut to 2000.
 */
export function acmeProblem(e: unknown): string {
  // acme-client's retry interceptor ends a request that got no answer in a TypeError of its own.
  if (e instanceof TypeError && /reading '(config|status)'/.test(e.message))
    return 'the CA could not be reached (no answer after 3 tries)';
  const m = e instanceof Error ? e.message : String(e);
  return (m.trim() || 'the ACME order failed without a message').slice(0, 2000);
}
