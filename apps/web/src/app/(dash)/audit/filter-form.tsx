'use client';
/** The audit log's filters: actor, action, cluster and a time range; a refused filter's message sits beside it. */
import { useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { api, type RouterInputs } from '~/trpc/client';
import { ClusterOptions, useClusters } from '../../_components/cluster-select';
import { Button, FormInput, FormSelect } from '../../_components/ui';

export type Filters = Omit<RouterInputs['audit']['list'], 'before' | 'limit'>;

/** A datetime-local value ("2026-11-24T20:15", local time) as a Date; empty → none. */
function localTime(v: FormDataEntryValue | null): Date | undefined {
  const s = typeof v === 'string' ? v.trim() : '';
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function FilterForm({ onApply, error }: { onApply: (f: Filters) => void; error: Record<string, string> }) {
  const facets = useQuery({ queryKey: ['audit.facets'], queryFn: () => api.audit.facets.query(), staleTime: 30_000 });
  const clusters = useClusters();
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const str = (k: string) => {
      const v = String(f.get(k) ?? '').trim();
      return v === '' ? undefined : v;
    };
    const out: Filters = {};
    const actor = str('actor');
    const action = str('action');
    const clusterId = str('clusterId');
    const from = localTime(f.get('from'));
    const to = localTime(f.get('to'));
    if (actor) out.actor = actor;
    if (action) out.action = action;
    if (clusterId) out.clusterId = clusterId;
    if (from) out.from = from;
    if (to) out.to = to;
    onApply(out);
  }
  /** A filter's id, name and error: the server names a refused filter by its input key. */
  const bind = (name: keyof Filters) => ({ id: `filter-${name}`, name, error: error[name] });
  return (
    <form
      onSubmit={submit}
      onReset={() => onApply({})}
      aria-label="Filter the audit log"
      className="mb-4 grid items-end gap-3 sm:grid-cols-2 lg:grid-cols-6"
    >
      <FormSelect {...bind('actor')} label="Actor">
        <option value="">Anyone</option>
        {facets.data?.actors.map((a) => (
          <option key={a} value={a}>
            {a}
          </option>
        ))}
      </FormSelect>
      <FormInput
        {...bind('action')}
        label="Action"
        list="audit-actions"
        placeholder="e.g. pool. or user.update"
        autoComplete="off"
      />
      <datalist id="audit-actions">
        {facets.data?.actions.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <FormSelect {...bind('clusterId')} label="Cluster">
        <ClusterOptions clusters={clusters.data} none="Any cluster" />
      </FormSelect>
      <FormInput {...bind('from')} label="From" type="datetime-local" />
      <FormInput {...bind('to')} label="To" type="datetime-local" />
      <div className="flex gap-2">
        <Button type="submit" tone="primary">
          Apply filters
        </Button>
        <Button type="reset">Clear</Button>
      </div>
    </form>
  );
}
