// Test support: a folder laid out as the agent's tls folder (`<name>.pem`, `<name>.key`) with a
// throwaway self-signed P-256 certificate made by the `openssl` command, for `nginx -t`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A new temp folder holding `<name>.pem` and `<name>.key` for each name; the caller removes it. */
export function tlsDirWith(names: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'kw-tls-'));
  for (const name of names) {
    const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'];
    const subject = ['-subj', `/CN=${name}.example.com`, '-addext', `subjectAltName=DNS:${name}.example.com`];
    const out = ['-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`)];
    execFileSync('openssl', [...args, ...subject, ...out], { stdio: ['ignore', 'pipe', 'pipe'] });
  }
  return dir;
}
