// The lab's HTTP probe: sends GET requests to a URL at a fixed rate, each on a new connection,
// and writes one JSON line per request: { seq, sentAt (ms, epoch), ok, status, backend,
// latencyMs, error }. It stops on SIGTERM (after in-flight requests settle, bounded) or after
// --max-ms. Usage: node probe.mjs URL RATE_HZ MAX_MS TIMEOUT_MS OUTFILE
import { request } from 'node:http';
import { createWriteStream } from 'node:fs';

const [url, rateArg = '100', maxArg = '60000', timeoutArg = '1000', outFile] = process.argv.slice(2);
if (!url || !outFile) {
  console.error('usage: probe.mjs URL RATE_HZ MAX_MS TIMEOUT_MS OUTFILE');
  process.exit(2);
}
const periodMs = 1000 / Number(rateArg);
const maxMs = Number(maxArg);
const timeoutMs = Number(timeoutArg);
const out = createWriteStream(outFile, { flags: 'a' });
const started = Date.now();
let seq = 0;
let inflight = 0;
let stopping = false;

function once() {
  const n = seq++;
  const sentAt = Date.now();
  const t0 = performance.now();
  inflight++;
  let done = false;
  const finish = (rec) => {
    if (done) return;
    done = true;
    inflight--;
    out.write(JSON.stringify({ seq: n, sentAt, latencyMs: Math.round((performance.now() - t0) * 10) / 10, ...rec }) + '\n');
  };
  const req = request(url, { agent: false, timeout: timeoutMs, headers: { connection: 'close' } }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c) => { body += c; });
    res.on('end', () => finish({ ok: res.statusCode >= 200 && res.statusCode < 300, status: res.statusCode, backend: body.trim(), servedBy: res.headers['x-served-by'] }));
    res.on('error', (e) => finish({ ok: false, error: e.code ?? e.message }));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (e) => finish({ ok: false, error: e.code ?? e.message }));
  req.end();
}

// Schedule against the start time, not the last tick, so the rate does not drift.
function tick() {
  if (stopping) return;
  if (Date.now() - started >= maxMs) return stop();
  once();
  const next = started + seq * periodMs;
  setTimeout(tick, Math.max(0, next - Date.now()));
}

function stop() {
  if (stopping && inflight === 0) return;
  stopping = true;
  const deadline = Date.now() + timeoutMs + 500;
  const wait = () => {
    if (inflight === 0 || Date.now() > deadline) out.end(() => process.exit(0));
    else setTimeout(wait, 10);
  };
  wait();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
console.log('probe started');
tick();
