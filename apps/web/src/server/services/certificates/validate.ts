/**
 * Checks an uploaded TLS certificate, its private key and its chain before anything is stored
 * (issue #17 item 1). Pure: no I/O, the clock is a parameter. What nginx would only find at reload
 * time on every node (a key that does not match, a chain in the wrong order, an expired
 * certificate) is refused here, naming the field at fault: `certificate`, `key` or `chain.<i>`
 * (the chain's certificates counted from 0, the leaf's issuer first).
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../errors';

// A leaf with hundreds of names stays well under these; they only bound what the parser reads.
const MAX_CERTIFICATE = 64 * 1024;
const MAX_KEY = 64 * 1024;
const MAX_CHAIN = 256 * 1024;
export const MAX_CHAIN_CERTIFICATES = 10;

/** A certificate's name: later also the file name of its certificate and key on the nodes. */
export const CertificateNameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, {
  message: 'must be 1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
});

export const CertificateUploadSchema = z.strictObject({
  certificate: z.string().min(1, { message: 'is required' }).max(MAX_CERTIFICATE, { message: 'is larger than 64 KiB' }),
  key: z.string().min(1, { message: 'is required' }).max(MAX_KEY, { message: 'is larger than 64 KiB' }),
  chain: z.string().max(MAX_CHAIN, { message: 'is larger than 256 KiB' }).optional(),
});
export type CertificateUpload = z.output<typeof CertificateUploadSchema>;

export type RefusalReason =
  | 'not-pem'
  | 'too-many'
  | 'encrypted-key'
  | 'bad-key'
  | 'key-mismatch'
  | 'chain-order'
  | 'expired'
  | 'not-yet-valid'
  | 'no-names';

/** A refused upload: `field` names the input at fault, `reason` says why in a testable way. */
export class CertificateRefusal extends AppError {
  readonly reason: RefusalReason;
  constructor(field: string, reason: RefusalReason, message: string) {
    super('BAD_REQUEST', { field, message });
    this.name = 'CertificateRefusal';
    this.reason = reason;
  }
}

/** What is stored: normalised PEM texts and the facts shown on the page. */
export type ValidCertificate = {
  certificatePem: string;
  chainPem: string;
  keyPem: string;
  names: string[];
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the leaf's DER, colon-separated hex (as browsers and `openssl x509 -fingerprint` show it). */
  fingerprintSha256: string;
};

type PemBlock = { label: string; text: string; encryptedHeader: boolean };

const PEM_BEGIN = /^-----BEGIN ([A-Z0-9 ]+)-----$/;

/** The PEM blocks of a text, line by line (a single regex over the whole text can backtrack badly). */
function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let open: { label: string; lines: string[] } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim(); // CRLF and pasted indentation
    if (!open) {
      const label = PEM_BEGIN.exec(line)?.[1];
      if (label !== undefined) open = { label, lines: [line] };
      continue;
    }
    open.lines.push(line);
    if (line === `-----END ${open.label}-----`) {
      const body = open.lines.slice(1, -1);
      blocks.push({
        label: open.label,
        text: `${open.lines.join('\n')}\n`,
        encryptedHeader: body.some((l) => /^Proc-Type:\s*4,ENCRYPTED/.test(l)),
      });
      open = undefined;
    }
  }
  return blocks;
}

function parseCertificate(block: PemBlock, field: string): X509Certificate {
  try {
    return new X509Certificate(block.text);
  } catch {
    throw new CertificateRefusal(field, 'not-pem', 'is a CERTIFICATE block that cannot be parsed');
  }
}

function certificates(text: string, field: string): { field: string; cert: X509Certificate }[] {
  const blocks = pemBlocks(text);
  const others = blocks.filter((b) => b.label !== 'CERTIFICATE');
  if (blocks.length === 0 || others.length > 0)
    throw new CertificateRefusal(
      field,
      'not-pem',
      others.length > 0
        ? `must hold only PEM CERTIFICATE blocks (found ${others[0]?.label})`
        : 'is not PEM: expected "-----BEGIN CERTIFICATE-----"',
    );
  return blocks.map((b, i) => {
    const f = field === 'chain' ? `chain.${i}` : field;
    return { field: f, cert: parseCertificate(b, f) };
  });
}

const KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);

