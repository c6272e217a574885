/**
 * Drives the HA-aware rollout (the plan itself is pure: rollout.ts): every poll, after a commit
 * somewhere, and on the events that can change the plan, it pushes the newest revision to the
 * connected agents the plan names. Revisions are immutable, so specs are cached by number and a
 * sweep over many converged clusters costs one query.
 */
import { nodeChecks, PROTOCOL_VERSION, TLS_CAPABILITY } from '@keepwatch/shared';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import {
  revisionNumber,
  revisionNumbers,
  revisionSpec,
  rolloutOutcome,
  type NewestRevision,
} from '../services/rollout-reads';
import { loadTlsPush, type TlsPush } from '../services/certificates/push';
import { storeApplyResult } from '../services/agent-events';
import { specSecretKey } from '../services/spec-secrets';
import type { Db } from '../services/types';
import { planRollout, type RolloutNode } from './rollout';
import { send, type Session, type Sessions } from './session';

/** How often the hub looks for new revisions to roll out. */
export const DEF_ROLLOUT_POLL_MS = 1000;
/**
 * Clusters stepped at once by a sweep. Each step waits on the database, so a burst of edits to
 * many clusters was rolled out one cluster after the other (issue 16); a few at a time leave the
 * pool's other connections to the requests.
 */
export const SWEEP_CONCURRENCY = 4;

export interface RolloutDriverOptions {
  db: Db;
  log: Logger;
  metrics?: Metrics;
  now: () => number;
  sessions: Sessions;
  /** Run at the end of each sweep: the failover commands of clusters not yet as desired. */
  afterSweep: () => Promise<void>;
}

/** What a sweep steps: every cluster not yet converged (the poll), or only those with a revision it has not stepped yet (a commit). */
export type SweepScope = 'all' | 'new';

export class RolloutDriver {
  private rolling = false;
  /** A sweep was asked for while one ran: run again (this wide) when it ends, so no trigger is lost. */
  private again: SweepScope | null = null;
  /**
   * The newest revision of each cluster with a connected agent (the number is re-read each sweep),
   * with the certificates and ACME thumbprint its push carries (read with it: a renewed certificate
   * commits a new revision).
   */
  private readonly revisions = new Map<string, PushedRevision>();
  /** The revision number each cluster was last stepped at by a sweep. */
  private readonly stepped = new Map<string, number>();
  /** When each node was last pushed a revision, for the apply-latency histogram. */
  private readonly pushedAt = new Map<string, { revision: number; at: number }>();

  constructor(private readonly opts: RolloutDriverOptions) {}

  /**
   * Looks for new revisions of every cluster with a connected agent: one query for all their
   * revision numbers, then the rollout step only for clusters whose agents do not all run the
   * newest revision yet — with scope `new`, only for those whose number moved since their last
   * step (the agents' results and heartbeats step a cluster in between: events.ts). Never throws (logged).
   */
  async sweep(scope: SweepScope = 'all'): Promise<void> {
    if (this.rolling) {
      this.again = this.again === 'all' || scope === 'all' ? 'all' : 'new';
      return;
    }
    this.rolling = true;
    try {
      for (let round = 0, wide = scope; round < 10; round++) {
        this.again = null;
        const numbers = await revisionNumbers(this.opts.db, this.opts.sessions.clusters());
        for (const id of this.revisions.keys()) if (!numbers.has(id)) this.revisions.delete(id);
        for (const id of this.stepped.keys()) if (!numbers.has(id)) this.stepped.delete(id);
        // In a burst of commits each one asks for a sweep: stepping every cluster still rolling
        // out in each of them was a query per cluster per sweep (issue 16).
        const due = [...numbers].filter(([id, n]) => n !== 0 && (wide === 'all' || this.stepped.get(id) !== n));
        await eachConcurrently(due, SWEEP_CONCURRENCY, async ([id, number]) => {
          // A moved number refreshes the cached spec (the number just read); cluster() skips converged clusters.
          if (this.revisions.get(id)?.number !== number) await this.latest(id, number);
          this.stepped.set(id, number);
          await this.cluster(id);
        });
        await this.opts.afterSweep();
        if (!this.again) break;
        wide = this.again;
      }
    } catch (err) {
      this.opts.log.error({ err }, 'rollout failed');
    } finally {
      this.rolling = false;
    }
  }

