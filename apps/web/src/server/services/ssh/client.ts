/**
 * The SSH side of node bootstrap (ssh2): learn a host's key before anything is sent, and open
 * sessions only to a host presenting the key the admin confirmed. Imperative shell; the pure
 * parts (fingerprints, the refusal's message) are in fingerprint.ts.
 */
import ssh2 from 'ssh2';
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import { z } from 'zod';
import { HostKeyChangedError, hostKeyOf, sameFingerprint, type HostKey } from './fingerprint';

const { Client } = ssh2;

/** Where to connect: a DNS name or an IP address, a port, a login. */
export const SshTargetSchema = z.strictObject({
  host: z
    .string()
    .min(1)
    .max(253)
    .regex(
      /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]+)$/,
      { message: 'must be a host name or an IP address' },
    ),
  port: z.number().int().min(1).max(65535).default(22),
  username: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/, { message: 'must be a Unix user name' }),
});
export type SshTarget = z.infer<typeof SshTargetSchema>;

/** How to log in: a password, or a private key (OpenSSH or PEM) with its passphrase if any. */
export const SshAuthSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('password'), password: z.string().min(1).max(1024) }),
  z.strictObject({
    kind: z.literal('key'),
    privateKey: z
      .string()
      .min(32)
      .max(16_384)
      .regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, { message: 'must be a private key in OpenSSH or PEM format' }),
    passphrase: z.string().max(1024).optional(),
  }),
]);
export type SshAuth = z.infer<typeof SshAuthSchema>;

export const DEF_SSH_READY_TIMEOUT_MS = 15_000;
export const DEF_SSH_EXEC_TIMEOUT_MS = 120_000;

export function describeTarget(t: SshTarget): string {
  return `${t.username}@${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}

/**
 * Connects only as far as the key exchange and reports the host key; nothing is authenticated,
 * uploaded or run (the verifier refuses the key, so the handshake ends there).
 */
export function probeHostKey(
  target: Omit<SshTarget, 'username'>,
  timeoutMs = DEF_SSH_READY_TIMEOUT_MS,
): Promise<HostKey> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    let seen: HostKey | null = null;
    const done = (e: Error | null) => {
      c.removeAllListeners();
      c.on('error', () => undefined);
      c.end();
      if (seen) resolve(seen);
      else reject(e ?? new Error('no host key'));
    };
    c.on('error', (e) => done(seen ? null : new Error(`${target.host}:${target.port}: ${e.message}`)));
    c.on('ready', () => done(null));
    c.connect({
      host: target.host,
      port: target.port,
      username: 'keepwatch-probe',
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        seen = hostKeyOf(key);
        return false;
      },
    });
  });
}

export type ExecResult = { code: number | null; signal: string | null; stdout: string; stderr: string };

/** An authenticated session to a host whose key matched the confirmed one. */
export interface SshSession {
  readonly hostKey: HostKey;
  /** Runs a shell command line; `onLine` gets each output line as it arrives (progress). */
  exec(
    command: string,
    opts?: { onLine?: (line: string, stream: 'stdout' | 'stderr') => void; timeoutMs?: number },
  ): Promise<ExecResult>;
  /** Uploads a local file (SFTP). */
  putFile(localPath: string, remotePath: string): Promise<void>;
  /** Writes a file with the given mode (SFTP). */
  writeFile(remotePath: string, content: string, mode: number): Promise<void>;
  close(): void;
}

/**
 * Opens a session, refusing the host unless it presents `expected` — checked inside the key
 * exchange, before authentication, so a changed host never sees a password or a key signature.
 * Rejects with {@link HostKeyChangedError} (both fingerprints in its message) on a mismatch.
 */
export function connectVerified(
  target: SshTarget,
  auth: SshAuth,
  expected: HostKey,
  timeoutMs = DEF_SSH_READY_TIMEOUT_MS,
): Promise<SshSession> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    let actual: HostKey | null = null;
    c.once('error', (e: Error & { level?: string }) => {
      c.end();
      if (actual && !sameFingerprint(actual.fingerprint, expected.fingerprint))
        reject(new HostKeyChangedError(describeTarget(target), expected, actual));
      else if (e.level === 'client-authentication')
        reject(
          new Error(
            `${describeTarget(target)}: authentication failed (the ${auth.kind === 'password' ? 'password' : 'key'} was not accepted)`,
          ),
        );
      else reject(new Error(`${describeTarget(target)}: ${e.message}`));
    });
    c.once('ready', () => {
      c.removeAllListeners('error');
      c.on('error', () => undefined);
      resolve(session(c, actual ?? expected));
    });
    c.connect({
      host: target.host,
      port: target.port,
      username: target.username,
      readyTimeout: timeoutMs,
      ...(auth.kind === 'password'
        ? { password: auth.password }
        : { privateKey: auth.privateKey, ...(auth.passphrase ? { passphrase: auth.passphrase } : {}) }),
      hostVerifier: (key: Buffer) => {
        actual = hostKeyOf(key);
        return sameFingerprint(actual.fingerprint, expected.fingerprint);
      },
    });
  });
}

function session(c: InstanceType<typeof Client>, hostKey: HostKey): SshSession {
  let sftp: Promise<SFTPWrapper> | null = null;
  const getSftp = () =>
    (sftp ??= new Promise<SFTPWrapper>((resolve, reject) =>
      c.sftp((e, s) => (e ? reject(new Error(`sftp: ${e.message}`)) : resolve(s))),
    ));
  return {
    hostKey,
    exec(command, opts = {}) {
      return new Promise<ExecResult>((resolve, reject) => {
        c.exec(command, (e: Error | undefined, ch: ClientChannel) => {
          if (e) return reject(new Error(`exec: ${e.message}`));
          let stdout = '';
          let stderr = '';
          const partial = { stdout: '', stderr: '' };
          const feed = (which: 'stdout' | 'stderr', d: Buffer) => {
            const s = d.toString('utf8');
            if (which === 'stdout') stdout += s;
            else stderr += s;
            if (!opts.onLine) return;
            const lines = (partial[which] + s).split('\n');
            partial[which] = lines.pop() ?? '';
            for (const l of lines) opts.onLine(l, which);
          };
          const timer = setTimeout(() => {
            ch.close();
            reject(
              new Error(`exec: no exit within ${(opts.timeoutMs ?? DEF_SSH_EXEC_TIMEOUT_MS) / 1000} s: ${command}`),
            );
          }, opts.timeoutMs ?? DEF_SSH_EXEC_TIMEOUT_MS);
          ch.on('data', (d: Buffer) => feed('stdout', d));
          ch.stderr.on('data', (d: Buffer) => feed('stderr', d));
          ch.on('close', (code: number | null, signal: string | null) => {
            clearTimeout(timer);
            for (const w of ['stdout', 'stderr'] as const) if (partial[w] && opts.onLine) opts.onLine(partial[w], w);
            resolve({ code: code ?? null, signal: signal ?? null, stdout, stderr });
          });
        });
      });
    },
    async putFile(localPath, remotePath) {
      const s = await getSftp();
      await new Promise<void>((resolve, reject) =>
        s.fastPut(localPath, remotePath, (e) =>
          e ? reject(new Error(`upload to ${remotePath}: ${e.message}`)) : resolve(),
        ),
      );
    },
    async writeFile(remotePath, content, mode) {
      const s = await getSftp();
      await new Promise<void>((resolve, reject) =>
        s.writeFile(remotePath, content, { mode }, (e) =>
          e ? reject(new Error(`write ${remotePath}: ${e.message}`)) : resolve(),
        ),
      );
    },
    close() {
      c.end();
    },
  };
}
