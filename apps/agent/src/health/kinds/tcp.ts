import { connect } from 'node:net';
import type { CheckOutcome } from '../check.js';

/** TCP connect to host:port; OK once the connection is established (then closed at once). */
export function tcpCheck(host: string, port: number, signal: AbortSignal): Promise<CheckOutcome> {
  if (signal.aborted) return Promise.resolve({ ok: false, detail: 'connect timed out' });
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (o: CheckOutcome) => {
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(o);
    };
    const onAbort = () => done({ ok: false, detail: 'connect timed out' });
    signal.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => done({ ok: true }));
    sock.once('error', (e) => done({ ok: false, detail: e.message }));
  });
}
