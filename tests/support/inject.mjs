// Sends raw Ethernet frames (hex arguments) on eth0 of the namespace it runs in, through the
// agent's own addon (AF_PACKET). Used by tests to inject hostile VRRP packets from a lab host.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const net = require('../../apps/agent/build/Release/keepwatch_net.node');
const [ifname, ...frames] = process.argv.slice(2);
for (const hex of frames) net.sendFrame(ifname, Buffer.from(hex, 'hex'));
console.log(`sent ${frames.length}`);
