// A tiny web backend for the lab: answers every request with its own name and a newline.
// Usage: node backend.mjs NAME PORT [ADDRESS]
import { createServer } from 'node:http';

const [name, port = '80', address = '::'] = process.argv.slice(2);
if (!name) {
  console.error('usage: backend.mjs NAME PORT [ADDRESS]');
  process.exit(2);
}
const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'x-backend': name, connection: 'close' });
  res.end(`${name}\n`);
});
server.listen(Number(port), address, () => console.log(`backend ${name} listening on ${address}:${port}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
