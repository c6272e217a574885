import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { VRRP_STATES, type VrrpState } from '@keepwatch/vrrp';

/**
 * The agent's Prometheus metrics (prom-client), on their own registry. Instance labels are the
 * instance name; `reason` labels are the union of the codec's and the instance's reject reasons
 * (STYLE §D20).
 */
export class AgentMetrics {
  readonly registry = new Registry();
  readonly state = this.gauge(
    'keepwatch_vrrp_state',
    'VRRP state per instance: 1 for the current state, 0 for the others',
    ['instance', 'state'],
  );
  readonly basePriority = this.gauge('keepwatch_vrrp_base_priority', 'Configured priority', ['instance']);
  readonly effectivePriority = this.gauge(
    'keepwatch_vrrp_effective_priority',
    'Priority after tracked checks, promote and maintenance',
    ['instance'],
  );
  readonly advertsSent = this.counter('keepwatch_vrrp_adverts_sent_total', 'Adverts sent', ['instance']);
  readonly advertsReceived = this.counter(
    'keepwatch_vrrp_adverts_received_total',
    'Adverts received and accepted by an instance',
    ['instance'],
  );
  readonly dropped = this.counter('keepwatch_vrrp_packets_dropped_total', 'VRRP packets dropped, by reason', [
    'instance',
    'reason',
  ]);
  readonly transitions = this.counter('keepwatch_vrrp_transitions_total', 'State transitions', [
    'instance',
    'from',
    'to',
    'reason',
  ]);
  readonly checkResults = this.counter('keepwatch_check_results_total', 'Health check runs by result', [
    'check',
    'result',
  ]);
  readonly checkUp = this.gauge('keepwatch_check_up', 'Health check state after rise/fall (1 OK, 0 failed)', ['check']);
  readonly nginxReloads = this.counter('keepwatch_nginx_reloads_total', 'nginx configuration applies by result', [
    'result',
  ]);
  readonly nginxRestarts = this.counter(
    'keepwatch_nginx_restarts_total',
    'nginx started by supervision after it was found dead',
  );

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    // The event-loop lag histogram samples on a timer of this period: prom-client's 10 ms woke the
    // idle agent 100 times a second (~0.45 CPU s/min of its 0.5); one sample a second still shows a stall.
    if (opts.defaultMetrics !== false)
      collectDefaultMetrics({
        register: this.registry,
        prefix: 'keepwatch_agent_',
        eventLoopMonitoringPrecision: 1000,
      });
  }

  // One registry for all: each metric is registered on it as it is made.
  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  setState(instance: string, state: VrrpState): void {
    for (const s of VRRP_STATES) this.state.set({ instance, state: s }, s === state ? 1 : 0);
  }

  /** Drops a stopped instance's gauges, so that a removed instance does not linger on the page. */
  forgetInstance(instance: string): void {
    for (const s of VRRP_STATES) this.state.remove({ instance, state: s });
    this.basePriority.remove({ instance });
    this.effectivePriority.remove({ instance });
  }
}
