/**
 * The `tls` part of a config push (issue #17 item 1): each certificate a revision's virtual
 * servers name, as nginx reads it (leaf + chain PEM, and the key), and the cluster's ACME account
 * thumbprint. The agent writes them to `<stateDir>/tls/<name>.pem|.key` and renders with them.
 * Keys travel only over the agent's authenticated channel, to agents that announce
 * {@link TLS_CAPABILITY}; they are never logged.
 */
import { z } from 'zod';
import { NameSchema } from '../spec/grammar.js';
import { Sha256Schema } from './nginx-status.js';

/** The hello capability of agents that take `tls` in a config push. */
export const TLS_CAPABILITY = 'tls';

/** Leaf + chain: a few certificates of at most a few KiB each. */
export const MAX_CERTIFICATE_PEM_CHARS = 64 * 1024;
/** An 8192-bit RSA key in PEM is about 6.3 KiB. */
export const MAX_KEY_PEM_CHARS = 16 * 1024;

/** Base64 PEM text only: no quote, `;` or other byte that could matter to nginx or a shell. */
const PEM_CHARS = /^[A-Za-z0-9+/=\r\n -]*$/;

const pem = (max: number, ok: (firstLine: string) => boolean, message: string) =>
  z
    .string()
    .max(max)
    .refine((s) => PEM_CHARS.test(s) && ok(s.slice(0, s.indexOf('\n')).trim()) && s.includes('-----END '), {
      message,
    });

/** One certificate of a push. */
export const PushedCertificateSchema = z.strictObject({
  /** The Certificate.name the spec's `tls.certificate` names; also the file name on the node. */
  name: NameSchema,
  /** SHA-256 of the leaf's DER, lower-case hex: what the agent reports and compares. */
  fingerprintSha256: Sha256Schema,
  /** Leaf first, then the chain (what nginx's ssl_certificate reads). */
  certificatePem: pem(
    MAX_CERTIFICATE_PEM_CHARS,
    (l) => l === '-----BEGIN CERTIFICATE-----',
    'must be PEM certificates (leaf first)',
  ),
  /** The private key, unencrypted PEM (nginx would ask for a passphrase otherwise). */
  keyPem: pem(
    MAX_KEY_PEM_CHARS,
    (l) => l.startsWith('-----BEGIN ') && l.endsWith(' PRIVATE KEY-----') && !l.includes('ENCRYPTED'),
    'must be an unencrypted PEM private key',
  ),
});
/** One certificate of a push. */
export type PushedCertificate = z.infer<typeof PushedCertificateSchema>;

/** The `tls` field of `config-push`. */
export const TlsMaterialSchema = z
  .strictObject({
    certificates: z.array(PushedCertificateSchema).max(256),
    /** RFC 8555 8.1: the account key's JWK thumbprint (RFC 7638), base64url without padding. */
    acmeThumbprint: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, { message: 'must be 43 base64url characters (RFC 7638 SHA-256)' })
      .optional(),
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.certificates.forEach((c, i) => {
      if (seen.has(c.name))
        ctx.addIssue({
          code: 'custom',
          path: ['certificates', i, 'name'],
          message: `duplicate certificate "${c.name}"`,
        });
      seen.add(c.name);
    });
  });
/** The `tls` field of `config-push`. */
export type TlsMaterial = z.infer<typeof TlsMaterialSchema>;

/** The certificates the spec's tls virtual servers name that `tls` does not carry (an apply cannot render them). */
export function missingCertificates(
  spec: { virtualServers: readonly { tls?: { certificate: string } | undefined }[] },
  tls: TlsMaterial | undefined,
): string[] {
  const have = new Set(tls?.certificates.map((c) => c.name));
  const want = spec.virtualServers.flatMap((vs) => (vs.tls ? [vs.tls.certificate] : []));
  return [...new Set(want)].filter((n) => !have.has(n));
}
