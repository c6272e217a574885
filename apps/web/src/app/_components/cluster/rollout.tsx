'use client';
/**
 * A config change on its way to the nodes: the rendered nginx diff before it is applied, and
 * after it, the HA-aware rollout of its revision per node (pending, applied, or failed with
 * nginx's own output).
 */
import { useQuery } from '@tanstack/react-query';
import { api, type RouterOutputs } from '~/trpc/client';
import { ageText } from '../../_lib/vip-holders';
import { DiffLines } from '../diff-lines';
import { Badge, Banner, useNow } from '../ui';

type Diff = RouterOutputs['pools']['preview']['diffs'][number];

/** One unified diff, coloured by line, for the nodes it applies to. */
export function ConfigDiff({ diff }: { diff: Diff }) {
  const who = diff.nodes.join(', ');
  if (!diff.patch) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="config-diff">
        {who}: no change to the nginx config
        {diff.runningRevision !== null ? ` (running revision ${diff.runningRevision})` : ''}.
      </p>
    );
  }
  const lines = diff.patch.split('\n').slice(2); // the ---/+++ header is said in words instead
  return (
    <div className="text-sm" data-testid="config-diff">
      <p>
        <strong>{who}</strong>: against{' '}
        {diff.runningRevision !== null
          ? `revision ${diff.runningRevision}, which ${diff.nodes.length > 1 ? 'they run' : 'it runs'}`
          : 'nothing (no revision applied yet)'}{' '}
        —{' '}
        <span className="text-emerald-800 dark:text-emerald-300">
          {diff.added} line{diff.added === 1 ? '' : 's'} added
        </span>
        , <span className="text-red-800 dark:text-red-300">{diff.removed} removed</span>
      </p>
      <pre
        className="mt-1 max-h-80 overflow-auto rounded bg-slate-50 p-2 font-mono text-xs leading-5 dark:bg-slate-950"
        tabIndex={0}
        aria-label={`nginx config diff for ${who}`}
      >
        <DiffLines lines={lines} />
      </pre>
    </div>
  );
}

const DONE = new Set(['applied', 'failed']);

/** Follows revision `revision` to every node until each has applied it or the rollout halted. */
export function RolloutProgress({ clusterId, revision }: { clusterId: string; revision: number }) {
  const now = useNow();
  const q = useQuery({
    queryKey: ['clusters.revision', clusterId, revision],
    queryFn: () => api.clusters.revision.query({ clusterId, number: revision }),
    // Until every node answered: the hub pushes within about a second, backups first.
    refetchInterval: (query) => (query.state.data?.deployments.every((d) => DONE.has(d.status)) ? false : 1000),
  });
  if (q.isError)
    return (
      <Banner tone="error">
        Rollout of revision {revision} unavailable: {q.error.message}
      </Banner>
    );
  if (!q.data) return null;
  const deps = [...q.data.deployments].sort(
    (a, b) =>
      (a.finishedAt?.getTime() ?? Infinity) - (b.finishedAt?.getTime() ?? Infinity) || a.node.localeCompare(b.node),
  );
  const applied = deps.filter((d) => d.status === 'applied').length;
  const failed = deps.filter((d) => d.status === 'failed');
  const headline =
    failed.length > 0
      ? `Rollout of revision ${revision} halted: it failed on ${failed.map((d) => d.node).join(', ')}. Nodes that did not get it keep their running revision.`
      : applied === deps.length
        ? `Revision ${revision} is applied on every node.`
        : `Rolling out revision ${revision}: ${applied} of ${deps.length} nodes applied (backups first, then the master once they report healthy).`;
  return (
    <section
      aria-label={`Rollout of revision ${revision}`}
      className="rounded border border-slate-200 p-2 text-sm dark:border-slate-700"
      data-testid={`rollout-${revision}`}
    >
      <p role="status" className={failed.length > 0 ? 'font-medium text-red-800 dark:text-red-200' : ''}>
        {headline}
      </p>
      <ul className="mt-1 space-y-1">
        {deps.map((d) => (
          <li key={d.nodeId} data-testid={`rollout-${revision}-${d.node}`}>
            <span className="font-medium">{d.node}</span>{' '}
            <Badge tone={d.status === 'applied' ? 'master' : d.status === 'failed' ? 'fault' : 'warn'}>
              {d.status === 'pending' && failed.length > 0 ? 'held' : d.status}
            </Badge>
            {d.finishedAt && (
              <span className="ml-1 text-xs text-slate-600 dark:text-slate-300">{ageText(d.finishedAt, now)}</span>
            )}
            {d.status === 'failed' && (
              <div className="mt-1">
                <p className="text-xs text-red-800 dark:text-red-200">
                  {d.stage ? `${d.stage}: ` : ''}
                  {d.message}
                </p>
                {d.nginxOutput && (
                  <pre
                    className="mt-1 max-h-48 overflow-auto whitespace-pre-wrap rounded bg-red-50 p-2 font-mono text-xs text-red-950 dark:bg-red-950 dark:text-red-100"
                    aria-label={`nginx output on ${d.node}`}
                  >
                    {d.nginxOutput}
                  </pre>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