  /** One rollout step for one cluster: pushes the newest revision to the nodes the plan names. */
  async cluster(clusterId: string): Promise<void> {
    const sessions = this.opts.sessions.ofCluster(clusterId);
    if (sessions.length === 0) return;
    const rev = await this.latest(clusterId);
    // Called on heartbeats, apply and check results: a cluster whose agents all run the newest
    // revision costs no query.
    if (!rev || sessions.every((s) => s.appliedRevision === rev.number)) return;
    const { failed, aborted } = await rolloutOutcome(this.opts.db, clusterId, rev.number);
    const nodes: RolloutNode[] = sessions.map((s) => ({
      nodeId: s.node.id,
      appliedRevision: s.appliedRevision,
      master: s.heartbeat ? s.heartbeat.instances.some((i) => i.state === 'master') : null,
      // Only the checks the node runs under the revision: one that left every instance (a backup
      // removed from the instance) runs none and reports none, and must not stall the rollout.
      healthyAfterApply:
        nodeChecks(rev.spec, s.node.name).every((c) => {
          const r = s.checks.get(c.name);
          return r !== undefined && r.status === 'healthy' && r.at >= s.appliedAt;
        }) && (s.heartbeat?.at ?? 0) >= s.appliedAt,
      pushedRevision: s.pushedRevision,
      // A failed apply is retried when the agent reconnects (a new session has pushed nothing).
      failed: failed.has(s.node.id) && s.pushedRevision === rev.number,
    }));
    const plan = planRollout(rev.number, nodes, { aborted });
    for (const s of sessions) if (plan.push.includes(s.node.id)) await this.push(s, rev);
  }

  /** A node that runs nothing yet gets the newest revision at once, unless its rollout was aborted. */
  async pushLatest(s: Session): Promise<void> {
    if (!s.node) return;
    const rev = await this.latest(s.node.clusterId, 'fresh');
    if (!rev) return;
    if ((await rolloutOutcome(this.opts.db, s.node.clusterId, rev.number)).aborted) return;
    await this.push(s, rev);
  }

  /** Counts an apply result; one for the revision this instance pushed also has a latency. */
  observeApply(nodeId: string, revision: number, outcome: 'applied' | 'failed'): void {
    if (outcome === 'failed') this.opts.metrics?.failedApplies.inc();
    const p = this.pushedAt.get(nodeId);
    // A replayed result has no latency: this instance did not push that revision.
    if (p && p.revision === revision) {
      this.opts.metrics?.applyLatency.observe((this.opts.now() - p.at) / 1000);
      this.pushedAt.delete(nodeId);
    }
  }

  /**
   * The cluster's newest revision: from the cache, unless `fresh` (its number read again) or
   * given its number (just read); read when not cached yet.
   */
  private async latest(clusterId: string, fresh?: 'fresh' | number): Promise<PushedRevision | null> {
    const cached = this.revisions.get(clusterId);
    if (cached && fresh === undefined) return cached;
    const number =
      typeof fresh === 'number' ? (fresh > 0 ? fresh : null) : await revisionNumber(this.opts.db, clusterId);
    if (number === null) return null;
    if (cached?.number === number) return cached;
    const spec = await revisionSpec(this.opts.db, clusterId, number);
    if (!spec) return null;
    const latest = { ...spec, tls: await loadTlsPush(this.opts.db, clusterId, spec.spec, specSecretKey()) };
    this.revisions.set(clusterId, latest);
    return latest;
  }

  private async push(s: Session, rev: PushedRevision): Promise<void> {
    s.pushedRevision = rev.number;
    if (rev.tls && s.node && !s.capabilities.includes(TLS_CAPABILITY)) {
      // An agent from before TLS would drop the certificates and serve a config it cannot load:
      // its deployment fails here instead, naming the node (it is retried when the agent reconnects).
      const message = `node "${s.node.name}" runs an agent without TLS support (no "${TLS_CAPABILITY}" capability in its hello), and revision ${rev.number} uses certificates or ACME: upgrade the agent on ${s.node.name}`;
      this.opts.log.warn({ node: s.node.name, revision: rev.number }, 'revision not pushed: agent lacks tls');
      await storeApplyResult(this.opts.db, s.node, {
        v: PROTOCOL_VERSION,
        type: 'apply-result',
        seq: 0,
        revision: rev.number,
        outcome: 'failed',
        stage: 'validate',
        message,
        nginxOutput: '',
        runningRevision: s.appliedRevision,
        at: this.opts.now(),
      });
      return;
    }
    if (s.node) this.pushedAt.set(s.node.id, { revision: rev.number, at: this.opts.now() });
    this.opts.metrics?.revisionsPushed.inc();
    // Names and fingerprints only: the keys never reach the log.
    this.opts.log.info(
      { node: s.node?.name, revision: rev.number, certificates: rev.tls?.certificates.map((c) => c.name) },
      'revision pushed',
    );
    send(s, {
      v: PROTOCOL_VERSION,
      type: 'config-push',
      revision: rev.number,
      spec: rev.spec,
      ...(rev.tls ? { tls: rev.tls } : {}),
    });
  }
}

/** A revision as the driver pushes it: the spec and its `tls` part (push.ts). */
type PushedRevision = NewestRevision & { tls: TlsPush | undefined };

/** Runs `step` over `items`, at most `limit` at once; every step ends before it returns, then the first error is thrown. */
async function eachConcurrently<T>(
  items: readonly T[],
  limit: number,
  step: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length && errors.length === 0) {
      try {
        await step(items[next++]!);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}
