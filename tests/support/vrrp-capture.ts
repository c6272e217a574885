import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor, type Lab } from '@keepwatch/lab';

/**
 * Starts tcpdump on a lab host's eth0 for the packets `filter` selects, one line a packet (plus
 * `flags`, e.g. -tt for epoch timestamps, -v for VRRP's auth field), into `file` in the host's
 * folder, and resolves once it listens so that no packet is missed; returns the file's path. The
 * lab stops it with its other processes.
 */
export async function captureWire(
  lab: Lab,
  o: { host?: string; file: string; filter: string; flags?: string[] },
): Promise<string> {
  const host = o.host ?? 'client';
  const capture = join(lab.host(host).dir, o.file);
  lab.spawn(host, 'tcpdump', ['-i', 'eth0', '-n', '-l', ...(o.flags ?? []), '-U', o.filter], {
    logFile: capture,
    what: `tcpdump ${o.filter}`,
  });
  await waitFor(() => readFileSync(capture, 'utf8').includes('listening on'), {
    timeoutMs: 5000,
    what: `tcpdump (${o.filter}) to listen`,
  });
  return capture;
}

/** VRRP (IP protocol 112) with epoch timestamps (-tt), into vrrp.txt: see {@link captureWire}. */
export function captureVrrp(lab: Lab, host = 'client'): Promise<string> {
  return captureWire(lab, { host, file: 'vrrp.txt', filter: 'ip proto 112', flags: ['-tt'] });
}

/** What `file` (a capture) gets from now on: each call of the result reads it again. */
export function captureFromNow(file: string): () => string {
  const from = readFileSync(file, 'utf8').length;
  return () => readFileSync(file, 'utf8').slice(from);
}

/** One multicast advert in a {@link captureVrrp} file: when (ms since the epoch), from where, at what priority. */
export type CapturedAdvert = { t: number; src: string; prio: number };

/** The multicast adverts for `vrid` (51: the reference instance's) in a {@link captureVrrp} file, in order. */
export function capturedAdverts(capture: string, vrid = 51): CapturedAdvert[] {
  const advert = new RegExp(
    `^(\\d+\\.\\d+) IP (\\S+) > 224\\.0\\.0\\.18: VRRPv\\d, Advertisement, vrid ${vrid}, prio (\\d+)`,
  );
  return readFileSync(capture, 'utf8')
    .split('\n')
    .map((l) => advert.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ t: Number(m[1]) * 1000, src: m[2] ?? '', prio: Number(m[3]) }));
}
