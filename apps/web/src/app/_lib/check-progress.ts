/**
 * A health check's place in keepalived's rise/fall counting, in words for the cluster page: a
 * healthy check counting failures is "failing" (n of `fall` toward fall), a failed one counting
 * successes is "recovering" (n of `rise` toward rise). Pure, from the agent's last check-result
 * and the check's configured rise/fall.
 */
export type CheckPhase = 'healthy' | 'failing' | 'failed' | 'recovering';

export type CheckCounters = {
  status: 'healthy' | 'failed';
  /** null: an agent that does not send the counters. */
  consecutiveOk: number | null;
  consecutiveFailed: number | null;
};

export type CheckProgress = {
  phase: CheckPhase;
  /** e.g. "1 of 2 toward fall"; null when the agent sent no counters or the check is not in the spec. */
  progress: string | null;
};

/** `config` null: the check is no longer in the spec (its rise/fall are unknown). */
export function checkProgress(c: CheckCounters, config: { rise: number; fall: number } | null): CheckProgress {
  const healthy = c.status === 'healthy';
  // Toward the other status: failures while healthy, successes while failed.
  const count = healthy ? c.consecutiveFailed : c.consecutiveOk;
  if (count === null) return { phase: healthy ? 'healthy' : 'failed', progress: null };
  const phase: CheckPhase = count === 0 ? (healthy ? 'healthy' : 'failed') : healthy ? 'failing' : 'recovering';
  if (!config) return { phase, progress: null };
  const needed = healthy ? config.fall : config.rise;
  // The counters are capped at the threshold the agent had; a lower one since (a new revision) reads as reached.
  return { phase, progress: `${Math.min(count, needed)} of ${needed} toward ${healthy ? 'fall' : 'rise'}` };
}
