'use client';
/**
 * The operator's failover actions on the cluster page — move (promote), release, maintenance:
 * said in full before they are done (the confirmation), then followed from what the agents
 * report (the move's progress).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, apiProblem } from '~/trpc/client';
import { ConfirmDialog } from '../confirm-dialog';
import { Banner } from '../ui';
import { MoveProgress, type MoveRequest } from './move-progress';
import { useFailoverStatus, useLive, useMaintenance, useNodes, useReports, useTransitions } from './scope';
import type { InstanceRow, NodeRow } from './scope';

export type PendingAction =
  | { kind: 'promote'; instance: InstanceRow; node: NodeRow }
  | { kind: 'release'; instance: InstanceRow; node: string | null }
  | { kind: 'maintenance'; node: NodeRow; enabled: boolean };

export type Outcome = { tone: 'ok' | 'error'; text: string };

/** Asks before a pending action, runs it on confirm, and reports how it went. */
export function ActionDialog(props: {
  pending: PendingAction | null;
  onClose: () => void;
  onOutcome: (o: Outcome | null) => void;
  onMove: (m: MoveRequest) => void;
}) {
  const { pending } = props;
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const reports = useReports();
  const nodes = useNodes();
  const inMaintenance = useMaintenance();
  const holderOf = (inst: InstanceRow) => reports.get(inst.instance.name)?.masters[0]?.node ?? null;
  const activeNodes = (nodes.data ?? []).filter((n) => !inMaintenance(n));
  const lastActive =
    pending?.kind === 'maintenance' &&
    pending.enabled &&
    activeNodes.length === 1 &&
    activeNodes[0]?.id === pending.node.id;

  async function confirm() {
    if (!pending) return;
    setBusy(true);
    try {
      if (pending.kind === 'promote') {
        const requestedAt = Date.now();
        await api.failover.promote.mutate({ instanceId: pending.instance.id, nodeId: pending.node.id });
        props.onOutcome(null);
        props.onMove({
          instance: pending.instance.instance.name,
          target: pending.node.node.name,
          previous: holderOf(pending.instance),
          requestedAt,
        });
      } else if (pending.kind === 'release') {
        await api.failover.release.mutate({ instanceId: pending.instance.id });
        const text = `Recorded: ${pending.instance.instance.name} released; VRRP priorities decide again.`;
        props.onOutcome({ tone: 'ok', text });
      } else {
        await api.failover.maintenance.mutate({ nodeId: pending.node.id, enabled: pending.enabled });
        const text = `Recorded: ${pending.node.node.name} ${pending.enabled ? 'goes into' : 'leaves'} maintenance.`;
        props.onOutcome({ tone: 'ok', text });
      }
    } catch (e) {
      props.onOutcome({ tone: 'error', text: apiProblem(e).message });
    } finally {
      setBusy(false);
      props.onClose();
      await Promise.all(
        ['failover.status', 'nodes.list', 'audit.list', 'clusters.live'].map((k) =>
          qc.invalidateQueries({ queryKey: [k] }),
        ),
      );
    }
  }

  return (
    <ConfirmDialog
      open={pending !== null}
      busy={busy}
      danger={pending?.kind === 'maintenance' && pending.enabled}
      title={pending ? titleOf(pending) : ''}
      confirmLabel={
        pending?.kind === 'promote'
          ? 'Move VIP'
          : pending?.kind === 'release'
            ? 'Release'
            : pending?.kind === 'maintenance' && pending.enabled
              ? 'Start maintenance'
              : 'End maintenance'
      }
      onConfirm={confirm}
      onCancel={props.onClose}
    >
      {pending?.kind === 'promote' && (
        <PromoteText instance={pending.instance} target={pending.node.node.name} holder={holderOf(pending.instance)} />
      )}
      {pending?.kind === 'release' && (
        <p>
          The sticky move{pending.node ? ` to ${pending.node}` : ''} ends; the VIP goes to whichever node VRRP
          priorities and preemption choose
          {preferred(pending.instance)
            ? ` (${preferred(pending.instance)} has the highest priority${pending.instance.instance.preempt ? ' and preempts: the VIP moves back to it now' : ''})`
            : ''}
          .
        </p>
      )}
      {pending?.kind === 'maintenance' && pending.enabled && (
        <>
          <p>{pending.node.node.name} gives up every VIP it holds and takes none until maintenance ends.</p>
          {lastActive && (
            <Banner tone="error" role="alert">
              <strong>{pending.node.node.name} is the last node in service.</strong> With it in maintenance no node can
              hold this cluster&apos;s VIPs: traffic to them stops.
            </Banner>
          )}
        </>
      )}
      {pending?.kind === 'maintenance' && !pending.enabled && (
        <p>
          {pending.node.node.name} rejoins VRRP with its configured priorities and may take a VIP back (preemption).
        </p>
      )}
    </ConfirmDialog>
  );
}

function titleOf(p: PendingAction): string {
  if (p.kind === 'promote') return `Move ${p.instance.instance.name} to ${p.node.node.name}?`;
  if (p.kind === 'release') return `Release ${p.instance.instance.name}?`;
  return `${p.enabled ? 'Put' : 'Take'} ${p.node.node.name} ${p.enabled ? 'into' : 'out of'} maintenance?`;
}

/** The member with the highest configured priority (the one VRRP prefers), or null on a tie. */
function preferred(inst: InstanceRow): string | null {
  const sorted = [...inst.instance.members].sort((a, b) => b.priority - a.priority);
  return sorted[0] && sorted[0].priority !== sorted[1]?.priority ? sorted[0].node : null;
}

/** What "Move VIP" will do, said before it is done. */
function PromoteText({ instance, target, holder }: { instance: InstanceRow; target: string; holder: string | null }) {
  const vips = instance.instance.vips.map((v) => v.address).join(', ');
  if (holder === target) {
    return (
      <p>
        <strong>{target}</strong> last reported holding {vips}. This pins it there (sticky): it stays on {target} until
        someone presses Release, even if another node has a higher priority. Nothing moves now.
      </p>
    );
  }
  return (
    <>
      <p>
        {vips} moves to <strong>{target}</strong>, make-before-break: {target} becomes master and takes the address
        (with gratuitous ARP) before{' '}
        {holder ? (
          <>
            <strong>{holder}</strong>, which holds it now, lets it go
          </>
        ) : (
          'any other node lets it go (no node has reported holding it)'
        )}
        . Open connections through the VIP to {holder ?? 'the old holder'} may be reset; new ones go to {target}.
      </p>
      <p>
        It is sticky: {vips} stays on {target} until someone presses <strong>Release</strong>, even if{' '}
        {holder ?? 'another node'} has a higher priority. The agent refuses the move if {target} is offline, in FAULT or
        its nginx is unhealthy; the reason is shown here.
      </p>
    </>
  );
}

/** A confirmed move, followed step by step from the agents' reports until dismissed. */
export function MovePanel({ move, now, onDismiss }: { move: MoveRequest; now: number; onDismiss: () => void }) {
  const transitions = useTransitions();
  const status = useFailoverStatus();
  const live = useLive();
  /** Whether the node's agent says (live, not stale) it is master of the instance; null when unknown. */
  const liveMaster = (node: string) => {
    const n = live.data?.nodes.find((x) => x.name === node);
    const i = n?.online ? n.heartbeat?.instances.find((x) => x.instance === move.instance) : undefined;
    return i ? i.state === 'master' : null;
  };
  return (
    <MoveProgress
      req={move}
      transitions={transitions.data ?? []}
      status={status.data}
      liveMaster={liveMaster}
      now={now}
      onDismiss={onDismiss}
    />
  );
}
