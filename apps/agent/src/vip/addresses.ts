import { execFile } from 'node:child_process';

/** One virtual address on an interface. */
export type Vip = {
  address: string;
  /** Prefix length (default /32 for IPv4, /128 for IPv6, as keepalived). */
  prefix: number;
  dev: string;
  family: 4 | 6;
};

export type IpRunner = (args: readonly string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

/** Runs `ip` (iproute2) with arguments, never through a shell. */
export const runIp: IpRunner = (args) =>
  new Promise((resolve) => {
    execFile('ip', [...args], { timeout: 5000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, stdout, stderr });
    });
  });

function cidr(v: Vip): string {
  return `${v.address}/${v.prefix}`;
}

/**
 * Adds and removes VIPs with iproute2. `replace` is idempotent (a duplicate `add` exits 2,
 * STACK-NOTES); IPv6 VIPs are added `nodad`, so they can be used (and their unsolicited
 * neighbour advertisement sent) at once instead of after duplicate address detection.
 */
export class VipActuator {
  constructor(private readonly ip: IpRunner = runIp) {}

  async add(vips: readonly Vip[]): Promise<void> {
    for (const v of vips) {
      const args = ['-' + v.family, 'addr', 'replace', cidr(v), 'dev', v.dev];
      if (v.family === 6) args.push('nodad');
      const r = await this.ip(args);
      if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
    }
  }

  /** Removes VIPs; one that is not there is not an error. */
  async remove(vips: readonly Vip[]): Promise<void> {
    const errors: string[] = [];
    for (const v of vips) {
      const args = ['-' + v.family, 'addr', 'del', cidr(v), 'dev', v.dev];
      const r = await this.ip(args);
      if (r.code !== 0 && !/Cannot assign requested address|does not exist/i.test(r.stderr))
        errors.push(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
    }
    if (errors.length) throw new Error(errors.join('; '));
  }

  /** Which of `vips` the interfaces hold now (`ip -j addr`). */
  async present(vips: readonly Vip[]): Promise<Vip[]> {
    const devs = [...new Set(vips.map((v) => v.dev))];
    const held = new Set<string>();
    for (const dev of devs) {
      const r = await this.ip(['-j', 'addr', 'show', 'dev', dev]);
      if (r.code !== 0) continue; // the interface is gone: it holds nothing
      const parsed = JSON.parse(r.stdout || '[]') as { addr_info?: { local?: string }[] }[];
      for (const link of parsed)
        for (const a of link.addr_info ?? []) if (a.local) held.add(`${dev} ${a.local.toLowerCase()}`);
    }
    return vips.filter((v) => held.has(`${v.dev} ${v.address.toLowerCase()}`));
  }
}