function privateKey(text: string): KeyObject {
  const blocks = pemBlocks(text);
  if (blocks.length !== 1)
    throw new CertificateRefusal(
      'key',
      'not-pem',
      blocks.length === 0 ? 'is not PEM: expected "-----BEGIN PRIVATE KEY-----"' : 'must hold exactly one PEM block',
    );
  const block = blocks[0] as PemBlock;
  if (block.label === 'ENCRYPTED PRIVATE KEY' || block.encryptedHeader)
    throw new CertificateRefusal(
      'key',
      'encrypted-key',
      'is encrypted with a passphrase; nginx would ask for it at every start: upload it decrypted (`openssl pkey -in key.pem -out plain.pem`)',
    );
  if (!KEY_LABELS.has(block.label))
    throw new CertificateRefusal('key', 'not-pem', `must be a PEM private key (found ${block.label})`);
  try {
    return createPrivateKey({ key: block.text, format: 'pem' });
  } catch {
    throw new CertificateRefusal('key', 'bad-key', 'is a private key block that cannot be parsed');
  }
}

/** An IPv6 address as usually written (`2001:db8::1`; OpenSSL gives `2001:DB8:0:0:0:0:0:1`). */
function ipv6Text(address: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address;
  }
}

/** The DNS names and IP addresses the certificate is for: subjectAltName, else the subject's CN. */
export function certificateNames(cert: X509Certificate): string[] {
  const san = cert.subjectAltName;
  if (san) {
    const names: string[] = [];
    for (const entry of san.split(/,\s*/)) {
      const m = /^(DNS|IP Address):"?(.*?)"?$/.exec(entry.trim());
      if (m?.[2]) names.push(m[1] === 'IP Address' && m[2].includes(':') ? ipv6Text(m[2]) : m[2]);
    }
    return names;
  }
  return cert.subject
    .split('\n')
    .filter((l) => l.startsWith('CN='))
    .map((l) => l.slice(3));
}

// A certificate made a moment ago on a host whose clock runs a little ahead is not refused.
export const CLOCK_SKEW_MS = 5 * 60_000;

function checkDates(cert: X509Certificate, field: string, now: Date): void {
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (notAfter.getTime() <= now.getTime())
    throw new CertificateRefusal(field, 'expired', `expired on ${notAfter.toISOString()}`);
  if (notBefore.getTime() > now.getTime() + CLOCK_SKEW_MS)
    throw new CertificateRefusal(field, 'not-yet-valid', `is not valid before ${notBefore.toISOString()}`);
}

function firstLine(dn: string): string {
  return dn.split('\n').join(', ');
}

/**
 * The upload checked and normalised, or a {@link CertificateRefusal}. Checks, in order: each text is
 * PEM of the right kind; the key is not encrypted and matches the certificate; each chain
 * certificate issued (and signed) the one before it; the certificate names something; every
 * certificate is valid at `now`.
 */
export function validateCertificate(input: CertificateUpload, now: Date): ValidCertificate {
  const leafs = certificates(input.certificate, 'certificate');
  if (leafs.length !== 1)
    throw new CertificateRefusal(
      'certificate',
      'too-many',
      `holds ${leafs.length} certificates; put only the server's certificate here and its issuers in the chain`,
    );
  const leaf = (leafs[0] as { cert: X509Certificate }).cert;
  const key = privateKey(input.key);
  if (!leaf.checkPrivateKey(key))
    throw new CertificateRefusal('key', 'key-mismatch', 'does not match the certificate (another key pair)');
  const chainText = input.chain?.trim() ?? '';
  const chain = chainText === '' ? [] : certificates(chainText, 'chain');
  if (chain.length > MAX_CHAIN_CERTIFICATES)
    throw new CertificateRefusal('chain', 'too-many', `holds more than ${MAX_CHAIN_CERTIFICATES} certificates`);
  let child = { field: 'certificate', cert: leaf };
  for (const issuer of chain) {
    if (!child.cert.checkIssued(issuer.cert) || !child.cert.verify(issuer.cert.publicKey))
      throw new CertificateRefusal(
        issuer.field,
        'chain-order',
        `did not issue the certificate before it (${firstLine(child.cert.subject)}); the chain goes from the certificate's issuer up toward the root, each certificate followed by its issuer`,
      );
    child = issuer;
  }
  const names = certificateNames(leaf);
  if (names.length === 0)
    throw new CertificateRefusal(
      'certificate',
      'no-names',
      'names no DNS name or IP address (no subjectAltName or CN)',
    );
  checkDates(leaf, 'certificate', now);
  for (const c of chain) checkDates(c.cert, c.field, now);
  return {
    certificatePem: leaf.toString(),
    chainPem: chain.map((c) => c.cert.toString()).join(''),
    keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    names,
    subject: firstLine(leaf.subject),
    issuer: firstLine(leaf.issuer),
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
    fingerprintSha256: leaf.fingerprint256,
  };
}
