import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor, type Lab } from '@keepwatch/lab';

/**
 * Starts tcpdump on a lab host's eth0 for VRRP (IP protocol 112), one line a packet with epoch
 * timestamps (-tt), and resolves once it listens so that no advert is missed; returns the file it
 * writes. The lab stops it with its other processes.
 */
export async function captureVrrp(lab: Lab, host = 'client'): Promise<string> {
  const capture = join(lab.host(host).dir, 'vrrp.txt');
  lab.spawn(host, 'tcpdump', ['-i', 'eth0', '-n', '-l', '-tt', '-U', 'ip proto 112'], {
    logFile: capture,
    what: 'tcpdump',
  });
  await waitFor(() => readFileSync(capture, 'utf8').includes('listening on'), {
    timeoutMs: 5000,
    what: 'tcpdump to listen',
  });
  return capture;
}
