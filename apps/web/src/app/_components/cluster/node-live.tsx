'use client';
/**
 * Each node as its agent last reported it: online or not (with the age of the last word), nginx,
 * per VRRP instance the state with base and effective priority, and the health checks with their
 * last result, their phase (healthy, failing, failed, recovering) and how far the agent's
 * rise/fall counting is toward the other status ("1 of 2 toward fall"). When a node's reports
 * stopped, everything it last said is marked stale and greyed: never shown as current.
 */
import type { RouterOutputs } from '~/trpc/client';
import { checkProgress, type CheckPhase } from '../../_lib/check-progress';
import { newestState, type TransitionView } from '../../_lib/node-state';
import { ageText } from '../../_lib/vip-holders';
import { Badge } from '../ui';
import { DataTable } from '../table';

type Live = RouterOutputs['clusters']['live'];
type LiveNode = Live['nodes'][number];
type NginxReport = NonNullable<LiveNode['heartbeat']>['nginx'];
type CheckRow = RouterOutputs['checks']['list'][number];

type LastTransition = (node: string, instance: string) => TransitionView | null;

/** Colour only repeats the phase, which is written out in the badge. */
const PHASE_TONE: Record<CheckPhase, string> = {
  healthy: 'master',
  failing: 'warn',
  failed: 'fault',
  recovering: 'warn',
};

export function NodeLive({
  live,
  checks,
  now,
  lastTransition,
}: {
  live: Live;
  checks: CheckRow[];
  now: number;
  lastTransition: LastTransition;
}) {
  const spec = new Map(checks.map((c) => [c.check.name, c.check]));
  return (
    <div className="grid gap-3 lg:grid-cols-2">
      {live.nodes.map((n) => (
        <NodeCard key={n.id} n={n} spec={spec} now={now} lastTransition={lastTransition} />
      ))}
    </div>
  );
}

/**
 * Old workers of a reload still serving connections, and a rendered file edited by hand (the next
 * apply puts it back; the audit log keeps the diff). Agents before these reports send neither.
 */
function NginxExtras({ n, nginx, stale }: { n: string; nginx: NginxReport; stale: boolean }) {
  const draining = nginx.drainingWorkers ?? 0;
  const onDisk = nginx.onDiskSha256;
  const drift =
    onDisk === null
      ? 'the rendered nginx file is missing on the node'
      : `the rendered nginx file on the node (sha256 ${onDisk?.slice(0, 12) ?? '?'}…) is not what the agent wrote`;
  return (
    <>
      {draining > 0 && (
        <span data-testid={`live-draining-${n}`}>
          <Badge
            tone={stale ? 'unknown' : 'warn'}
            title="old nginx workers of a reload still finishing their connections"
          >
            {draining} {draining === 1 ? 'worker' : 'workers'} draining
          </Badge>{' '}
        </span>
      )}
      {nginx.drifted && (
        <span data-testid={`live-drift-${n}`}>
          <Badge tone={stale ? 'unknown' : 'fault'} title={`${drift}; the next apply puts it back`}>
            drifted
          </Badge>{' '}
        </span>
      )}
    </>
  );
}

function at(d: Date | null, now: number): string {
  return d ? ageText(d, now) : 'never';
}

