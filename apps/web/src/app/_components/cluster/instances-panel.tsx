'use client';
/** The cluster's VRRP instances, one card each; at most one is edited at a time. */
import { useState } from 'react';
import { Loading, mutedClass, Section } from '../ui';
import { InstanceCard, type InstanceActions } from './instance-card';
import { useLiveViews } from './problems-panel';
import { useInstances } from './scope';

export function InstancesPanel(props: InstanceActions & { now: number }) {
  const instances = useInstances();
  const { views, now: liveNow } = useLiveViews();
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <Section title="VIPs and who last reported holding them" id="vips">
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
