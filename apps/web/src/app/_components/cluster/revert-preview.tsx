'use client';
/**
 * Reverting to an earlier revision, step one: the diff from the cluster now to that revision's
 * content; on confirm, a new revision with that content, which rolls out as any edit (followed
 * with RolloutProgress). The revert is based on the revision the diff was shown against, so a
 * change made meanwhile is refused rather than rolled out unseen.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiProblem } from '~/trpc/client';
import { DiffLines } from '../diff-lines';
import { Banner, Button, Loading, mutedClass } from '../ui';

const AREA_NAMES: Record<string, string> = {
  nodes: 'nodes',
  checks: 'health checks',
  pools: 'pools',
  vrrpInstances: 'VRRP instances',
  virtualServers: 'virtual servers',
};

/** The patch's lines from its first hunk on (its file header is said in words above). */
function hunks(patch: string): string[] {
  const lines = patch.split('\n');
  const first = lines.findIndex((l) => l.startsWith('@@'));
  return first < 0 ? [] : lines.slice(first);
}

export function RevertPreview({
  clusterId,
  number,
  onDone,
  onCancel,
}: {
  clusterId: string;
  number: number;
  onDone: (created: { revision: number; revertedTo: number }) => void;
  onCancel: () => void;
}) {
  const queryClient = useQueryClient();
  const preview = useQuery({
    queryKey: ['rollout.revertPreview', clusterId, number],
    queryFn: () => api.rollout.revertPreview.query({ clusterId, number }),
    // The diff is what gets confirmed: it must not change under the admin's eyes.
    refetchOnWindowFocus: false,
    staleTime: Infinity,
  });
  const revert = useMutation({
    mutationFn: (basedOn: number) => api.rollout.revert.mutate({ clusterId, number, basedOn }),
    onSuccess: async (r) => {
      await queryClient.invalidateQueries({ predicate: (q) => q.queryKey[1] === clusterId });
      onDone(r);
    },
  });
  const p = preview.data;
  return (
    <div
      role="region"
      aria-label={`Revert to revision ${number}`}
      className="mt-2 space-y-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950"
    >
      {preview.isPending && <Loading what={`the diff to revision ${number}`} />}
      {preview.isError && (
        <Banner tone="error" role="alert">
          {apiProblem(preview.error).fields.number ?? preview.error.message}
        </Banner>
      )}
      {p && (
        <>
          <p>
            Reverting creates revision {p.from + 1} with the content of revision {p.to}; it rolls out like any edit
            (backups first). From revision {p.from} (now):{' '}
            <span className="text-emerald-800 dark:text-emerald-300">
              {p.added} line{p.added === 1 ? '' : 's'} added
            </span>
            , <span className="text-red-800 dark:text-red-300">{p.removed} removed</span>
            {p.changes.length > 0 && (
              <>
                {' '}
                —{' '}
                {p.changes
                  .map(
                    (c) =>
                      `${AREA_NAMES[c.area] ?? c.area}: ${[...c.put, ...c.remove.map((r) => `${r} (removed)`)].join(', ')}`,
                  )
                  .join('; ')}
              </>
            )}
            .
          </p>
          <pre
            className="max-h-80 overflow-auto rounded bg-white p-2 font-mono text-xs leading-5 dark:bg-slate-950"
            tabIndex={0}
            aria-label={`diff from revision ${p.from} to revision ${p.to}'s content`}
            data-testid="revert-diff"
          >
            <DiffLines lines={hunks(p.patch)} />
          </pre>
          {revert.isError && (
            <Banner tone="error" role="alert">
              {revert.error.message}
            </Banner>
          )}
          <div className="flex gap-2">
            <Button tone="primary" disabled={revert.isPending} onClick={() => revert.mutate(p.from)}>
              {revert.isPending ? 'Reverting…' : `Revert to revision ${p.to}`}
            </Button>
            <Button onClick={onCancel}>Cancel</Button>
          </div>
        </>
      )}
      {!p && (
        <p className={mutedClass}>
          <Button onClick={onCancel}>Close</Button>
        </p>
      )}
    </div>
  );
}
