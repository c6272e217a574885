import { runIp } from './addresses.js';

/**
 * The address an instance advertises from: keepalived uses the interface's primary IPv4 address
 * (RFC 5798 5.1.1.1) and, for IPv6, its link-local address (RFC 5798 5.1.2.1). VIPs are never
 * chosen, even when one sits first on the interface.
 */
export async function primaryAddress(ifname: string, family: 4 | 6, exclude: readonly string[]): Promise<string> {
  const r = await runIp(['-j', `-${family}`, 'addr', 'show', 'dev', ifname]);
  if (r.code !== 0) throw new Error(`interface ${ifname}: ${r.stderr.trim()}`);
  const skip = new Set(exclude.map((a) => a.toLowerCase()));
  const links = JSON.parse(r.stdout || '[]') as { addr_info?: { local?: string; scope?: string; family?: string }[] }[];
  for (const link of links) {
    for (const a of link.addr_info ?? []) {
      if (!a.local || skip.has(a.local.toLowerCase())) continue;
      if (family === 4 && a.scope === 'global') return a.local;
      if (family === 6 && a.scope === 'link') return a.local;
    }
  }
  throw new Error(
    `interface ${ifname} has no ${family === 4 ? 'IPv4 address' : 'IPv6 link-local address'} to advertise from (set unicastSrcIp)`,
  );
}
