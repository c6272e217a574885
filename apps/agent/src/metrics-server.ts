import { createServer, type Server } from 'node:http';
import type { AgentConfig } from '@keepwatch/shared';
import type { AgentMetrics } from './metrics.js';
import { DEF_METRICS_PATH } from './config/defaults.js';

/** The Prometheus endpoint (`metrics` in the agent config; none when absent). */
export class MetricsServer {
  private server: Server | null = null;

  constructor(
    private readonly cfg: AgentConfig['metrics'],
    private readonly metrics: AgentMetrics,
  ) {}

  async start(): Promise<void> {
    const m = this.cfg;
    if (!m || this.server) return;
    const server = createServer((req, res) => {
      if (req.url !== DEF_METRICS_PATH) {
        res.writeHead(404).end();
        return;
      }
      this.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text),
        (e: Error) => res.writeHead(500).end(e.message),
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(m.port, m.address, () => resolve());
    });
  }

  stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    return new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  }
}
