import { onesComplementSum, parseIPv4 } from '@keepwatch/vrrp';

/**
 * A whole Ethernet frame carrying an IPv4 packet of protocol 112 with `payload`, for injecting
 * hand-made (and hostile) VRRP packets into the lab: any TTL, any source.
 */
export function vrrpFrameV4(opts: {
  srcMac: string;
  dstMac?: string;
  src: string;
  dst: string;
  ttl: number;
  payload: Uint8Array;
}): string {
  const ip = new Uint8Array(20 + opts.payload.length);
  ip[0] = 0x45;
  ip[1] = 0xc0;
  ip[2] = ip.length >> 8;
  ip[3] = ip.length & 0xff;
  ip[8] = opts.ttl;
  ip[9] = 112;
  ip.set(parseIPv4(opts.src)!, 12);
  ip.set(parseIPv4(opts.dst)!, 16);
  const c = ~onesComplementSum([ip.subarray(0, 20)]) & 0xffff;
  ip[10] = c >> 8;
  ip[11] = c & 0xff;
  ip.set(opts.payload, 20);
  const dstMac = opts.dstMac ?? (opts.dst === '224.0.0.18' ? '01:00:5e:00:00:12' : 'ff:ff:ff:ff:ff:ff');
  const eth = Buffer.concat([
    Buffer.from(dstMac.replace(/:/g, ''), 'hex'),
    Buffer.from(opts.srcMac.replace(/:/g, ''), 'hex'),
    Buffer.from([0x08, 0x00]),
  ]);
  return Buffer.concat([eth, Buffer.from(ip)]).toString('hex');
}

/** A metric's value from Prometheus text, or 0 when the series is absent. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.indexOf('}'));
    const got = Object.fromEntries(
      body.split(',').map((kv) => {
        const [k, v] = kv.split('=');
        return [k, v?.replace(/^"|"$/g, '')];
      }),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(line.slice(line.indexOf('}') + 1).trim());
  }
  return 0;
}
