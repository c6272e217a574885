// A TLS WebSocket server standing in for the dashboard (or for someone on the path) in a lab
// namespace: it records every connection and every frame it receives, one JSON line each.
// Usage: tls-ws-server.mjs CERT KEY HOST PORT OUTFILE [PINS]. Without PINS it answers nothing;
// with PINS (a JSON array) it plays a minimal hub: `enroll` → `enrolled`, `hello` → `welcome` and
// then `pins` announcing PINS. Stops on SIGTERM.
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { WebSocketServer } from 'ws';

const [cert, key, host, port, out, pins] = process.argv.slice(2);
const record = (o) => appendFileSync(out, `${JSON.stringify({ t: Date.now(), ...o })}\n`);
const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) });
const wss = new WebSocketServer({ server, path: '/agent' });
const send = (ws, m) => ws.send(JSON.stringify({ v: 1, ...m }));
wss.on('connection', (ws) => {
  record({ event: 'open' });
  ws.on('message', (data) => {
    const text = data.toString('utf8');
    record({ event: 'frame', text });
    if (pins === undefined) return;
    const m = JSON.parse(text);
    if (m.type === 'enroll') send(ws, { type: 'enrolled', node: m.node, credential: 'c'.repeat(32) });
    if (m.type === 'hello') {
      send(ws, { type: 'welcome', node: m.node, serverVersion: '0.0.0', heartbeatIntervalMs: 5000, ackedSeq: null });
      send(ws, { type: 'pins', pins: JSON.parse(pins) });
    }
  });
});
server.on('secureConnection', () => record({ event: 'tls' }));
server.listen(Number(port), host, () => record({ event: 'listening' }));
process.on('SIGTERM', () => process.exit(0));