function NodeCard({
  n,
  spec,
  now,
  lastTransition,
}: {
  n: LiveNode;
  spec: Map<string, CheckRow['check']>;
  now: number;
  lastTransition: LastTransition;
}) {
  const stale = !n.online;
  const hb = n.heartbeat;
  return (
    <article
      aria-labelledby={`live-${n.id}`}
      className="rounded border border-slate-200 dark:border-slate-700"
      data-testid={`live-${n.name}`}
    >
      <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-700">
        <h3 id={`live-${n.id}`} className="font-semibold">
          {n.name}
        </h3>
        {n.online ? (
          <Badge tone="master">online</Badge>
        ) : (
          <Badge tone="fault">{n.lastSeenAt ? 'offline' : 'never connected'}</Badge>
        )}
        <span className="text-xs text-slate-600 dark:text-slate-300">
          last heard {at(n.lastSeenAt, now)}
          {n.agentVersion ? ` · agent ${n.agentVersion}` : ''}
          {n.agentAddress ? ` · from ${n.agentAddress}` : ''}
        </span>
        {n.maintenance && <Badge tone="maintenance">maintenance</Badge>}
      </header>
      {stale && n.lastSeenAt && (
        <p
          role="note"
          className="border-b border-amber-200 bg-amber-50 px-3 py-1 text-xs text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
        >
          Stale: no report for {at(n.lastSeenAt, now).replace(' ago', '')}. What follows is what {n.name} said last, not
          its state now.
        </p>
      )}
      <div className="space-y-2 p-3 text-sm">
        {!hb ? (
          <p className="text-slate-600 dark:text-slate-300">No heartbeat stored yet.</p>
        ) : (
          <>
            <p>
              nginx:{' '}
              {hb.nginx.running ? (
                <Badge tone={stale ? 'unknown' : 'master'}>running</Badge>
              ) : (
                <Badge tone={stale ? 'unknown' : 'fault'}>not running</Badge>
              )}{' '}
              {hb.nginx.pid ? (
                <span className="text-xs text-slate-600 dark:text-slate-300">pid {hb.nginx.pid}</span>
              ) : null}{' '}
              {hb.nginx.build ? (
                <span
                  className="text-xs text-slate-600 dark:text-slate-300"
                  data-testid={`live-nginx-version-${n.name}`}
                  title={`modules: ${hb.nginx.build.modules.join(', ')}`}
                >
                  nginx {hb.nginx.build.version}
                  {hb.nginx.build.openssl ? `, OpenSSL ${hb.nginx.build.openssl}` : ''}
                </span>
              ) : null}{' '}
              <NginxExtras n={n.name} nginx={hb.nginx} stale={stale} />· runs revision {hb.appliedRevision ?? 'none'}{' '}
              <span className="text-xs text-slate-600 dark:text-slate-300">
                (heartbeat {ageText(hb.at, now)}
                {stale ? ', stale' : ''})
              </span>
            </p>
            <DataTable
              caption={`VRRP instances on ${n.name}`}
              columns={['Instance', 'State', 'Priority base → effective', 'Since']}
              look="compact"
            >
              {hb.instances.map((i) => {
                // A transition the agent sent after this heartbeat is newer news than its state.
                const cur = newestState({ state: i.state, at: hb.at }, lastTransition(n.name, i.instance));
                const state = cur?.state ?? i.state;
                return (
                  <tr key={i.instance} className="border-t border-slate-100 dark:border-slate-800">
                    <th scope="row" className="py-1 pr-2 font-medium">
                      {i.instance}
                    </th>
                    <td className="py-1 pr-2" data-testid={`live-state-${n.name}-${i.instance}`}>
                      <Badge tone={stale ? 'unknown' : state}>{state}</Badge>
                      {stale && <span className="ml-1 text-xs">(stale)</span>}
                      {i.holdsVips && <span className="ml-1 text-xs">holds VIP</span>}
                      {i.override !== 'none' && (
                        <span className="ml-1 text-xs text-amber-700 dark:text-amber-300">
                          {i.override === 'promoted' ? 'pinned here' : 'pinned away'}
                        </span>
                      )}
                    </td>
                    <td className="py-1 pr-2 tabular-nums">
                      {i.basePriority} → {i.effectivePriority}
                      {i.effectivePriority !== i.basePriority && (
                        <span className="ml-1 text-xs text-amber-700 dark:text-amber-300">
                          ({i.effectivePriority - i.basePriority > 0 ? '+' : ''}
                          {i.effectivePriority - i.basePriority})
                        </span>
                      )}
                    </td>
                    <td className="py-1 text-xs">{ageText(cur?.source === 'transition' ? cur.at : i.since, now)}</td>
                  </tr>
                );
              })}
            </DataTable>
          </>
        )}
        {n.checks.length > 0 && (
          <DataTable
            caption={`Health checks on ${n.name}`}
            columns={['Check', 'Status', 'Last run', 'Rise / fall']}
            look="compact"
          >
            {n.checks.map((c) => {
              const s = spec.get(c.check);
              const { phase, progress } = checkProgress(c, s ?? null);
              return (
                <tr
                  key={c.check}
                  className="border-t border-slate-100 dark:border-slate-800"
                  data-testid={`live-check-${n.name}-${c.check}`}
                >
                  <th scope="row" className="py-1 pr-2 font-medium">
                    {c.check}
                  </th>
                  <td className="py-1 pr-2" data-testid={`live-check-status-${n.name}-${c.check}`}>
                    <Badge tone={stale ? 'unknown' : PHASE_TONE[phase]}>{phase}</Badge>
                    {stale && <span className="ml-1 text-xs">(stale)</span>}
                  </td>
                  <td className="py-1 pr-2 text-xs" title={c.output}>
                    {c.ok
                      ? 'ok'
                      : c.timedOut
                        ? 'timed out'
                        : `failed${c.exitCode !== null ? ` (exit ${c.exitCode})` : ''}`}{' '}
                    · {ageText(c.at, now)} · {c.durationMs} ms
                    {!c.ok && c.output && (
                      <span className="block font-mono text-red-700 dark:text-red-300">{c.output}</span>
                    )}
                  </td>
                  <td className="py-1 text-xs tabular-nums" data-testid={`live-check-progress-${n.name}-${c.check}`}>
                    {progress ?? (c.consecutiveOk === null ? 'agent sends no counters' : '—')}
                    {s && (
                      <span className="block text-slate-600 dark:text-slate-300">
                        rise {s.rise} · fall {s.fall}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </div>
    </article>
  );
}
