/**
 * Test support: a small real PKI made with the `openssl` command at test time (a root CA, an
 * intermediate, leaves for it with and without subjectAltName, expired and not-yet-valid ones,
 * encrypted keys). P-256 keys, so the whole set takes well under a second.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TestPki = {
  rootPem: string;
  intermediatePem: string;
  leafPem: string;
  leafKey: string;
  /** A leaf with no subjectAltName, only CN=cn-only.example.test. */
  cnOnlyPem: string;
  cnOnlyKey: string;
  /** Another key pair's private key. */
  otherKey: string;
  /** The leaf's key as encrypted PKCS#8 and as a traditional (Proc-Type) encrypted EC key. */
  leafKeyPkcs8Encrypted: string;
  leafKeyTraditionalEncrypted: string;
  /** The intermediate (same name and key) as the root issued it for January 2020 only. */
  expiredIntermediatePem: string;
  /** Valid in January 2020 only, and from 2090 on; both for `leafKey`. */
  expiredPem: string;
  futurePem: string;
};

const LEAF_EXT = 'subjectAltName=DNS:www.example.test,DNS:example.test,IP:192.0.2.10,IP:2001:db8::10\n';
const CA_EXT = 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n';
const CA_CONF = `[ca]
default_ca=d
[d]
database=db/index
new_certs_dir=db
serial=db/serial
default_md=sha256
policy=p
unique_subject=no
[p]
commonName=supplied
`;

/** Makes the PKI in a temporary folder (removed before returning). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'kw-pki-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const newKey = (f: string) => run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f);
  try {
    writeFileSync(join(dir, 'leaf.ext'), LEAF_EXT);
    writeFileSync(join(dir, 'ca.ext'), CA_EXT);
    writeFileSync(join(dir, 'ca.cnf'), CA_CONF);
    mkdirSync(join(dir, 'db'));
    writeFileSync(join(dir, 'db/index'), '');
    writeFileSync(join(dir, 'db/serial'), '1000\n');
    for (const k of ['root', 'int', 'leaf', 'cn', 'other']) newKey(`${k}.key`);
    run('req', '-x509', '-key', 'root.key', '-subj', '/CN=Keepwatch Test Root', '-days', '30', '-out', 'root.pem');
    run('req', '-new', '-key', 'int.key', '-subj', '/CN=Keepwatch Test Intermediate', '-out', 'int.csr');
    run(
      'x509',
      '-req',
      '-in',
      'int.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-days',
      '20',
      '-extfile',
      'ca.ext',
      '-out',
      'int.pem',
    );
    run('req', '-new', '-key', 'leaf.key', '-subj', '/CN=www.example.test', '-out', 'leaf.csr');
    run('req', '-new', '-key', 'cn.key', '-subj', '/CN=cn-only.example.test', '-out', 'cn.csr');
    const leaf = (csr: string, out: string, ext: string[]) =>
      run('x509', '-req', '-in', csr, '-CA', 'int.pem', '-CAkey', 'int.key', '-days', '10', ...ext, '-out', out);
    leaf('leaf.csr', 'leaf.pem', ['-extfile', 'leaf.ext']);
    leaf('cn.csr', 'cn.pem', []);
    // `openssl ca` takes explicit start and end dates (this openssl's x509 has no -not_before).
    const dated = (out: string, start: string, end: string, by = 'int', csr = 'leaf', ext = 'leaf') =>
      run(
        'ca',
        '-batch',
        '-notext',
        '-config',
        'ca.cnf',
        '-cert',
        `${by}.pem`,
        '-keyfile',
        `${by}.key`,
        '-in',
        `${csr}.csr`,
        '-extfile',
        `${ext}.ext`,
        '-startdate',
        start,
        '-enddate',
        end,
        '-out',
        out,
      );
    dated('expired.pem', '20200101000000Z', '20200201000000Z');
    dated('future.pem', '20900101000000Z', '20900201000000Z');
    dated('int-expired.pem', '20200101000000Z', '20200201000000Z', 'root', 'int', 'ca');
    run('pkcs8', '-topk8', '-in', 'leaf.key', '-v2', 'aes-256-cbc', '-passout', 'pass:secret', '-out', 'enc8.key');
    run('ec', '-in', 'leaf.key', '-aes256', '-passout', 'pass:secret', '-out', 'enctrad.key');
    return {
      rootPem: read('root.pem'),
      intermediatePem: read('int.pem'),
      leafPem: read('leaf.pem'),
      leafKey: read('leaf.key'),
      cnOnlyPem: read('cn.pem'),
      cnOnlyKey: read('cn.key'),
      otherKey: read('other.key'),
      leafKeyPkcs8Encrypted: read('enc8.key'),
      leafKeyTraditionalEncrypted: read('enctrad.key'),
      expiredIntermediatePem: read('int-expired.pem'),
      expiredPem: read('expired.pem'),
      futurePem: read('future.pem'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
