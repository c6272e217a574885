// Records every VRRP advert seen on eth0 of the lab host it runs in (through the agent's addon):
// one JSON line per advert { t (ms, epoch, sub-ms), src, vrid, priority }. Stops on SIGTERM.
// Usage: node advert-listener.mjs OUTFILE
import { createRequire } from 'node:module';
import { createWriteStream } from 'node:fs';

const require = createRequire(import.meta.url);
const net = require('../apps/agent/build/Release/keepwatch_net.node');
const out = createWriteStream(process.argv[2], { flags: 'a' });
const fd = net.openVrrp(4, 'eth0', true);
const watcher = new net.Watcher(fd, () => {
  for (let i = 0; i < 64; i++) {
    const p = net.recvVrrp(fd, 4);
    if (!p) return;
    const t = performance.timeOrigin + performance.now();
    out.write(JSON.stringify({ t, src: p.src, vrid: p.data[1], priority: p.data[2] }) + '\n');
  }
});
process.on('SIGTERM', () => {
  watcher.stop();
  net.closeFd(fd);
  out.end(() => process.exit(0));
});
console.log('listening');
