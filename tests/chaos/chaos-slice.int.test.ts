import { beforeAll, describe, expect, it } from 'vitest';
import { FAULT_KINDS, runChaos, type ChaosReport } from '@keepwatch/lab';

/**
 * Issue #14 item 5, the suite's slice of the chaos soak (bench/chaos.bench.ts runs it for 30
 * minutes): seed 161739 plays one fault of every kind over 84 s on a 3-node cluster enrolled in a
 * real dashboard on PostgreSQL, while the client watches the wire, the VIP and the dashboard. The
 * bounds carry a 1 s margin for a loaded 2-core box; a failure names the seed and the time from the
 * soak's start, and `npm run bench -- chaos --seed 161739 --minutes 1.4 --margin 1000` replays it.
 *
 * Why this seed: of the seeds whose schedule has every fault kind, a priority edit and a VIP edit,
 * it is among the shortest (13 faults in 84 s; seed 1171, used before, needed 110 s for 17), and
 * six of its faults hit the master lb1 (partition, agent kill, kill and restart, nginx kill, nginx
 * unstartable) or promote a backup, where 1171's hit it twice. 1171's partition of the master,
 * which found two bugs (unit-tested since), is here too (t=12 s); it has no health-check edit
 * (1171 had a check-interval one). `--seed 1171 --minutes 2` still replays 1171.
 */
const SEED = 161739;

describe('chaos soak slice (seed 161739, 84 s)', () => {
  let report: ChaosReport;

  beforeAll(async () => {
    report = await runChaos({ seed: SEED, durationMs: 84_000, loadMarginMs: 1000 });
  }, 240_000);

  const violations = (invariant: string) =>
    report.violations.filter((v) => v.invariant === invariant).map((v) => `t=${v.atS}s ${v.detail}`);

  it('plays a fault of every kind, each injected and undone without error', () => {
    expect(Object.keys(report.byKind).sort()).toEqual([...FAULT_KINDS].sort());
    expect(report.injectionErrors).toEqual([]);
  });

  it('never shows two masters on the wire for longer than the settle bound', () => {
    expect(violations('two-holders')).toEqual([]);
  });

  it('always has a master on the wire again within Master_Down_Interval + 1 s (+ margin)', () => {
    expect(report.adverts).toBeGreaterThan(500);
    expect(violations('no-holder')).toEqual([]);
  });

  it("shows the wire's master on the dashboard within 2 s (+ margin) of quiescence", () => {
    expect(violations('dashboard-holder')).toEqual([]);
  });

  it('serves requests through the VIP again before the next fault', () => {
    expect(report.probe.total).toBeGreaterThan(1000);
    expect(violations('not-served')).toEqual([]);
  });

  it('loses no revision or audit record, and the audit chain verifies', () => {
    expect(report.integrity.problems).toEqual([]);
    expect(report.integrity.auditVerified).toBe(true);
    expect(report.integrity.revisionEdits).toBeGreaterThan(0);
    expect(report.integrity.mutations).toBeGreaterThan(report.integrity.revisionEdits);
  });
});
