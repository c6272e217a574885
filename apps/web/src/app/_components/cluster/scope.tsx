'use client';
/**
 * The cluster page's panels each run their own queries through these hooks. They share one
 * TanStack cache entry per key (`['<router>.<procedure>', clusterId]`, the live stream's
 * convention: trpc/live.ts), so two panels asking for the same data cost one request. The scope
 * (which cluster, how slowly to poll while the live stream is down) comes from the page.
 */
import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { api, type RouterOutputs } from '~/trpc/client';
import { instanceReports, type InstanceReports } from '../../_lib/vip-holders';

export interface ClusterScope {
  clusterId: string;
  /** Poll interval while the live stream is down; false while it is up. */
  poll: number | false;
}

const Scope = createContext<ClusterScope | null>(null);

export function ClusterScopeProvider({ scope, children }: { scope: ClusterScope; children: ReactNode }) {
  return <Scope.Provider value={scope}>{children}</Scope.Provider>;
}

export function useClusterScope(): ClusterScope {
  const s = useContext(Scope);
  if (!s) throw new Error('cluster panels need a ClusterScopeProvider');
  return s;
}

function useClusterQuery<T>(procedure: string, read: (clusterId: string) => Promise<T>) {
  const { clusterId, poll } = useClusterScope();
  return useQuery({ queryKey: [procedure, clusterId], queryFn: () => read(clusterId), refetchInterval: poll });
}

export type NodeRow = RouterOutputs['nodes']['list'][number];
export type InstanceRow = RouterOutputs['instances']['list'][number];
export type Deployment = RouterOutputs['clusters']['deployments'][number];
export type FailoverStatus = RouterOutputs['failover']['status'];
export type Live = RouterOutputs['clusters']['live'];

export const useCluster = () => useClusterQuery('clusters.get', (id) => api.clusters.get.query({ id }));
export const useNodes = () => useClusterQuery('nodes.list', (clusterId) => api.nodes.list.query({ clusterId }));
export const useInstances = () =>
  useClusterQuery('instances.list', (clusterId) => api.instances.list.query({ clusterId }));
export const useFailoverStatus = () =>
  useClusterQuery('failover.status', (clusterId) => api.failover.status.query({ clusterId }));
export const useTransitions = () =>
  useClusterQuery('clusters.transitions', (clusterId) => api.clusters.transitions.query({ clusterId, limit: 500 }));
export const useLive = () => useClusterQuery('clusters.live', (clusterId) => api.clusters.live.query({ clusterId }));
export const useChecks = () => useClusterQuery('checks.list', (clusterId) => api.checks.list.query({ clusterId }));
export const useDeployments = () =>
  useClusterQuery('clusters.deployments', (clusterId) => api.clusters.deployments.query({ clusterId, limit: 100 }));
export const usePools = () => useClusterQuery('pools.list', (clusterId) => api.pools.list.query({ clusterId }));
export const useVirtualServers = () =>
  useClusterQuery('virtualServers.list', (clusterId) => api.virtualServers.list.query({ clusterId }));
/** The cluster as the overview reads it: live state, newest revision, deployments (the problem rules' input). */
export const useClusterOverview = () =>
  useClusterQuery('clusters.overview', (clusterId) => api.clusters.overview.query({ clusterId }));

/** Per instance: what the stored transitions say each node last reported. */
export function useReports(): Map<string, InstanceReports> {
  const instances = useInstances();
  const transitions = useTransitions();
  return new Map(
    (instances.data ?? []).map((i) => [i.instance.name, instanceReports(transitions.data ?? [], i.instance.name)]),
  );
}

/** Per node id: in maintenance now (the failover status is fresher than the node list). */
export function useMaintenance(): (n: NodeRow) => boolean {
  const status = useFailoverStatus();
  const m = new Map((status.data?.nodes ?? []).map((n) => [n.id, n.maintenance]));
  return (n) => m.get(n.id) ?? n.maintenance;
}

/** Each node's newest deployment, by node name. */
export function useLatestDeployments(): Map<string, Deployment> {
  const deployments = useDeployments();
  const latest = new Map<string, Deployment>();
  for (const d of deployments.data ?? []) if (!latest.has(d.node)) latest.set(d.node, d);
  return latest;
}
