'use client';
/**
 * One VRRP instance on the cluster page: its VIPs and settings, who last reported holding it
 * (from the stored transitions, with age), split brain by the problem rules (live state: a master
 * superseded by a newer one is not split brain), and per member the configured, reported and
 * live priorities with the operator's actions.
 */
import type { InstanceView } from '~/lib/problems';
import { newestState } from '../../_lib/node-state';
import { ageText, type NodeReport } from '../../_lib/vip-holders';
import { Badge, Banner, Button, mutedClass } from '../ui';
import { DataTable } from '../table';
import { InstanceEditor } from './instance-editor';
import { DeleteAction } from './spec-change';
import { api } from '~/trpc/client';
import {
  useFailoverStatus,
  useLive,
  useMaintenance,
  useNodes,
  useReports,
  type InstanceRow,
  type NodeRow,
} from './scope';

export interface InstanceActions {
  canOperate: boolean;
  canEdit: boolean;
  onPromote: (inst: InstanceRow, n: NodeRow) => void;
  onRelease: (inst: InstanceRow, promotedNode: string | null) => void;
  onSaved: (text: string) => void;
}

export function InstanceCard(
  props: InstanceActions & {
    inst: InstanceRow;
    /** The instance by the problem rules at `liveNow` (dashboard clock). */
    view: InstanceView | undefined;
    liveNow: number;
    now: number;
    editing: boolean;
    onEdit: (on: boolean) => void;
  },
) {
  const { inst, now } = props;
  const i = inst.instance;
  const status = useFailoverStatus();
  const live = useLive();
  const reports = useReports().get(i.name);
  const promoted = status.data?.instances.find((s) => s.id === inst.id);
  const liveMasters = props.view?.masters ?? [];
  const headline = reports?.masters[0];
  const headlineLive = headline ? live.data?.nodes.find((n) => n.name === headline.node) : undefined;
  const headlineStale = headlineLive?.online === false && headlineLive.lastSeenAt != null;
  return (
    <article aria-labelledby={`inst-${inst.id}`} className="rounded border border-slate-200 dark:border-slate-700">
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-slate-200 px-3 py-2 dark:border-slate-700">
        <h3 id={`inst-${inst.id}`} className="font-semibold">
          {i.name}
        </h3>
        <span className="font-mono text-sm">
          {i.vips.map((v) => `${v.address}${v.prefix !== undefined ? `/${v.prefix}` : ''}`).join(', ')}
        </span>
        <span className={`text-xs ${mutedClass}`}>
          VRID {i.vrid} · VRRPv{i.version} · advert {i.advertIntervalMs} ms · {i.preempt ? 'preempt' : 'nopreempt'} ·{' '}
          {i.interface}
        </span>
        <span className="ml-auto flex items-center gap-2">
          {promoted?.promotedNode && (
            <>
              <Badge tone="warn">pinned to {promoted.promotedNode}</Badge>
              {props.canOperate && (
                <Button onClick={() => props.onRelease(inst, promoted.promotedNode)}>Release</Button>
              )}
            </>
          )}
          {props.canEdit && !props.editing && (
            <Button onClick={() => props.onEdit(true)} aria-label={`Edit VRRP instance ${i.name}`}>
              Edit
            </Button>
          )}
          {props.canEdit && !props.editing && (
            <DeleteAction
              what="VRRP instance"
              field="instance"
              name={i.name}
              obj={i}
              list="instances.list"
              warning={`Its VIPs (${i.vips.map((v) => v.address).join(', ')}) are released: once the nodes apply the revision, no node holds them and traffic to them stops.`}
              remove={() => api.instances.delete.mutate({ id: inst.id, version: inst.version })}
              onDeleted={props.onSaved}
            />
          )}
        </span>
      </header>
      {props.editing && <InstanceEditor row={inst} onDone={props.onSaved} />}
      <div className="px-3 py-2">
        <div className="mb-2 text-sm" data-testid={`holder-${i.name}`}>
          {liveMasters.length > 1 && (
            <Banner tone="error" role="alert">
              Possible split brain:{' '}
              {liveMasters
                .map((m) => `${m.node} (master since ${ageText(new Date(m.since), props.liveNow)})`)
                .join(' and ')}{' '}
              each report MASTER.
            </Banner>
          )}
          {headline ? (
            <>
              Last reported holder: <strong className="text-base">{headline.node}</strong>{' '}
              <span className={mutedClass}>
                · last seen {ageText(headline.at, now)}{' '}
                <span className="text-xs">(the last transition it reported, not live state)</span>
              </span>
              {headlineStale && (
                <span className="ml-2">
                  <Badge tone="fault">stale</Badge>{' '}
                  <span className="text-xs">{headline.node} stopped reporting: it may not hold the VIP any more</span>
                </span>
              )}
            </>
          ) : (
            <span className={mutedClass}>No node has reported holding this VIP yet (no transition stored).</span>
          )}
        </div>
        <DataTable
          columns={['Node', 'Priority', 'Live (base → effective)', 'Last reported state']}
          actions={props.canOperate && 'Actions'}
          look="compact"
        >
          {i.members.map((m) => (
            <MemberRow
              key={m.node}
              {...props}
              member={m}
              report={reports?.byNode.get(m.node)}
              holder={headline?.node === m.node}
              promotedNodeId={promoted?.promotedNodeId ?? null}
            />
          ))}
        </DataTable>
      </div>
    </article>
  );
}

