/** The agent hub behind a real HTTP server, as the dashboard serves it, for tests that speak the protocol. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentHub } from '../hub/hub';

export interface HubServer {
  /** The agent endpoint: ws://127.0.0.1:<port>/agent. */
  url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (a free port) and hands the hub's upgrades to it; other paths are refused. */
export async function serveHub(hub: AgentHub): Promise<HubServer> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (AgentHub.owns(req)) hub.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/agent`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
