// Declarative scenarios over the simulated segment, with the election invariant checked after
// every step: from a settling time after the last disturbance on, each connected part of the
// segment has exactly one master, holding the VIPs, and it is the one the rules choose.
import { tieBreakOrder } from '../machine/address.js';
import type { InstanceConfig } from '../machine/config.js';
import type { Event } from '../machine/events.js';
import { effectivePriority } from '../machine/priority.js';
import { masterDownInterval } from '../machine/timers.js';
import { SeededRng } from './prng.js';
import { SimNetwork } from './network.js';
import { eventLabel } from './trace.js';
import type { LinkConditions, SimRouterView } from './types.js';

/** One thing that happens to the segment in a scenario. */
export type ScenarioOp =
  | { type: 'start'; router: string }
  | { type: 'crash'; router: string }
  | { type: 'shutdown'; router: string }
  | { type: 'event'; router: string; event: Event }
  | { type: 'partition'; groups: string[][] }
  | { type: 'heal' }
  | { type: 'conditions'; conditions: Partial<LinkConditions> };

/** A scenario: routers, a timeline of operations, and (optionally) who must be master. */
export type Scenario = {
  name: string;
  routers: readonly { name: string; config: InstanceConfig }[];
  /** Baseline link conditions (default: no loss, 0..2 ms delay). */
  conditions?: Partial<LinkConditions>;
  /** Operations at simulated times (ms). `start` ops at 0 get a per-seed jitter. */
  timeline: readonly { at: number; op: ScenarioOp }[];
  /** End of the run, ms. */
  endAt: number;
  /**
   * Who must be master, when the default rule (highest effective priority, then highest primary
   * address, among running routers not in Fault or maintenance) does not apply — e.g. with
   * nopreempt, where the sitting master stays. Entries apply from `from` on, to an unpartitioned
   * segment.
   */
  expected?: readonly { from: number; master: string | null }[];
  /** Random start offset per router at time 0, 0..this ms (default: one advert interval). */
  startJitterMs?: number;
};

/** The outcome of one run. */
export type ScenarioResult = {
  seed: number;
  /** The text trace (see `SimNetwork.trace`). */
  trace: string;
  /** Invariant violations, each with time and details (empty when the run is correct). */
  violations: string[];
  /** Transitions over the whole run. */
  transitions: number;
  /** Transitions while the segment lost packets (loss rate > 0). */
  transitionsDuringLoss: number;
  /** Masters at the end. */
  finalMasters: string[];
};

/**
 * The time after a disturbance by which the election must have settled: the longest
 * Master_Down_Interval on the segment (priority 1, the largest skew), plus one advert interval
 * (a changed priority goes out with the next advert), plus twice the largest delay (the advert
 * that ends the election and the answer to it).
 */
export function settleTimeMs(scenario: Scenario): number {
  const delay = scenario.conditions?.delayMaxMs ?? 2;
  let worst = 0;
  for (const { config } of scenario.routers) {
    const down = masterDownInterval(config.version, 1, config.advertIntervalMs);
    worst = Math.max(worst, down + config.advertIntervalMs);
  }
  return worst + 2 * delay + 1;
}

/**
 * The master the rules choose among `members`: running, not in Fault, not in maintenance; highest
 * effective priority (a promoted router has 254, the owner 255); then highest primary address
 * (RFC 5798 6.4.3). Null when nobody can be master.
 *
 * The address tie-break decides only between routers that claim mastership at the same time: a
 * backup accepts a master of equal priority (RFC 5798 6.4.2), so an equal-priority router that
 * starts later stays backup. Scenarios with equal priorities start their routers together, or say
 * who is expected.
 */
export function chosenMaster(members: readonly SimRouterView[]): string | null {
  let best: SimRouterView | null = null;
  for (const r of members) {
    const s = r.state;
    if (!r.alive || !s || s.vrrpState === 'initialize' || s.vrrpState === 'fault' || s.maintenance) continue;
    if (!best || !best.state) {
      best = r;
      continue;
    }
    const d = effectivePriority(s) - effectivePriority(best.state);
    if (d > 0 || (d === 0 && tieBreakOrder(r.config.primaryAddress, best.config.primaryAddress) > 0)) best = r;
  }
  return best?.name ?? null;
}

