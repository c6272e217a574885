/**
 * `keepwatch-dashboard serve`: the dashboard's one process and one port — Next.js pages, the tRPC
 * API on /api/trpc, /metrics and the agent hub's WebSocket upgrade on /agent — all in this module
 * graph, so they share one database client and one set of singletons (STACK-NOTES: route handlers
 * under app/ are bundled apart and would not). Started by server.ts: from source with tsx
 * (`npm run dev`, the demo, the tests) or compiled (`node dist/server.mjs`, the systemd unit).
 */
import next from 'next';
import { legacySecretKeyFile, secretKeyFile, wantedSecretKeyFile, type Env } from '../env';
import { createControlPlane } from './control-plane';
import { AgentHub } from './hub/hub';
import { APP_DIR } from './layout';
import { createLogger, type Logger } from './logger';
import { loadSecretKey, parseSecretKey, relocateLegacySecretKey } from './services/ssh/secret-box';
import { onStopSignals } from '@keepwatch/shared/signals';
import { setSecurityHeaders } from './security-headers';
import { createListener } from './listener';

/**
 * Makes sure the secret key is usable before anything is served: a key file an older version left
 * inside the data folder is moved out of it (and said so), a missing one is created, and a bad one
 * (wrong length, readable by others) stops the start with its path rather than failing the first
 * SSH bootstrap that needs it.
 */
function placeSecretKey(env: Env, log: Logger): void {
  if (env.KEEPWATCH_SECRET_KEY) {
    parseSecretKey(env.KEEPWATCH_SECRET_KEY);
    return;
  }
  const wanted = wantedSecretKeyFile(env);
  const legacyFile = legacySecretKeyFile(env);
  try {
    const r = relocateLegacySecretKey({ file: wanted, legacyFile });
    if (r === 'moved') log.warn({ from: legacyFile, to: wanted }, 'secret key moved out of the data folder');
    else if (r === 'both')
      log.warn(
        { used: wanted, ignored: legacyFile },
        'a secret key file is still inside the data folder; it is not used: remove it once the key in use is backed up',
      );
  } catch (e) {
    const why = (e as Error).message;
    if (env.KEEPWATCH_SECRET_KEY_FILE)
      throw new Error(`cannot move the secret key ${legacyFile} to KEEPWATCH_SECRET_KEY_FILE ${wanted}: ${why}`, {
        cause: e,
      });
    // The default place is not writable (an older layout): keep the key where it is, and say so.
    log.warn(
      { used: legacyFile, wanted, err: why },
      'the secret key stays inside the data folder (it cannot be moved beside it): set KEEPWATCH_SECRET_KEY_FILE to a writable path outside the data folder and move it there',
    );
  }
  const file = secretKeyFile(env);
  loadSecretKey({ file });
  log.info({ file }, 'secret key file ready (keep a copy apart from the database backups)');
}

export async function serve(env: Env): Promise<void> {
  const dev = env.NODE_ENV !== 'production';
  const log = createLogger(env.LOG_LEVEL);
  placeSecretKey(env, log);
  const cp = await createControlPlane(env, {
    log,
    onDatabaseExit: (code) => {
      // Without its database the dashboard serves only errors: exit non-zero, and systemd
      // (Restart=on-failure) starts both again.
      log.fatal({ code }, 'the embedded database server exited; the dashboard stops');
      process.exit(1);
    },
  });
  const app = next({ dev, dir: APP_DIR, hostname: env.HOST, port: env.PORT });
  const nextHandler = app.getRequestHandler();
  await app.prepare();
  const nextUpgrade = app.getUpgradeHandler();

  const { server, scheme, pin } = createListener(env, (req, res) => {
    setSecurityHeaders(res);
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

  server.listen(env.PORT, env.HOST, () =>
    cp.log.info(
      { port: env.PORT, host: env.HOST, scheme, dev, pid: process.pid, ...(pin ? { agentPin: pin } : {}) },
      pin ? `dashboard listening (TLS; agents enroll with --pin ${pin})` : 'dashboard listening',
    ),
  );

  // One Ctrl-C can arrive twice (the terminal signals the whole process group, and a launcher
  // relays it): the shared helper exits at once only on a signal a moment after the first.
  onStopSignals(process, {
    onFirst: (signal) => {
      cp.log.info({ signal }, 'stopping');
      server.close();
      server.closeAllConnections();
      void Promise.allSettled([app.close?.(), cp.close()]).then(() => process.exit(0));
    },
    onSecond: () => process.exit(1),
  });
}
