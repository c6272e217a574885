import { execFile } from 'node:child_process';
import { REPO } from '../support/repo.js';

/**
 * `npm run package:agent`, as a user runs it (turbo builds the agent first); resolves with the
 * tarball's path (the script's last line). A failure carries the script's own output.
 */
export function packageAgent(timeoutMs = 240_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'npm',
      ['run', '--silent', 'package:agent'],
      { cwd: REPO, timeout: timeoutMs, maxBuffer: 8 << 20 },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(
              `npm run package:agent failed (${err.message.split('\n')[0]}):\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`,
            ),
          );
        else resolve(stdout.trim().split('\n').at(-1) ?? '');
      },
    );
  });
}
