'use client';
import { useQuery } from '@tanstack/react-query';
import { api } from '~/trpc/client';

/** The clusters by name, for the pages that pick one (audit filter, export, enrollment, SSH install). */
export function useClusters(enabled = true) {
  return useQuery({ queryKey: ['clusters.list'], queryFn: () => api.clusters.list.query(), enabled });
}

/** A cluster select's options: `none` (value "") first when given, then each cluster by name. */
export function ClusterOptions({
  clusters,
  none,
}: {
  clusters: readonly { id: string; name: string }[] | undefined;
  none?: string;
}) {
  return (
    <>
      {none !== undefined && <option value="">{none}</option>}
      {clusters?.map((c) => (
        <option key={c.id} value={c.id}>
          {c.name}
        </option>
      ))}
    </>
  );
}