/** Run a scenario with one seed, checking the invariant after every step. */
export function runScenario(
  scenario: Scenario,
  seed: number,
  options: { trace?: 'summary' | 'full' } = {},
): ScenarioResult {
  const conditions: Partial<LinkConditions> = { delayMinMs: 0, delayMaxMs: 2, ...scenario.conditions };
  const net = new SimNetwork({ seed, conditions, ...(options.trace ? { trace: options.trace } : {}) });
  const jitterRng = new SeededRng(seed ^ 0x5bd1e995);
  const interval = Math.min(...scenario.routers.map((r) => r.config.advertIntervalMs));
  const jitter = scenario.startJitterMs ?? interval;
  for (const r of scenario.routers) net.addRouter(r.name, r.config);

  const settle = settleTimeMs({ ...scenario, conditions });
  let lastDisturbance = 0;
  let lossy = (conditions.lossRate ?? 0) > 0;
  let transitionsAtLossStart = 0;
  let transitionsDuringLoss = 0;
  const violations: string[] = [];

  for (const { at, op } of scenario.timeline) {
    const when = op.type === 'start' && at === 0 && jitter > 0 ? jitterRng.int(0, jitter) : at;
    net.at(when, () => {
      lastDisturbance = net.now;
      switch (op.type) {
        case 'start':
          net.start(op.router);
          break;
        case 'crash':
          net.crash(op.router);
          break;
        case 'shutdown':
          net.shutdown(op.router);
          break;
        case 'event':
          net.note(`${op.router} <- ${eventLabel(op.event)}`);
          net.inject(op.router, op.event);
          break;
        case 'partition':
          net.partition(op.groups);
          break;
        case 'heal':
          net.heal();
          break;
        case 'conditions': {
          net.setConditions(op.conditions);
          const nowLossy = net.currentConditions().lossRate > 0;
          if (nowLossy && !lossy) transitionsAtLossStart = net.stats.transitions;
          if (!nowLossy && lossy) {
            const n = net.stats.transitions - transitionsAtLossStart;
            transitionsDuringLoss += n;
            net.note(`the loss period had ${n} transitions`);
          }
          lossy = nowLossy;
          break;
        }
      }
    });
  }

  net.observe((n) => {
    const views = n.view();
    // The shell contract, at every step: only a master holds the VIPs, or a backup handing over
    // after maintenance-on until the new master is heard.
    for (const v of views) {
      const handover = v.state?.vrrpState === 'backup' && v.state.handoverUntil !== null;
      const master = v.state?.vrrpState === 'master' || handover;
      if (v.holdsVips !== master)
        violations.push(`t=${n.now} ${v.name}: holds VIPs ${v.holdsVips} in state ${v.state?.vrrpState ?? 'down'}`);
    }
    if (lossy || n.now < lastDisturbance + settle) return;
    const expected = scenario.expected?.filter((e) => e.from <= n.now).at(-1);
    for (const part of n.components()) {
      const members = views.filter((v) => part.includes(v.name));
      const masters = members.filter((v) => v.state?.vrrpState === 'master').map((v) => v.name);
      const want = expected && part.length === views.length ? expected.master : chosenMaster(members);
      const wantList = want === null ? [] : [want];
      if (masters.join() !== wantList.join()) {
        violations.push(
          `t=${n.now} [${part.join(' ')}]: masters [${masters.join(' ')}], the rules choose [${wantList.join(' ')}]`,
        );
      }
    }
  });

  try {
    net.runUntil(scenario.endAt);
  } catch (e) {
    violations.push(`t=${net.now}: ${(e as Error).message}`);
  }
  if (lossy) transitionsDuringLoss += net.stats.transitions - transitionsAtLossStart;
  return {
    seed,
    trace: net.trace(),
    violations: violations.slice(0, 5),
    transitions: net.stats.transitions,
    transitionsDuringLoss,
    finalMasters: net
      .view()
      .filter((v) => v.state?.vrrpState === 'master')
      .map((v) => v.name),
  };
}
