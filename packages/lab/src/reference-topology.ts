import { Lab } from './lab.js';

/**
 * The reference scenario's hosts mapped onto RFC 5737 addresses (the tutorial's .150–.180 become
 * 198.51.100.x, as in the captured test vectors): two LBs, two web backends, a client, one VIP.
 */
export const REF = {
  client: '198.51.100.10',
  lb1: '198.51.100.11',
  lb2: '198.51.100.12',
  web1: '198.51.100.21',
  web2: '198.51.100.22',
  vip: '198.51.100.100',
  vip6: '2001:db8:51::100',
  /** The tutorial's addresses (parse-only fixtures) and what they become in the lab. */
  tutorial: {
    '192.168.121.150': '198.51.100.11',
    '192.168.121.151': '198.51.100.12',
    '192.168.121.152': '198.51.100.21',
    '192.168.121.153': '198.51.100.22',
    '192.168.121.160': '198.51.100.10',
    '192.168.121.180': '198.51.100.100',
  } as Record<string, string>,
} as const;

const V6: Record<string, string> = {
  client: '2001:db8:51::10',
  lb1: '2001:db8:51::11',
  lb2: '2001:db8:51::12',
  web1: '2001:db8:51::21',
  web2: '2001:db8:51::22',
};

/** Builds the reference topology: lb1, lb2, web1, web2 and client on one segment. */
export function referenceLab(): Promise<Lab> {
  const host = (name: 'client' | 'lb1' | 'lb2' | 'web1' | 'web2') => ({
    name,
    ipv4: [`${REF[name]}/24`],
    ipv6: [`${V6[name]}/64`],
  });
  return Lab.create({ hosts: [host('lb1'), host('lb2'), host('web1'), host('web2'), host('client')] });
}

/** Replaces the tutorial's addresses in a fixture's text by the lab's. */
export function mapTutorialAddresses(text: string): string {
  return text.replace(/192\.168\.121\.\d+/g, (a) => {
    const m = REF.tutorial[a];
    if (!m) throw new Error(`fixture address ${a} has no lab mapping`);
    return m;
  });
}
