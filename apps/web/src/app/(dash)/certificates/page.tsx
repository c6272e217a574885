'use client';
/**
 * A cluster's TLS certificates: their names and expiry (a warning from 21 days before), uploaded,
 * replaced and deleted by admins, or requested from an ACME CA and renewed by the dashboard (the
 * last order's error shown with the CA's words). The keys never come back from the server.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { Suspense, useState } from 'react';
import { api, apiProblem, type RouterOutputs } from '~/trpc/client';
import { ClusterOptions, useClusters } from '../../_components/cluster-select';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { usePermission } from '../../_components/session';
import { DataTable } from '../../_components/table';
import { useToast } from '../../_components/toast';
import {
  Badge,
  Button,
  Empty,
  FormSelect,
  Loading,
  QueryStatus,
  Section,
  mutedClass,
  useNow,
} from '../../_components/ui';
import { expiryStatus } from '../../_lib/certificate-expiry';
import { AcmePanel } from './acme-panel';
import { UploadCertificate } from './upload-certificate';

type Certificate = RouterOutputs['certificates']['list'][number];

export default function CertificatesPage() {
  return (
    <Suspense fallback={<Loading what="the certificates" />}>
      <CertificatesView />
    </Suspense>
  );
}

function CertificatesView() {
  const { allowed: admin } = usePermission('edit');
  const params = useSearchParams();
  const clusters = useClusters();
  const [chosen, setChosen] = useState(params.get('cluster') ?? '');
  // Until one is chosen, the first cluster (most installations have one).
  const clusterId = chosen || clusters.data?.[0]?.id || '';
  const now = useNow(60_000);
  const qc = useQueryClient();
  const toast = useToast();
  const certs = useQuery({
    queryKey: ['certificates.list', clusterId],
    queryFn: () => api.certificates.list.query({ clusterId }),
    enabled: clusterId !== '',
  });
  const [deleting, setDeleting] = useState<Certificate | null>(null);
  const [replacing, setReplacing] = useState<Certificate | null>(null);
  const [renewing, setRenewing] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = () => void qc.invalidateQueries({ queryKey: ['certificates.list', clusterId] });

  async function renew(c: Certificate) {
    setRenewing(c.id);
    try {
      const r = await api.certificates.renewNow.mutate({ id: c.id });
      if (r.lastError) toast.error(`${c.name} not renewed: ${r.lastError}`);
      else toast.ok(`Certificate ${c.name} renewed`);
    } catch (e) {
      toast.error(`${c.name} not renewed: ${apiProblem(e).message}`);
    } finally {
      setRenewing(null);
      refresh();
    }
  }

  async function remove(c: Certificate) {
    setBusy(true);
    try {
      await api.certificates.delete.mutate({ id: c.id });
      toast.ok(`Certificate ${c.name} deleted`);
    } catch (e) {
      toast.error(`${c.name} not deleted: ${apiProblem(e).message}`);
    } finally {
      setBusy(false);
      setDeleting(null);
      refresh();
    }
  }

  return (
    <Section title="Certificates" id="certificates">
      <div className="space-y-6">
        <FormSelect
          id="certificates-cluster"
          label="Cluster"
          className="w-64"
          value={clusterId}
          onChange={(e) => setChosen(e.target.value)}
        >
          <ClusterOptions clusters={clusters.data} />
        </FormSelect>
        <QueryStatus query={certs} what="the certificates" />
        {certs.data?.length === 0 && <Empty>No certificates in this cluster.</Empty>}
        {certs.data && certs.data.length > 0 && (
          <DataTable
            className="w-full min-w-[40rem] text-left text-sm"
            label="Certificates"
            columns={['Name', 'For', 'Source', 'Issuer', 'Expires', 'Days left']}
            actions={admin ? 'Actions' : false}
          >
            {certs.data.map((c) => {
              // An ACME certificate has no dates until its first order succeeds.
              const s = c.notAfter
                ? expiryStatus(c.notAfter, now)
                : { tone: c.lastError ? 'fault' : 'unknown', label: c.lastError ? 'order failed' : 'not issued yet' };
              return (
                <tr key={c.id} className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800">
                  <th scope="row" className="py-1.5 pr-3 font-medium" title={`SHA-256 ${c.fingerprintSha256}`}>
                    {c.name}
                  </th>
                  <td className="py-1.5 pr-3 break-all">{c.names.join(', ')}</td>
                  <td className="py-1.5 pr-3">{c.source === 'acme' ? 'ACME' : 'upload'}</td>
                  <td className={`py-1.5 pr-3 ${mutedClass}`}>
                    {c.issuer}
                    {c.lastError && (
                      <p className="text-xs text-red-700 dark:text-red-300" data-testid={`acme-error-${c.name}`}>
                        Last order failed{c.lastAttemptAt ? ` ${c.lastAttemptAt.toISOString().slice(0, 16)}Z` : ''}:{' '}
                        {c.lastError}
                      </p>
                    )}
                  </td>
                  <td className="py-1.5 pr-3 whitespace-nowrap" title={c.notAfter?.toISOString()}>
                    {c.notAfter?.toISOString().slice(0, 10) ?? '—'}
                  </td>
                  <td className="py-1.5 pr-3 whitespace-nowrap">
                    <Badge tone={s.tone}>{s.label}</Badge>
                  </td>
                  {admin && (
                    <td className="py-1.5">
                      <div className="flex justify-end gap-2">
                        {c.source === 'acme' ? (
                          <Button
                            onClick={() => void renew(c)}
                            disabled={renewing !== null}
                            aria-label={`Renew certificate ${c.name} now`}
                          >
                            {renewing === c.id ? 'Renewing…' : 'Renew now'}
                          </Button>
                        ) : (
                          <Button onClick={() => setReplacing(c)} aria-label={`Replace certificate ${c.name}`}>
                            Replace
                          </Button>
                        )}
                        <Button
                          tone="danger"
                          onClick={() => setDeleting(c)}
                          aria-label={`Delete certificate ${c.name}`}
                        >
                          Delete
                        </Button>
                      </div>
                    </td>
                  )}
                </tr>
              );
            })}
          </DataTable>
        )}
        {admin && replacing && (
          <UploadCertificate
            key={replacing.id}
            clusterId={clusterId}
            replacing={replacing}
            onUploaded={() => {
              setReplacing(null);
              refresh();
            }}
          />
        )}
        {admin && clusterId !== '' && <UploadCertificate clusterId={clusterId} onUploaded={refresh} />}
        {clusterId !== '' && <AcmePanel key={clusterId} clusterId={clusterId} admin={admin} onChanged={refresh} />}
      </div>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete certificate ${deleting?.name ?? ''}?`}
        confirmLabel="Delete certificate"
        danger
        busy={busy}
        onConfirm={() => deleting && void remove(deleting)}
        onCancel={() => setDeleting(null)}
      >
        <p>Its certificate and sealed key are removed from the dashboard; uploading it again needs the key.</p>
      </ConfirmDialog>
    </Section>
  );
}
