/** The agent hub behind a real HTTP server, as the dashboard serves it, for tests that speak the protocol. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentHub, type HubOptions } from '../hub/hub';
import { createLogger } from '../logger';

export interface HubServer {
  hub: AgentHub;
  /** The agent endpoint: ws://127.0.0.1:<port>/agent. */
  url: string;
  /** Closes the hub (its agents' sockets), then the server. */
  close(): Promise<void>;
}

/**
 * Starts a hub (silent log unless `opts` has one) and serves it on 127.0.0.1 (a free port); upgrades
 * to other paths are refused.
 */
export async function serveHub(opts: Omit<HubOptions, 'log'> & Partial<Pick<HubOptions, 'log'>>): Promise<HubServer> {
  const hub = new AgentHub({ log: createLogger('silent'), ...opts });
  hub.start();
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (AgentHub.owns(req)) hub.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    hub,
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/agent`,
    close: async () => {
      await hub.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
