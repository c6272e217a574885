/**
 * What the agent's package may leave on a host, for tests/systemd/agent-deb-install: the folders
 * compared before install and after removal inside the systemd container, and the check that the
 * host itself (outside the container) never saw the package.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect } from 'vitest';

/** Where the package's own files may leave traces, compared before install and after purge. */
export const WATCHED = [
  '/etc',
  '/lib/systemd',
  '/usr/bin',
  '/usr/lib/systemd',
  '/usr/share/doc',
  '/usr/share/man',
  '/var/lib',
];
/**
 * Paths that change whenever any package is installed, not ours: dpkg's and apt's own records
 * and caches (and rpm's database), the man-db cache, and the backup copies the user tools write
 * of the user databases.
 */
export const NOT_OURS =
  /^\/var\/lib\/(dpkg|apt|rpm|systemd\/catalog)(\/|$)|^\/var\/lib\/man-db\/|^\/etc\/(passwd|group|shadow|gshadow)-$/;

/** The host outside the container has no keepwatch-agent: no executable, unit, dpkg record or user. */
export async function hostUntouched(): Promise<void> {
  expect(existsSync('/usr/bin/keepwatch-agent')).toBe(false);
  expect(existsSync('/lib/systemd/system/keepwatch-agent.service')).toBe(false);
  const dpkg = await promisify(execFile)('dpkg-query', ['-W', '-f', '${Status}', 'keepwatch-agent']).then(
    (r) => r.stdout,
    () => 'not known',
  );
  expect(dpkg).not.toContain('installed');
  expect(readFileSync('/etc/passwd', 'utf8')).not.toContain('keepwatch-script');
}
