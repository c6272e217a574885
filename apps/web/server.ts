/**
 * The dashboard's one process and one port: Next.js pages, the tRPC API on /api/trpc, /metrics —
 * and the agent hub's WebSocket upgrade on /agent (marked below) — all in this module graph, so
 * they share one database client and one set of singletons (STACK-NOTES: route handlers under
 * app/ are bundled apart and would not). Run with tsx: `npm start` (production build) or
 * `npm run dev`.
 */
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { loadEnv } from './src/env';
import { createControlPlane } from './src/server/control-plane';
import { AgentHub } from './src/server/hub/hub';

const env = loadEnv(process.env);
const dev = env.NODE_ENV !== 'production';
const dir = fileURLToPath(new URL('.', import.meta.url));

const cp = await createControlPlane(env);
const app = next({ dev, dir, hostname: env.HOST, port: env.PORT });
const nextHandler = app.getRequestHandler();
await app.prepare();
const nextUpgrade = app.getUpgradeHandler();

const server = createServer((req, res) => {
  if (cp.handle(req, res)) return;
  nextHandler(req, res).catch((err: unknown) => {
    cp.log.error({ err, url: req.url }, 'next failed');
    if (!res.headersSent) res.writeHead(500).end();
  });
});

server.on('upgrade', (req, socket, head) => {
  // The agents' WebSocket (the hub, ws in noServer mode); every other upgrade (Next's dev hot
  // reload) goes to Next, without which dev HMR breaks.
  if (AgentHub.owns(req)) {
    cp.hub.handleUpgrade(req, socket, head);
    return;
  }
  nextUpgrade(req, socket, head).catch((err: unknown) => {
    cp.log.error({ err, url: req.url }, 'upgrade failed');
    socket.destroy();
  });
});

server.listen(env.PORT, env.HOST, () => cp.log.info({ port: env.PORT, host: env.HOST, dev }, 'dashboard listening'));

// One Ctrl-C can arrive twice (the terminal signals the whole process group, and a launcher such
// as tsx or the demo relays it): only a signal a moment after the first exits at once.
const SECOND_SIGNAL_AFTER_MS = 1000;
let stopping = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) {
      if (Date.now() - stopping >= SECOND_SIGNAL_AFTER_MS) process.exit(1);
      return;
    }
    stopping = Date.now();
    cp.log.info({ signal }, 'stopping');
    server.close();
    server.closeAllConnections();
    void Promise.allSettled([app.close?.(), cp.close()]).then(() => process.exit(0));
  });
}
