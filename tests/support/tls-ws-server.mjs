// A TLS WebSocket server standing in for the dashboard (or for someone on the path) in a lab
// namespace: it records every connection and every frame it receives, one JSON line each, and
// answers nothing. Usage: tls-ws-server.mjs CERT KEY HOST PORT OUTFILE. Stops on SIGTERM.
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { WebSocketServer } from 'ws';

const [cert, key, host, port, out] = process.argv.slice(2);
const record = (o) => appendFileSync(out, `${JSON.stringify({ t: Date.now(), ...o })}\n`);
const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) });
const wss = new WebSocketServer({ server, path: '/agent' });
wss.on('connection', (ws) => {
  record({ event: 'open' });
  ws.on('message', (data) => record({ event: 'frame', text: data.toString('utf8') }));
});
server.on('secureConnection', () => record({ event: 'tls' }));
server.listen(Number(port), host, () => record({ event: 'listening' }));
process.on('SIGTERM', () => process.exit(0));
