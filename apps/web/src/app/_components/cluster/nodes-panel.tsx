'use client';
/** The cluster's nodes: addresses, enrollment, the newest deployment, maintenance (with its action). */
import { Badge, Button, Loading, mutedClass, Section } from '../ui';
import { DataTable } from '../table';
import { useCluster, useLatestDeployments, useMaintenance, useNodes, type Deployment, type NodeRow } from './scope';

export function NodesPanel({
  canOperate,
  onMaintenance,
}: {
  canOperate: boolean;
  onMaintenance: (n: NodeRow, enabled: boolean) => void;
}) {
  const cluster = useCluster();
  const nodes = useNodes();
  const inMaintenance = useMaintenance();
  const latest = useLatestDeployments();
  const revision = cluster.data?.revision ?? 0;
  return (
    <Section title="Nodes" id="nodes">
      {nodes.isPending && <Loading what="nodes" />}
      {nodes.data?.length === 0 && <p className={`text-sm ${mutedClass}`}>No nodes yet.</p>}
      {nodes.data && nodes.data.length > 0 && (
        <DataTable columns={['Node', 'Addresses', 'Agent', 'Config', 'Mode']} actions={canOperate && 'Actions'}>
          {nodes.data.map((n) => {
            const inMaint = inMaintenance(n);
            return (
              <tr key={n.id} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                <th scope="row" className="py-1.5 pr-3 font-medium">
                  {n.node.name}
                </th>
                <td className="py-1.5 pr-3 font-mono text-xs">{n.node.addresses.join(', ') || '—'}</td>
                <td className="py-1.5 pr-3">{n.enrolled ? 'enrolled' : <Badge tone="warn">not enrolled</Badge>}</td>
                <td className="py-1.5 pr-3">
                  <DeploymentCell d={latest.get(n.node.name)} current={revision} />
                </td>
                <td className="py-1.5 pr-3">
                  {inMaint ? (
                    <Badge tone="maintenance">maintenance</Badge>
                  ) : (
                    <span className={mutedClass}>in service</span>
                  )}
                </td>
                {canOperate && (
                  <td className="py-1.5 text-right">
                    <Button onClick={() => onMaintenance(n, !inMaint)}>
                      {inMaint ? 'End maintenance' : 'Maintenance'}
                    </Button>
                  </td>
                )}
              </tr>
            );
          })}
        </DataTable>
      )}
    </Section>
  );
}

function DeploymentCell({ d, current }: { d: Deployment | undefined; current: number }) {
  if (!d) return <span className={mutedClass}>no revision yet</span>;
  if (d.status === 'failed')
    return (
      <div>
        <Badge tone="fault">failed</Badge> rev {d.revision}
        {d.message ? <span className="ml-1 text-xs text-red-700 dark:text-red-300">{d.message}</span> : null}
        {d.nginxOutput && (
          <details className="mt-1 text-xs">
            <summary className="cursor-pointer">nginx output</summary>
            <pre
              data-testid={`nginx-output-${d.node}`}
              className="mt-1 max-w-xl overflow-auto whitespace-pre-wrap rounded bg-red-50 p-2 font-mono text-red-950 dark:bg-red-950 dark:text-red-100"
            >
              {d.nginxOutput}
            </pre>
          </details>
        )}
      </div>
    );
  const tone = d.status === 'applied' && d.revision === current ? 'master' : 'warn';
  return (
    <span>
      <Badge tone={tone}>{d.status}</Badge> rev {d.revision}
      {d.revision !== current && (
        <span className="ml-1 text-xs text-amber-700 dark:text-amber-300">(current is {current})</span>
      )}
    </span>
  );
}
