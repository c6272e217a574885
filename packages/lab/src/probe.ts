import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from './lab.js';
import { assetPath } from './assets.js';
import { isAlive } from './proc.js';
import { waitFor } from './poll.js';

/** One request of the probe. */
export type ProbeRecord = {
  seq: number;
  /** When it was sent, ms since the epoch. */
  sentAt: number;
  ok: boolean;
  status?: number;
  /** The body's text: the backend's name for the lab's backends. */
  backend?: string;
  /** The `X-Served-By` response header, when the proxy adds one (the bench's LBs do). */
  servedBy?: string;
  latencyMs: number;
  error?: string;
};

export type ProbeOptions = {
  /** Requests per second (default 100). */
  rateHz?: number;
  /** Hard limit on the probe's run time, ms (default 120 000): it stops itself. */
  maxDurationMs?: number;
  /** Per-request timeout, ms (default 1000). */
  requestTimeoutMs?: number;
};

export type ProbeSummary = {
  total: number;
  ok: number;
  failed: number;
  /** Requests answered per backend name. */
  backends: Record<string, number>;
  /** The longest time between two successful requests' send times (ms). */
  longestGapMs: number;
  /** First failed request's send time, or null. */
  firstFailureAt: number | null;
  /** First success after the first failure (send time), or null. */
  recoveredAt: number | null;
};

export type Probe = {
  /** Stops the probe (bounded) and returns every record, in send order. */
  stop(): Promise<ProbeRecord[]>;
  /** The records written so far. */
  records(): ProbeRecord[];
};

function readRecords(file: string): ProbeRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as ProbeRecord];
      } catch {
        return []; // a line being written while read
      }
    })
    .sort((a, b) => a.seq - b.seq);
}

/**
 * Starts the HTTP probe on a lab host: GET `url` at a fixed rate, each on a new connection, every
 * request recorded (send time, ok/failed, which backend answered, latency).
 */
export async function startProbe(lab: Lab, host: string, url: string, opts: ProbeOptions = {}): Promise<Probe> {
  const n = Math.random().toString(16).slice(2, 8);
  const out = join(lab.host(host).dir, `probe-${n}.jsonl`);
  const proc = lab.spawn(
    host,
    process.execPath,
    [
      assetPath('probe.mjs'),
      url,
      String(opts.rateHz ?? 100),
      String(opts.maxDurationMs ?? 120_000),
      String(opts.requestTimeoutMs ?? 1000),
      out,
    ],
    { logFile: join(lab.host(host).dir, `probe-${n}.log`), what: 'probe' },
  );
  await waitFor(() => readRecords(out).length > 0 || !isAlive(proc.pid), {
    timeoutMs: 5000,
    what: "the probe's first request",
  });
  return {
    records: () => readRecords(out),
    async stop() {
      if (isAlive(proc.pid)) {
        lab.signal(proc.pid, 'SIGTERM');
        await waitFor(() => !isAlive(proc.pid), {
          timeoutMs: (opts.requestTimeoutMs ?? 1000) + 3000,
          what: 'the probe to stop',
        });
      }
      return readRecords(out);
    },
  };
}

/** Summarises probe records: counts, answers per backend, and the gap in service. */
export function summariseProbe(records: readonly ProbeRecord[]): ProbeSummary {
  const backends: Record<string, number> = {};
  let longestGapMs = 0;
  let lastOk: number | null = null;
  let firstFailureAt: number | null = null;
  let recoveredAt: number | null = null;
  let ok = 0;
  for (const r of records) {
    if (r.ok) {
      ok++;
      if (r.backend) backends[r.backend] = (backends[r.backend] ?? 0) + 1;
      if (lastOk !== null) longestGapMs = Math.max(longestGapMs, r.sentAt - lastOk);
      lastOk = r.sentAt;
      if (firstFailureAt !== null && recoveredAt === null) recoveredAt = r.sentAt;
    } else if (firstFailureAt === null) {
      firstFailureAt = r.sentAt;
    }
  }
  return {
    total: records.length,
    ok,
    failed: records.length - ok,
    backends,
    longestGapMs,
    firstFailureAt,
    recoveredAt,
  };
}

/**
 * Whether a failed request ended the way a request in flight at a make-before-break switch can,
 * whatever VRRP does (no implementation avoids it without connection sync; keepalived neither):
 * a reset — the client's next segment reached the new holder, which has no such connection — or
 * a timeout — the old holder accepted the request and then removed the VIP, so its answer cannot
 * leave from an address it no longer has, and the client, with nothing more to send, waits. A
 * refused connection or an HTTP error is neither: the VIP or its server was not there.
 */
export function endedBySwitch(r: Pick<ProbeRecord, 'ok' | 'error'>): boolean {
  return !r.ok && (r.error === 'ECONNRESET' || r.error === 'timeout');
}

/**
 * Whether request `r` was in flight at `at` (ms since the epoch): sent no later than `at` +
 * `slackMs` (a log line's time trails the act it records) and not ended before `at` − `slackMs`.
 */
export function inFlightAt(r: ProbeRecord, at: number, slackMs = 50): boolean {
  return r.sentAt <= at + slackMs && r.sentAt + r.latencyMs >= at - slackMs;
}
