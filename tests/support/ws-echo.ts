/**
 * A WebSocket backend for lab tests, run with `node -e WS_ECHO_BACKEND <name> <port>` on a lab
 * host's loopback: plain HTTP answers the name; a WebSocket echoes `name:message` (the `ws` package).
 */
export const WS_ECHO_BACKEND = `
const http = require('node:http');
const { WebSocketServer } = require('ws');
const [name, port] = process.argv.slice(1);
const server = http.createServer((req, res) => res.end(name + '\\n'));
new WebSocketServer({ server }).on('connection', (ws) => ws.on('message', (m) => ws.send(name + ':' + m)));
server.listen(Number(port), '127.0.0.1');
`;

/**
 * A WebSocket client that holds one connection open across an event of the test's: it sends
 * `before`, waits until the file `flag` exists, sends `after`, and prints each answer as it comes
 * (`got …`), then every answer and how the connection ended as one JSON line. Run with `node -e WS_HOLDING_CLIENT <url> <servername> <ca files, comma-separated> <flag>`.
 */
export const WS_HOLDING_CLIENT = `
const { existsSync, readFileSync } = require('node:fs');
const WebSocket = require('ws');
const [url, servername, caFile, flag] = process.argv.slice(1);
const ws = new WebSocket(url, { ca: caFile.split(',').map((f) => readFileSync(f)), servername, headers: { host: servername } });
const got = [];
let closedEarly = null;
const done = (code) => { console.log(JSON.stringify({ got, closedEarly })); process.exit(code); };
ws.on('open', () => ws.send('before'));
ws.on('message', (m) => {
  got.push(String(m));
  console.log('got ' + m);
  if (got.length === 2) { ws.close(); return; }
  let waited = 0;
  const poll = setInterval(() => {
    waited += 50;
    if (existsSync(flag)) { clearInterval(poll); ws.send('after'); }
    else if (waited > 30000) { clearInterval(poll); done(3); }
  }, 50);
});
ws.on('close', (code) => { if (got.length < 2) closedEarly = code; done(got.length === 2 ? 0 : 4); });
ws.on('error', (e) => { console.error(e.message); done(1); });
setTimeout(() => done(2), 40000).unref();
`;
