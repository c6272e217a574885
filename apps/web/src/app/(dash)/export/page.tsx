'use client';
/**
 * Export to keepalived: a cluster as the keepalived.conf and nginx config of each node — what a
 * host needs to run without Keepwatch (real keepalived -t and nginx -t accept them), with
 * everything keepalived cannot express listed.
 */
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { Suspense, useState } from 'react';
import { api, apiProblem } from '~/trpc/client';
import { ClusterOptions, useClusters } from '../../_components/cluster-select';
import { usePermission } from '../../_components/session';
import { useToast } from '../../_components/toast';
import { Banner, Button, Empty, FormSelect, LoadError, Loading, Section, mutedClass } from '../../_components/ui';

export default function ExportPage() {
  return (
    <Suspense fallback={<Loading what="the export" />}>
      <ExportView />
    </Suspense>
  );
}

function ExportView() {
  const { me, allowed: admin } = usePermission('edit');
  const params = useSearchParams();
  const [clusterId, setClusterId] = useState(params.get('cluster') ?? '');
  const clusters = useClusters();
  const out = useQuery({
    queryKey: ['transfer.export', clusterId],
    queryFn: () => api.transfer.export.query({ clusterId }),
    enabled: admin && clusterId !== '',
  });

  if (me.data && !admin)
    return (
      <Banner tone="info">
        Exporting is for admins (the files carry the VRRP password); you are signed in as {me.data.role}.
      </Banner>
    );
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Export to keepalived</h1>
      <FormSelect
        id="export-cluster"
        label="Cluster"
        className="w-64"
        value={clusterId}
        onChange={(e) => setClusterId(e.target.value)}
      >
        <ClusterOptions clusters={clusters.data} none="Choose a cluster…" />
      </FormSelect>
      {clusterId === '' ? (
        <Empty>Choose a cluster to see its keepalived.conf and nginx config per node.</Empty>
      ) : out.isPending ? (
        <Loading what="the export" />
      ) : out.isError ? (
        <LoadError what="the export" message={apiProblem(out.error).message} onRetry={() => void out.refetch()} />
      ) : (
        out.data.nodes.map((n) => (
          <Section key={n.node} title={`Node ${n.node}`} id={`export-${n.node}`}>
            {n.omitted.length > 0 && (
              <Banner tone="warn">
                keepalived cannot express: {n.omitted.map((o) => `${o.path} (${o.reason})`).join('; ')}
              </Banner>
            )}
            <FileBlock title="keepalived.conf" name={`keepalived-${n.node}.conf`} text={n.keepalived} />
            <FileBlock title="nginx config (http level)" name={`nginx-${n.node}.conf`} text={n.nginx} />
          </Section>
        ))
      )}
    </div>
  );
}

function FileBlock({ title, name, text }: { title: string; name: string; text: string }) {
  const toast = useToast();
  return (
    <div className="mt-3">
      <div className="flex items-center justify-between gap-2">
        <h3 className="text-sm font-medium">{title}</h3>
        <div className="flex gap-2">
          <Button
            onClick={() =>
              void navigator.clipboard.writeText(text).then(
                () => toast.ok(`${name} copied`),
                () => toast.error('The browser did not allow copying; select the text instead'),
              )
            }
          >
            Copy {name}
          </Button>
          <a
            className="inline-flex items-center rounded border border-slate-300 px-2.5 py-1 text-sm font-medium dark:border-slate-600"
            href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`}
            download={name}
          >
            Download {name}
          </a>
        </div>
      </div>
      <pre
        className={`mt-1 max-h-96 overflow-auto rounded bg-slate-100 p-2 text-xs dark:bg-slate-800 ${mutedClass}`}
        aria-label={`${title} of ${name}`}
        tabIndex={0}
      >
        {text}
      </pre>
    </div>
  );
}
