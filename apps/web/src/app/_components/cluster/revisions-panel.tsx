'use client';
/**
 * The cluster's config revisions and their rollout: which revision each node runs, the newest
 * revision's rollout (with Abort while it is in flight: nodes not yet reached keep what they run),
 * and every earlier revision with Revert (the diff first: revert-preview.tsx).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '~/trpc/client';
import { ageText } from '../../_lib/vip-holders';
import { Badge, Banner, Button, Loading, mutedClass, Section } from '../ui';
import { DataTable } from '../table';
import { RevertPreview } from './revert-preview';
import { RolloutProgress } from './rollout';
import { useClusterScope } from './scope';

export function RevisionsPanel({ canAdmin, now }: { canAdmin: boolean; now: number }) {
  const { clusterId, poll } = useClusterScope();
  const status = useQuery({
    queryKey: ['rollout.status', clusterId],
    queryFn: () => api.rollout.status.query({ clusterId }),
    refetchInterval: poll,
  });
  const revisions = useQuery({
    queryKey: ['clusters.revisions', clusterId],
    queryFn: () => api.clusters.revisions.query({ clusterId, limit: 50 }),
    refetchInterval: poll,
  });
  const [reverting, setReverting] = useState<number | null>(null);
  const [created, setCreated] = useState<{ revision: number; revertedTo: number } | null>(null);
  const s = status.data;
  return (
    <Section title="Revisions and rollout" id="revisions">
      {status.isError && <Banner tone="error">Rollout status unavailable: {status.error.message}</Banner>}
      {s && s.revision > 0 && <RolloutState status={s} canAdmin={canAdmin} now={now} />}
      {created && (
        <div className="mb-3 space-y-2">
          <Banner tone="ok" role="status">
            Revision {created.revision} created with the content of revision {created.revertedTo}; it rolls out like any
            edit.
          </Banner>
          {/* Once aborted, the state above says where it stopped; the progress would say it still rolls. */}
          {!(s?.aborted && s.revision === created.revision) && (
            <RolloutProgress clusterId={clusterId} revision={created.revision} />
          )}
        </div>
      )}
      {revisions.isPending && <Loading what="revisions" />}
      {revisions.data && revisions.data.length > 0 && (
        <DataTable columns={['Revision', 'Change', 'By', 'When']} actions={canAdmin && 'Actions'}>
          {revisions.data.map((r) => (
            <tr key={r.id} className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800">
              <th scope="row" className="py-1.5 pr-3 font-medium">
                {r.number}
                {r.number === s?.revision && <span className={`ml-1 text-xs ${mutedClass}`}>(newest)</span>}
              </th>
              <td className="py-1.5 pr-3">
                {r.summary}
                {reverting === r.number && (
                  <RevertPreview
                    clusterId={clusterId}
                    number={r.number}
                    onCancel={() => setReverting(null)}
                    onDone={(c) => {
                      setReverting(null);
                      setCreated(c);
                    }}
                  />
                )}
              </td>
              <td className="py-1.5 pr-3">{r.createdBy}</td>
              <td className="py-1.5 pr-3 whitespace-nowrap">{ageText(r.createdAt, now)}</td>
              {canAdmin && (
                <td className="py-1.5 text-right">
                  {r.number !== s?.revision && reverting !== r.number && (
                    <Button onClick={() => setReverting(r.number)} aria-label={`Revert to revision ${r.number}…`}>
                      Revert…
                    </Button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}
    </Section>
  );
}

type Status = Awaited<ReturnType<typeof api.rollout.status.query>>;

/** Which node runs which revision, and the newest revision's rollout (aborted, in flight with Abort, or done). */
function RolloutState({ status, canAdmin, now }: { status: Status; canAdmin: boolean; now: number }) {
  const { clusterId } = useClusterScope();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const abort = useMutation({
    mutationFn: () => api.rollout.abort.mutate({ clusterId, number: status.revision }),
    onSuccess: async () => {
      setConfirming(false);
      await queryClient.invalidateQueries({ predicate: (q) => q.queryKey[1] === clusterId });
    },
  });
  const n = status.revision;
  const behind = status.nodes.filter((x) => x.newest !== null && x.newest !== 'applied');
  const headline = status.aborted
    ? `The rollout of revision ${n} was aborted by ${status.aborted.by} ${ageText(status.aborted.at, now)}: nodes that had not applied it keep the revision they run. A new edit or a revert starts a new rollout.`
    : behind.length === 0
      ? `Revision ${n} is applied on every node.`
      : `Revision ${n} is rolling out: ${behind.length} node${behind.length === 1 ? '' : 's'} not yet applied.`;
  return (
    <div className="mb-3 space-y-2 text-sm" data-testid="rollout-state">
      <p role="status" className={status.aborted ? 'font-medium text-amber-900 dark:text-amber-200' : ''}>
        {headline}
      </p>
      <ul className="flex flex-wrap gap-x-6 gap-y-1">
        {status.nodes.map((x) => (
          <li key={x.nodeId} data-testid={`runs-${x.node}`}>
            <span className="font-medium">{x.node}</span> runs{' '}
            {x.runs === null ? <span className={mutedClass}>no revision yet</span> : `revision ${x.runs}`}{' '}
            {x.runs !== n && x.newest !== null && (
              <Badge tone={x.newest === 'failed' ? 'fault' : 'warn'}>
                {status.aborted && x.newest === 'pending' ? `${n}: aborted` : `${n}: ${x.newest}`}
              </Badge>
            )}
          </li>
        ))}
      </ul>
      {canAdmin && !status.aborted && behind.length > 0 && (
        <div className="flex flex-wrap items-center gap-2">
          {!confirming ? (
            <Button tone="danger" onClick={() => setConfirming(true)}>
              Abort rollout…
            </Button>
          ) : (
            <>
              <span>Abort the rollout of revision {n}? Nodes that have not applied it keep the revision they run.</span>
              <Button tone="danger" disabled={abort.isPending} onClick={() => abort.mutate()}>
                Abort rollout of revision {n}
              </Button>
              <Button onClick={() => setConfirming(false)}>Keep rolling out</Button>
            </>
          )}
        </div>
      )}
      {abort.isError && (
        <Banner tone="error" role="alert">
          {abort.error.message}
        </Banner>
      )}
    </div>
  );
}
