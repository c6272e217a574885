import { parseAgentFrame } from '@keepwatch/shared';
import { describe, expect, it } from 'vitest';
import { checkResultEvent, isNews, type ReportedCheck } from './report.js';
import { applyResult, initialRiseFall } from './rise-fall.js';
import type { CheckResult } from './scheduler.js';

/** The scheduler's results for a run of outcomes, through the real rise/fall counting. */
function runs(outcomes: boolean[], config = { fall: 2, rise: 3, initFail: false }): CheckResult[] {
  let s = initialRiseFall(config);
  return outcomes.map((ok, i) => {
    const r = applyResult(s, ok, config);
    s = r.state;
    return {
      name: 'check_http',
      outcome: ok ? { ok } : { ok, detail: 'HTTP 503' },
      ok: s.ok,
      changed: r.changed,
      consecutiveOk: s.consecutiveOk,
      consecutiveFailed: s.consecutiveFailed,
      durationMs: 2.4,
      at: 1_790_000_000_000 + i,
    };
  });
}

/** What the agent emits for those runs, as it does in onCheck. */
function reported(results: CheckResult[]) {
  let last: ReportedCheck | undefined;
  const out = [];
  for (const r of results) {
    if (!isNews(last, r)) continue;
    const e = checkResultEvent(r);
    last = { status: e.status, consecutiveOk: r.consecutiveOk, consecutiveFailed: r.consecutiveFailed };
    out.push(e);
  }
  return out;
}

describe('check-result events', () => {
  it('carry the rise/fall counters of a check going ok, ok, fail, fail (fall 2)', () => {
    const events = reported(runs([true, true, false, false]));
    expect(events.map((e) => [e.ok, e.status, e.consecutiveOk, e.consecutiveFailed])).toEqual([
      [true, 'healthy', 1, 0],
      [true, 'healthy', 2, 0],
      [false, 'healthy', 0, 1],
      [false, 'failed', 0, 2],
    ]);
  });

  it("carry a script's exit status and a timeout as such", () => {
    const [r] = runs([false]);
    expect(checkResultEvent({ ...r!, outcome: { ok: false, exitCode: 3, detail: 'exit 3: broken' } })).toMatchObject({
      exitCode: 3,
      timedOut: false,
      output: 'exit 3: broken',
    });
    expect(
      checkResultEvent({ ...r!, outcome: { ok: false, timedOut: true, detail: 'timed out after 500 ms' } }),
    ).toMatchObject({ exitCode: null, timedOut: true });
  });

  it('are valid protocol messages', () => {
    for (const [i, e] of reported(runs([true, false, false])).entries()) {
      expect(parseAgentFrame(JSON.stringify({ ...e, seq: i + 1 }))).toMatchObject({ ok: true });
    }
  });

  it('are not sent again for a steady check once its counters reach rise or fall', () => {
    // rise 3: 1, 2, 3 are news; the 4th and later OK runs change nothing.
    expect(reported(runs([true, true, true, true, true, true])).map((e) => e.consecutiveOk)).toEqual([1, 2, 3]);
    // fall 2 reached, then more failures: nothing new.
    expect(reported(runs([false, false, false, false])).map((e) => [e.status, e.consecutiveFailed])).toEqual([
      ['healthy', 1],
      ['failed', 2],
    ]);
  });

  it('report the way back toward rise run by run, and the flip', () => {
    const events = reported(runs([false, false, true, true, false, true, true, true]));
    expect(events.map((e) => `${e.status} ok${e.consecutiveOk} failed${e.consecutiveFailed}`)).toEqual([
      'healthy ok0 failed1',
      'failed ok0 failed2',
      'failed ok1 failed0',
      'failed ok2 failed0',
      'failed ok0 failed1',
      'failed ok1 failed0',
      'failed ok2 failed0',
      'healthy ok3 failed0',
    ]);
  });
});
