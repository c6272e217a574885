import type { Check, CheckOutcome } from './check.js';
import { applyResult, initialRiseFall, type RiseFallState } from './rise-fall.js';

/** Reported after every run of a check. */
export type CheckResult = {
  name: string;
  /** This run's result. */
  outcome: CheckOutcome;
  /** The check's state after rise/fall counting. */
  ok: boolean;
  /** True when this run flipped the state. */
  changed: boolean;
  /** Runs in a row that were OK, up to `rise` (see {@link RiseFallState}). */
  consecutiveOk: number;
  /** Runs in a row that failed, up to `fall`. */
  consecutiveFailed: number;
  durationMs: number;
  at: number;
};

type Entry = {
  check: Check;
  state: RiseFallState;
  timer: ReturnType<typeof setTimeout> | null;
  running: boolean;
  rerun: boolean;
  unsubscribe: (() => void) | null;
};

/**
 * Runs health checks with keepalived `vrrp_script` semantics: every `intervalMs`, bounded by
 * `timeoutMs` (a run that times out counts as a failure), counted through rise/fall. Unlike
 * keepalived, a run never overlaps the previous run of the same check: the next starts
 * `intervalMs` after the last one ended, so a slow check cannot pile up processes. A check may
 * wake itself for an immediate run (nginx supervision on the master's exit).
 */
export class HealthScheduler {
  private readonly entries = new Map<string, Entry>();
  /** Rise/fall states carried from a restarted check's old definition to its new one (reconcile). */
  private readonly kept = new Map<string, RiseFallState>();
  private stopped = true;

  constructor(
    checks: readonly Check[],
    private readonly onResult: (result: CheckResult) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.setChecks(checks);
  }

  /** Replaces the checks (each starts over with its rise/fall state); only while stopped. */
  setChecks(checks: readonly Check[]): void {
    if (!this.stopped) throw new Error('HealthScheduler.setChecks while running');
    this.entries.clear();
    for (const check of checks) {
      this.entries.set(check.name, {
        check,
        state: initialRiseFall(check),
        timer: null,
        running: false,
        rerun: false,
        unsubscribe: null,
      });
    }
  }

  /**
   * Takes a new set of checks while running or stopped (a pushed revision): a check whose
   * definition is the same (`restart` does not name it) is not touched; one named in `restart`
   * is stopped and started with its new definition but KEEPS its rise/fall state, so its status
   * (and the priority it weighs on) holds until the new definition's first result counts; a new
   * one starts fresh; one no longer listed stops.
   */
  reconcile(checks: readonly Check[], restart: ReadonlySet<string>): void {
    const wanted = new Set(checks.map((c) => c.name));
    for (const [name, e] of this.entries) {
      if (wanted.has(name) && !restart.has(name)) continue;
      if (wanted.has(name)) this.kept.set(name, e.state);
      this.halt(e);
      this.entries.delete(name);
    }
    for (const check of checks) {
      if (this.entries.has(check.name)) continue;
      const kept = this.kept.get(check.name);
      const e: Entry = {
        check,
        state: kept ?? initialRiseFall(check),
        timer: null,
        running: false,
        rerun: false,
        unsubscribe: null,
      };
      this.entries.set(check.name, e);
      if (!this.stopped) this.begin(e);
    }
    this.kept.clear();
  }

  /** The current state of every check (after rise/fall), by name. */
  states(): Map<string, boolean> {
    return new Map([...this.entries].map(([name, e]) => [name, e.state.ok]));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const e of this.entries.values()) this.begin(e);
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) this.halt(e);
  }

  private begin(e: Entry): void {
    e.unsubscribe = e.check.subscribe?.(() => this.wake(e)) ?? null;
    this.schedule(e, 0);
  }

  private halt(e: Entry): void {
    if (e.timer) clearTimeout(e.timer);
    e.timer = null;
    e.unsubscribe?.();
    e.unsubscribe = null;
    e.check.close?.();
  }

  private wake(e: Entry): void {
    if (this.stopped) return;
    if (e.running) {
      e.rerun = true;
      return;
    }
    this.schedule(e, 0);
  }

  private schedule(e: Entry, delayMs: number): void {
    if (e.timer) clearTimeout(e.timer);
    e.timer = setTimeout(() => {
      e.timer = null;
      void this.runOnce(e);
    }, delayMs);
  }

  private async runOnce(e: Entry): Promise<void> {
    if (this.stopped || e.running) return;
    e.running = true;
    const started = this.now();
    const abort = new AbortController();
    const timeout = setTimeout(
      () => abort.abort(new Error(`timed out after ${e.check.timeoutMs} ms`)),
      e.check.timeoutMs,
    );
    let outcome: CheckOutcome;
    try {
      outcome = await e.check.probe(abort.signal);
      if (abort.signal.aborted)
        outcome = { ok: false, timedOut: true, detail: `timed out after ${e.check.timeoutMs} ms` };
    } catch (err) {
      outcome = { ok: false, detail: `check error: ${(err as Error).message}` };
    } finally {
      clearTimeout(timeout);
    }
    e.running = false;
    // Stopped, or stopped and restarted with new checks while this run was in flight.
    if (this.stopped || this.entries.get(e.check.name) !== e) return;
    const { state, changed } = applyResult(e.state, outcome.ok, e.check);
    e.state = state;
    this.onResult({
      name: e.check.name,
      outcome,
      ok: state.ok,
      changed,
      consecutiveOk: state.consecutiveOk,
      consecutiveFailed: state.consecutiveFailed,
      durationMs: this.now() - started,
      at: Date.now(),
    });
    if (e.rerun) {
      e.rerun = false;
      this.schedule(e, 0);
    } else {
      this.schedule(e, e.check.intervalMs);
    }
  }
}
