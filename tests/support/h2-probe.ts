/**
 * tests/agent/tls-termination's probe, a script run on a lab host: usage
 * `node probe.mjs VIP SERVERNAME CA_FILES(comma-separated) OUT_FILE RATE_HZ`; SIGTERM stops it.
 * Errors are recorded as the lab's probe.mjs records them (a reset `ECONNRESET`, a timeout
 * `timeout`), which is what `endedBySwitch` reads.
 */
/** HTTPS GETs through the VIP on a new connection each (HTTP/2 offered), one JSON line per request. */
export const H2_PROBE = `
import { connect } from 'node:http2';
import { appendFileSync, readFileSync } from 'node:fs';
const [vip, name, caFiles, out, rateHz] = process.argv.slice(2);
const ca = caFiles.split(',').map((f) => readFileSync(f));
let seq = 0, stop = false;
process.on('SIGTERM', () => { stop = true; });
const one = (n) => new Promise((done) => {
  // One record per request: a reset can reach both the session's and the stream's error handlers.
  let recorded = false;
  const sentAt = Date.now(), rec = (o) => { if (recorded) return; recorded = true; appendFileSync(out, JSON.stringify({ seq: n, sentAt, ...o }) + '\\n'); done(); };
  const s = connect('https://' + vip, { ca, servername: name, ALPNProtocols: ['h2', 'http/1.1'] });
  const t = setTimeout(() => { s.destroy(); rec({ ok: false, error: 'timeout' }); }, 2000);
  s.on('error', (e) => { clearTimeout(t); rec({ ok: false, error: e.code ?? e.message }); });
  s.on('connect', () => {
    const fp = s.socket.getPeerCertificate().fingerprint256, alpn = s.alpnProtocol, connectedAt = Date.now();
    const r = s.request({ ':path': '/', ':authority': name });
    let body = '';
    r.on('response', (h) => { r.on('data', (d) => (body += d)); r.on('end', () => {
      clearTimeout(t); s.close(); rec({ ok: h[':status'] === 200, status: h[':status'], alpn, fp, connectedAt, body: body.trim() });
    }); });
    r.on('error', (e) => { clearTimeout(t); s.destroy(); rec({ ok: false, error: e.code ?? e.message }); });
    r.end();
  });
});
while (!stop) { const n = seq++; void one(n); await new Promise((r) => setTimeout(r, 1000 / Number(rateHz))); }
await new Promise((r) => setTimeout(r, 2500));
`;

export type H2ProbeRecord = {
  seq: number;
  sentAt: number;
  /** When the TLS handshake completed. */
  connectedAt?: number;
  ok: boolean;
  alpn?: string;
  fp?: string;
  body?: string;
  error?: string;
};
