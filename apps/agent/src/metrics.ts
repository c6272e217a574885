import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { VRRP_STATES, type VrrpState } from '@keepwatch/vrrp';

/**
 * The agent's Prometheus metrics (prom-client), on their own registry. Instance labels are the
 * instance name; `reason` labels are the union of the codec's and the instance's reject reasons
 * (STYLE §D20).
 */
export class AgentMetrics {
  readonly registry = new Registry();
  readonly state = new Gauge({
    name: 'keepwatch_vrrp_state',
    help: 'VRRP state per instance: 1 for the current state, 0 for the others',
    labelNames: ['instance', 'state'],
    registers: [this.registry],
  });
  readonly basePriority = new Gauge({
    name: 'keepwatch_vrrp_base_priority',
    help: 'Configured priority',
    labelNames: ['instance'],
    registers: [this.registry],
  });
  readonly effectivePriority = new Gauge({
    name: 'keepwatch_vrrp_effective_priority',
    help: 'Priority after tracked checks, promote and maintenance',
    labelNames: ['instance'],
    registers: [this.registry],
  });
  readonly advertsSent = new Counter({
    name: 'keepwatch_vrrp_adverts_sent_total',
    help: 'Adverts sent',
    labelNames: ['instance'],
    registers: [this.registry],
  });
  readonly advertsReceived = new Counter({
    name: 'keepwatch_vrrp_adverts_received_total',
    help: 'Adverts received and accepted by an instance',
    labelNames: ['instance'],
    registers: [this.registry],
  });
  readonly dropped = new Counter({
    name: 'keepwatch_vrrp_packets_dropped_total',
    help: 'VRRP packets dropped, by reason',
    labelNames: ['instance', 'reason'],
    registers: [this.registry],
  });
  readonly transitions = new Counter({
    name: 'keepwatch_vrrp_transitions_total',
    help: 'State transitions',
    labelNames: ['instance', 'from', 'to', 'reason'],
    registers: [this.registry],
  });
  readonly checkResults = new Counter({
    name: 'keepwatch_check_results_total',
    help: 'Health check runs by result',
    labelNames: ['check', 'result'],
    registers: [this.registry],
  });
  readonly checkUp = new Gauge({
    name: 'keepwatch_check_up',
    help: 'Health check state after rise/fall (1 OK, 0 failed)',
    labelNames: ['check'],
    registers: [this.registry],
  });
  readonly nginxReloads = new Counter({
    name: 'keepwatch_nginx_reloads_total',
    help: 'nginx configuration applies by result',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly nginxRestarts = new Counter({
    name: 'keepwatch_nginx_restarts_total',
    help: 'nginx started by supervision after it was found dead',
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'keepwatch_agent_' });
  }

  setState(instance: string, state: VrrpState): void {
    for (const s of VRRP_STATES) this.state.set({ instance, state: s }, s === state ? 1 : 0);
  }
}