function MemberRow(
  props: InstanceActions & {
    inst: InstanceRow;
    member: InstanceRow['instance']['members'][number];
    report: NodeReport | undefined;
    holder: boolean;
    promotedNodeId: string | null;
    now: number;
  },
) {
  const { member: m, report: r, inst } = props;
  const nodes = useNodes();
  const live = useLive();
  const inMaintenance = useMaintenance();
  const node = nodes.data?.find((n) => n.node.name === m.node);
  const inMaint = node ? inMaintenance(node) : false;
  const ln = live.data?.nodes.find((n) => n.name === m.node);
  const li = ln?.heartbeat?.instances.find((x) => x.instance === inst.instance.name);
  // Whichever the agent sent later wins: the heartbeat's state or the last transition.
  const liveState =
    li && ln?.heartbeat
      ? (newestState({ state: li.state, at: ln.heartbeat.at }, r ? { state: r.state, at: r.at } : null)?.state ??
        li.state)
      : null;
  return (
    <tr className="border-t border-slate-100 dark:border-slate-800">
      <th scope="row" className="py-1 pr-3 font-medium">
        {m.node} {inMaint && <Badge tone="maintenance">maintenance</Badge>}
      </th>
      <td className="py-1 pr-3 tabular-nums">
        {m.priority}
        {r?.priority != null && r.priority !== m.priority && (
          <span className="ml-1 text-xs text-amber-700 dark:text-amber-300">(reported {r.priority})</span>
        )}
      </td>
      <td className="py-1 pr-3 tabular-nums">
        {li && liveState ? (
          <span>
            <Badge tone={ln?.online ? liveState : 'unknown'}>{liveState}</Badge> {li.basePriority} →{' '}
            {li.effectivePriority}
            {!ln?.online && <span className="ml-1 text-xs">(stale)</span>}
          </span>
        ) : (
          <span className={mutedClass}>—</span>
        )}
      </td>
      <td className="py-1 pr-3">
        {r ? (
          <span title={r.reason ?? undefined}>
            <Badge tone={r.state}>{r.state}</Badge> <span className={mutedClass}>{ageText(r.at, props.now)}</span>
            {r.reason && <span className={`ml-1 text-xs ${mutedClass}`}>({r.reason})</span>}
          </span>
        ) : (
          <span className={mutedClass}>no report</span>
        )}
      </td>
      {props.canOperate && (
        <td className="py-1 text-right">
          {node && !inMaint && props.promotedNodeId !== node.id && (
            <Button onClick={() => props.onPromote(inst, node)}>
              {props.holder ? `Pin VIP on ${m.node}` : `Move VIP to ${m.node}`}
            </Button>
          )}
        </td>
      )}
    </tr>
  );
}
