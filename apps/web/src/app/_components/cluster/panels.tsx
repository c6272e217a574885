'use client';
/** The cluster page's smaller panels; each reads what it shows through the cluster scope's queries. */
import { useState, type ReactNode } from 'react';
import { PoolCard } from '../pool-editor';
import { Banner, Button, Loading, mutedClass, Section } from '../ui';
import { ChecksPanel } from './checks-panel';
import { NewPoolForm } from './create-proxy';
import { NewCheckForm } from './create-vrrp';
import { NodeLive } from './node-live';
import { useChecks, useClusterScope, useInstances, useLive, usePools, useReports } from './scope';
import { VipTimeline } from './vip-timeline';

/** The timeline's window slides with time even when nothing happens. */
const TIMELINE_REFRESH_MS = 5_000;

export function TimelinePanel({ now }: { now: number }) {
  const { clusterId } = useClusterScope();
  const instances = useInstances();
  const live = useLive();
  const lastSeen = Object.fromEntries(
    (live.data?.nodes ?? []).map((n) => [n.name, n.lastSeenAt ? n.lastSeenAt.getTime() : null]),
  );
  return (
    <Section title="VIP ownership timeline" id="timeline">
      {instances.data && (
        <VipTimeline
          clusterId={clusterId}
          instances={instances.data.map((i) => ({
            name: i.instance.name,
            vips: i.instance.vips.map((v) => v.address),
            members: i.instance.members.map((m) => m.node),
          }))}
          lastSeen={lastSeen}
          staleAfterMs={live.data?.staleAfterMs}
          now={now}
          refetchMs={TIMELINE_REFRESH_MS}
        />
      )}
    </Section>
  );
}

export function LivePanel({ now }: { now: number }) {
  const live = useLive();
  const checks = useChecks();
  const reports = useReports();
  return (
    <Section title="Live state of the nodes" id="live">
      {live.isPending && <Loading what="live state" />}
      {live.isError && <Banner tone="error">Live state unavailable: {live.error.message}</Banner>}
      {live.data && (
        <NodeLive
          live={live.data}
          checks={checks.data ?? []}
          now={now}
          lastTransition={(node, instance) => {
            const r = reports.get(instance)?.byNode.get(node);
            return r ? { state: r.state, at: r.at } : null;
          }}
        />
      )}
    </Section>
  );
}

export function PoolsPanel({ canEdit }: { canEdit: boolean }) {
  const { clusterId } = useClusterScope();
  const pools = usePools();
  const c = useCreating();
  return (
    <Section
      title="Upstream pools"
      id="pools"
      actions={canEdit && !c.creating && <NewButton what="pool" onClick={c.open} />}
    >
      <CreateSlot c={c}>
        <NewPoolForm clusterId={clusterId} onDone={c.done} onCancel={c.cancel} />
      </CreateSlot>
      {pools.isPending && <Loading what="pools" />}
      {pools.data?.length === 0 && <p className={`text-sm ${mutedClass}`}>No pools.</p>}
      <div className="grid gap-3 lg:grid-cols-2">
        {pools.data?.map((p) => (
          <PoolCard key={p.id} row={p} canEdit={canEdit} clusterId={clusterId} onDeleted={c.setNotice} />
        ))}
      </div>
    </Section>
  );
}

export function HealthChecksPanel({ canEdit }: { canEdit: boolean }) {
  const { clusterId } = useClusterScope();
  const checks = useChecks();
  const c = useCreating();
  return (
    <Section
      title="Health checks"
      id="checks"
      actions={canEdit && !c.creating && <NewButton what="health check" onClick={c.open} />}
    >
      <CreateSlot c={c}>
        <NewCheckForm clusterId={clusterId} onDone={c.done} onCancel={c.cancel} />
      </CreateSlot>
      {checks.isPending && <Loading what="health checks" />}
      {checks.isError && <Banner tone="error">Health checks unavailable: {checks.error.message}</Banner>}
      {checks.data?.length === 0 && <p className={`text-sm ${mutedClass}`}>No health checks.</p>}
      {checks.data && checks.data.length > 0 && <ChecksPanel rows={checks.data} canEdit={canEdit} />}
    </Section>
  );
}

/** A section's "New …" button (admins only: the panels render it when they may edit). */
export function NewButton({ what, onClick }: { what: string; onClick: () => void }) {
  return (
    <Button className="ml-auto" onClick={onClick}>
      New {what}
    </Button>
  );
}

/** A panel's "New …" form: whether it is open, and the notice of the last create (or delete) there. */
export function useCreating() {
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState('');
  return {
    creating,
    notice,
    setNotice,
    open: () => (setCreating(true), setNotice('')),
    done: (text: string) => (setCreating(false), setNotice(text)),
    cancel: () => setCreating(false),
  };
}

/** The panel's notice, then its "New …" form while that is open. */
export function CreateSlot({ c, children }: { c: ReturnType<typeof useCreating>; children: ReactNode }) {
  return (
    <>
      {c.notice && (
        <Banner tone="ok" role="status">
          {c.notice}
        </Banner>
      )}
      {c.creating && <div className="mb-3">{children}</div>}
    </>
  );
}
