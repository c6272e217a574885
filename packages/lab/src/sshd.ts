import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { runOk } from './exec.js';
import type { Lab, Spawned } from './lab.js';
import { isAlive } from './proc.js';
import { waitFor } from './poll.js';

/** OpenSSH's daemon as Debian installs it (openssh-server). */
export const SSHD_BINARY = '/usr/sbin/sshd';

/**
 * A real OpenSSH sshd on one lab host, with everything of its own under the host's folder: its
 * config, host key (ed25519, generated here — never the machine's), pid file, log and the one
 * authorized key. Root may log in with that key only, and only through this config; passwords are
 * off. It runs in the foreground (`-D -e`), so its pid is the one the lab records.
 */
export class LabSshd {
  readonly dir: string;
  readonly configPath: string;
  readonly hostKeyPath: string;
  readonly pidPath: string;
  readonly logPath: string;
  readonly authorizedKeysPath: string;
  proc: Spawned | null = null;

  constructor(
    private readonly lab: Lab,
    readonly host: string,
    readonly port = 22,
  ) {
    this.dir = join(lab.host(host).dir, 'sshd');
    this.configPath = join(this.dir, 'sshd_config');
    this.hostKeyPath = join(this.dir, 'ssh_host_ed25519_key');
    this.pidPath = join(this.dir, 'sshd.pid');
    this.logPath = join(this.dir, 'sshd.log');
    this.authorizedKeysPath = join(this.dir, 'authorized_keys');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Allows root to log in with this public key (an `ssh-ed25519 AAAA…` line). */
  authorize(publicKey: string): void {
    writeFileSync(this.authorizedKeysPath, `${publicKey.trim()}\n`, { mode: 0o600 });
  }

  /** Generates a new host key (replacing the old one); returns its SHA256 fingerprint. */
  async generateHostKey(): Promise<string> {
    rmSync(this.hostKeyPath, { force: true });
    rmSync(`${this.hostKeyPath}.pub`, { force: true });
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `lab-${this.host}`, '-f', this.hostKeyPath]);
    return this.fingerprint();
  }

  /** The current host key's fingerprint as `ssh-keygen -l -E sha256` prints it (`SHA256:…`). */
  async fingerprint(): Promise<string> {
    const out = await runOk('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${this.hostKeyPath}.pub`]);
    const fp = out.split(/\s+/)[1];
    if (!fp?.startsWith('SHA256:')) throw new Error(`ssh-keygen -l printed ${JSON.stringify(out)}`);
    return fp;
  }

  private writeConfig(): void {
    writeFileSync(
      this.configPath,
      [
        `Port ${this.port}`,
        'ListenAddress 0.0.0.0',
        `HostKey ${this.hostKeyPath}`,
        `PidFile ${this.pidPath}`,
        `AuthorizedKeysFile ${this.authorizedKeysPath}`,
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        // The lab's folders are not laid out like a home directory; the files are ours and 0600.
        'StrictModes no',
        'PrintMotd no',
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
  }

  /** Starts sshd in the host's namespace and waits until it accepts connections there. */
  async start(): Promise<void> {
    if (this.proc && isAlive(this.proc.pid)) throw new Error(`sshd on ${this.host} already runs`);
    if (!existsSync(this.hostKeyPath)) await this.generateHostKey();
    this.writeConfig();
    // sshd refuses to start without its privilege-separation directory (Debian's unit makes it
    // as RuntimeDirectory=sshd; on a machine without that unit running, it may be missing).
    if (!existsSync('/run/sshd')) {
      mkdirSync('/run/sshd', { mode: 0o755 });
      chmodSync('/run/sshd', 0o755);
    }
    await runOk(SSHD_BINARY, ['-t', '-f', this.configPath]);
    const before = this.log().length;
    this.proc = this.lab.spawn(this.host, SSHD_BINARY, ['-D', '-e', '-f', this.configPath], {
      logFile: this.logPath,
      what: 'sshd',
    });
    const proc = this.proc;
    const outcome = await waitFor(
      () =>
        this.log().slice(before).includes(`Server listening on 0.0.0.0 port ${this.port}`)
          ? 'up'
          : !isAlive(proc.pid)
            ? 'exited'
            : undefined,
      { timeoutMs: 10_000, intervalMs: 25, what: `sshd on ${this.host} to listen` },
    );
    if (outcome === 'exited') throw new Error(`sshd on ${this.host} exited:\n${this.log().slice(before)}`);
  }

  /** Stops sshd (by its pid) and waits until it is gone. */
  async stop(): Promise<void> {
    if (this.proc && isAlive(this.proc.pid)) await this.lab.stop(this.proc.pid, { sig: 'SIGTERM', graceMs: 3000 });
    this.proc = null;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  log(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }
}

/** A TCP port on the root namespace's loopback that leads to a port inside a lab host. */
export type LabForward = { port: number; close(): Promise<void> };

// The relay inside the namespace: a unix socket (the filesystem is shared by every namespace)
// to a TCP port of the namespace's own. Inline, so the lab needs no extra file for it.
const RELAY = `
const net = require('node:net');
const [sock, host, port] = process.argv.slice(1);
net.createServer((c) => {
  const up = net.connect(Number(port), host);
  c.pipe(up).pipe(c);
  c.on('error', () => up.destroy());
  up.on('error', () => c.destroy());
}).listen(sock);
`;

/**
 * Makes `host`:`port` (inside the lab host's namespace) reachable as 127.0.0.1:PORT in the root
 * namespace, where the root namespace has no address of the lab's: a relay process in the
 * namespace listens on a unix socket in the lab's folder, and a listener here pipes into it.
 * For programs that only speak TCP (an SSH client). The relay is a lab process (killed by pid at
 * teardown); `close()` stops the listener here.
 */
export async function forwardToLabHost(
  lab: Lab,
  host: string,
  port: number,
  name = `fwd-${host}-${port}`,
): Promise<LabForward> {
  const sock = lab.unixSocketPath(name);
  const relay = lab.spawn(host, process.execPath, ['-e', RELAY, sock, '127.0.0.1', String(port)], {
    logFile: join(lab.host(host).dir, `${name}.log`),
    what: `relay to ${host}:${port}`,
  });
  await waitFor(() => (existsSync(sock) ? true : !isAlive(relay.pid) ? 'exited' : undefined), {
    timeoutMs: 10_000,
    intervalMs: 25,
    what: `relay socket ${sock}`,
  }).then((r) => {
    if (r === 'exited') throw new Error(`the relay to ${host}:${port} exited`);
  });
  const open = new Set<Socket>();
  const server: Server = createServer((c) => {
    open.add(c);
    c.on('close', () => open.delete(c));
    const up = connect(sock);
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  if (typeof addr !== 'object' || !addr) throw new Error('forward: no port');
  return {
    port: addr.port,
    close: () =>
      new Promise<void>((r) => {
        for (const c of open) c.destroy();
        server.close(() => r());
      }),
  };
}
