/** Test support: a self-signed P-256 certificate made by the `openssl` command at test time. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Writes `<dir>/<name>.crt` and `<dir>/<name>.key`: a certificate for CN=`cn` with the subjectAltName
 * `san` (`DNS:www.example.test`, `IP:198.51.100.50`), valid `days` days from now. Returns their paths.
 */
export function selfSigned(
  dir: string,
  name: string,
  o: { cn: string; san: string; days: number },
): { cert: string; key: string } {
  const [cert, key] = [join(dir, `${name}.crt`), join(dir, `${name}.key`)];
  const subject = ['-subj', `/CN=${o.cn}`, '-addext', `subjectAltName=${o.san}`];
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  execFileSync('openssl', ['req', '-x509', ...ec, '-days', String(o.days), ...subject, '-keyout', key, '-out', cert], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { cert, key };
}
