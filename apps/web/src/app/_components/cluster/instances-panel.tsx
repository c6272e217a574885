'use client';
/** The cluster's VRRP instances, one card each; at most one is edited at a time. */
import { useState } from 'react';
import { Loading, mutedClass, Section } from '../ui';
import { InstanceCard, type InstanceActions } from './instance-card';
import { useLiveViews } from './problems-panel';
import { NewInstanceForm } from './create-vrrp';
import { NewButton } from './panels';
import { useClusterScope, useInstances, useNodes } from './scope';

export function InstancesPanel(props: InstanceActions & { now: number }) {
  const instances = useInstances();
  const { views, now: liveNow } = useLiveViews();
  const [editing, setEditing] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const { clusterId } = useClusterScope();
  const nodes = useNodes();
  return (
    <Section
      title="VIPs and who last reported holding them"
      id="vips"
      actions={props.canEdit && !creating && <NewButton what="VRRP instance" onClick={() => setCreating(true)} />}
    >
      {creating && (
        <div className="mb-3">
          <NewInstanceForm
            clusterId={clusterId}
            nodes={(nodes.data ?? []).map((n) => ({ name: n.node.name, interface: n.node.interfaces[0] }))}
            onDone={(text) => (setCreating(false), props.onSaved(text))}
            onCancel={() => setCreating(false)}
          />
        </div>
      )}
      {instances.isPending && <Loading what="VRRP instances" />}
      {instances.data?.length === 0 && <p className={`text-sm ${mutedClass}`}>No VRRP instances in this cluster.</p>}
      <div className="space-y-3">
        {instances.data?.map((inst) => (
          <InstanceCard
            key={inst.id}
            {...props}
            inst={inst}
            view={views.get(inst.instance.name)}
            liveNow={liveNow}
            editing={editing === inst.id}
            onEdit={(on) => setEditing(on ? inst.id : null)}
            onSaved={(text) => {
              setEditing(null);
              if (text) props.onSaved(text);
            }}
          />
        ))}
      </div>
    </Section>
  );
}
