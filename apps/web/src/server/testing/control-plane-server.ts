/** The control plane (tRPC, SSE, metrics) behind a real HTTP server, for tests that go over HTTP. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadEnv, type Env } from '../../env';
import { createControlPlane, type ControlPlane } from '../control-plane';
import { createLogger } from '../logger';
import { createEmptyDatabase } from './db';

export const ADMIN_PASSWORD = 'a long admin password';

/** A new empty database and the env of a control plane on it whose first admin is admin / ADMIN_PASSWORD. */
export async function controlPlaneEnv(): Promise<{ env: Env; drop: () => Promise<void> }> {
  const db = await createEmptyDatabase();
  const env = loadEnv({
    DATABASE_URL: db.url,
    KEEPWATCH_ADMIN_USERNAME: 'admin',
    KEEPWATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
    NODE_ENV: 'test',
  });
  return { env, drop: db.drop };
}

export interface ControlPlaneServer {
  cp: ControlPlane;
  /** http://127.0.0.1:<port> */
  base: string;
  close(): Promise<void>;
}

/**
 * A control plane on `env`, listening on 127.0.0.1 (a free port). What it does not handle gets a 404
 * saying so, where the dashboard's server would hand it to Next.
 */
export async function serveControlPlane(env: Env): Promise<ControlPlaneServer> {
  const cp = await createControlPlane(env, { log: createLogger('silent'), defaultMetrics: false });
  const server = createServer((req, res) => {
    if (!cp.handle(req, res)) res.writeHead(404).end('next would serve this');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    cp,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.close();
      await cp.close();
    },
  };
}
