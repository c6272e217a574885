'use client';
/**
 * One cluster on the overview: its problems first, then who holds each VIP now, then each node's
 * state, revision and report age. Everything is derived at `now` (the dashboard's clock, see the
 * page) with the same pure rules the server uses, so a node that stopped reporting turns stale on
 * screen by itself — its last "master" is never shown as current.
 */
import Link from 'next/link';
import type { RouterOutputs } from '~/trpc/client';
import { instanceViews, isNodeOnline, overviewProblems, type NodeInstanceView } from '~/lib/problems';
import { ProblemList } from '../problem-list';
import { Badge, Section, linkClass, mutedClass } from '../ui';
import { DataTable } from '../table';

export type ClusterOverview = RouterOutputs['clusters']['overview']['clusters'][number];

/** "just now", "42 s", "5 min", "3 h", "2 d" — an age in words. */
export function ageWords(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 2) return 'just now';
  if (s < 120) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min ago`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h ago` : `${Math.round(h / 24)} d ago`;
}

function StateBadge({ view, instance, now }: { view: NodeInstanceView | undefined; instance?: string; now: number }) {
  const prefix = instance ? `${instance}: ` : '';
  if (!view || view.kind === 'unknown') return <Badge tone="unknown">{prefix}unknown</Badge>;
  if (view.kind === 'offline') return <Badge tone="unknown">{prefix}offline</Badge>;
  if (view.superseded)
    return (
      <Badge tone="warn" title="It said master, but another node became master after it was last heard from">
        {prefix}master? (superseded)
      </Badge>
    );
  return (
    <span className="inline-flex flex-wrap items-baseline gap-1">
      <Badge tone={view.state}>{`${prefix}${view.state}`}</Badge>
      <span className={`text-xs ${mutedClass}`}>since {ageWords(now - view.since)}</span>
    </span>
  );
}

export function ClusterCard({ cluster: c, now }: { cluster: ClusterOverview; now: number }) {
  const problems = overviewProblems(c, now);
  const views = instanceViews(c, now);
  return (
    <Section
      look="card"
      id={`cluster-${c.id}`}
      title={
        <Link href={`/clusters/${c.id}`} className={linkClass}>
          {c.name}
        </Link>
      }
      actions={
        <span className={`text-sm ${mutedClass}`}>
          {c.revision > 0 ? (
            <>
              newest revision <span className="tabular-nums">{c.revision}</span>
              {c.revisionAt !== null && <> · {ageWords(now - c.revisionAt)}</>}
            </>
          ) : (
            'no revision yet'
          )}
        </span>
      }
    >
      {problems.length > 0 ? (
        <ProblemList problems={problems} label={`Problems in ${c.name}`} />
      ) : (
        <p className="mb-3 text-sm text-emerald-800 dark:text-emerald-200">No problems.</p>
      )}

      {c.instances.length === 0 ? (
        <p className={`mb-3 text-sm ${mutedClass}`}>No VRRP instances.</p>
      ) : (
        <DataTable
          className="mb-3 w-full table-fixed text-left text-sm"
          caption={`VIP holders in ${c.name}`}
          columns={['VIP', 'Held by']}
        >
          {views.map((v) => (
            <tr
              key={v.instance.name}
              className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800"
            >
              <th scope="row" className="py-1.5 pr-3 text-left font-normal break-words">
                <span className="font-mono">{v.instance.vips.join(', ') || 'no VIPs'}</span>
                <span className={`block text-xs ${mutedClass}`}>
                  {v.instance.name} · VRID {v.instance.vrid}
                </span>
              </th>
              <td className="py-1.5 break-words">
                {v.masters.length > 1 ? (
                  <span className="font-semibold text-red-700 dark:text-red-300">
                    split brain: {v.masters.map((m) => m.node).join(' + ')}
                  </span>
                ) : v.masters[0] ? (
                  <span>
                    <strong>{v.masters[0].node}</strong>{' '}
                    <span className={mutedClass}>master since {ageWords(now - v.masters[0].since)}</span>
                  </span>
                ) : (
                  <span className="text-amber-800 dark:text-amber-200">no holder reporting</span>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}

      {c.nodes.length === 0 ? (
        <p className={`text-sm ${mutedClass}`}>No nodes.</p>
      ) : (
        <DataTable
          className="w-full table-fixed text-left text-sm"
          caption={`Nodes of ${c.name}`}
          columns={[
            { label: 'Node', className: 'w-[26%]' },
            'State',
            { label: 'Revision', className: 'w-[22%]' },
            { label: 'Report', className: 'w-[24%]' },
          ]}
        >
          {c.nodes.map((n) => {
            const online = isNodeOnline(n, now);
            const behind = c.revision > 0 && (n.appliedRevision ?? 0) < c.revision;
            const failed = c.deployments.find((d) => d.nodeId === n.nodeId && d.status === 'failed');
            return (
              <tr key={n.nodeId} className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800">
                <th scope="row" className="py-1.5 pr-2 text-left font-medium break-words">
                  {n.name}
                </th>
                <td className="py-1.5 pr-2">
                  <span className="flex flex-wrap gap-1">
                    {!online ? (
                      <Badge tone="unknown">offline</Badge>
                    ) : (
                      views.map((v) => (
                        <StateBadge
                          key={v.instance.name}
                          now={now}
                          view={v.nodes.get(n.name)}
                          {...(views.length > 1 ? { instance: v.instance.name } : {})}
                        />
                      ))
                    )}
                    {n.maintenance && <Badge tone="maintenance">maintenance</Badge>}
                  </span>
                </td>
                <td className="py-1.5 pr-2 tabular-nums break-words">
                  {n.appliedRevision ?? <span className={mutedClass}>none</span>}
                  {failed ? (
                    <span className="block text-xs font-semibold text-red-700 dark:text-red-300">
                      rev {failed.revision} failed
                    </span>
                  ) : behind ? (
                    <span className="block text-xs text-amber-800 dark:text-amber-200">newest {c.revision}</span>
                  ) : null}
                </td>
                <td className="py-1.5 break-words">
                  {n.lastSeenAt === null ? (
                    <span className={mutedClass}>never</span>
                  ) : online ? (
                    <span className={mutedClass}>heard {ageWords(now - n.lastSeenAt)}</span>
                  ) : (
                    <span className="font-semibold text-amber-800 dark:text-amber-200">
                      stale: heard {ageWords(now - n.lastSeenAt)}
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
    </Section>
  );
}
