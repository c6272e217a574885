'use client';
/**
 * ACME on the Certificates page (issue #17 item 2): the cluster's account (a CA directory and an
 * e-mail; creating it puts the http-01 answer on every node with a new revision), and the request
 * of a certificate by its names, which the dashboard orders at once and renews on its own.
 */
import { useQuery } from '@tanstack/react-query';
import { api } from '~/trpc/client';
import { useAdminForm } from '../../_components/admin-form';
import { Button, ErrorAlert, FormInput, mutedClass } from '../../_components/ui';

type AccountField = 'directoryUrl' | 'email';
type RequestField = 'name' | 'names';

/** The names typed one per line or separated by commas or spaces. */
const splitNames = (s: string) => s.split(/[\s,]+/).filter((n) => n.length > 0);

export function AcmePanel({
  clusterId,
  admin,
  onChanged,
}: {
  clusterId: string;
  admin: boolean;
  onChanged: () => void;
}) {
  const account = useQuery({
    queryKey: ['certificates.acmeAccount', clusterId],
    queryFn: () => api.certificates.acmeAccount.query({ clusterId }),
  });
  if (account.isPending) return null;
  const a = account.data;
  return (
    <div className="space-y-3" data-testid="acme-panel">
      <h3 className="text-sm font-semibold">ACME (automatic certificates)</h3>
      {a ? (
        <p className={`text-sm ${mutedClass}`} data-testid="acme-account">
          Account at <span className="font-mono">{a.directoryUrl}</span> for {a.email}. Every node answers the CA&apos;s
          http-01 challenge, so whichever holds the VIP can validate.
        </p>
      ) : (
        <p className={`text-sm ${mutedClass}`}>This cluster has no ACME account yet.</p>
      )}
      {admin && !a && <AccountForm clusterId={clusterId} onCreated={() => void account.refetch()} />}
      {admin && a && <RequestForm clusterId={clusterId} onRequested={onChanged} />}
    </div>
  );
}

function AccountForm({ clusterId, onCreated }: { clusterId: string; onCreated: () => void }) {
  const { form, busy, formError, bind, onSubmit } = useAdminForm<AccountField>({
    idPrefix: 'acme',
    send: async (f) => {
      const r = await api.certificates.createAcmeAccount.mutate({
        clusterId,
        directoryUrl: String(f.get('directoryUrl') ?? '').trim(),
        email: String(f.get('email') ?? '').trim(),
      });
      return `ACME account created${r.revision ? ` — config revision ${r.revision} created` : ''}`;
    },
    fieldErrors: (fields) => {
      const fe: Partial<Record<AccountField, string>> = {};
      for (const k of ['directoryUrl', 'email'] as const) if (fields[k]) fe[k] = fields[k];
      return fe;
    },
    refused: 'Not created',
    onSent: onCreated,
  });
  return (
    <form ref={form} onSubmit={onSubmit} aria-label="Create the ACME account" className="space-y-2">
      <ErrorAlert message={formError} />
      <div className="flex flex-wrap items-end gap-3">
        <FormInput
          {...bind('directoryUrl')}
          label="CA directory URL"
          hint="e.g. https://acme-v02.api.letsencrypt.org/directory"
          required
          className="w-96"
        />
        <FormInput {...bind('email')} label="Contact e-mail" type="email" required className="w-64" />
        <Button type="submit" tone="primary" disabled={busy}>
          {busy ? 'Registering…' : 'Create ACME account'}
        </Button>
      </div>
    </form>
  );
}

function RequestForm({ clusterId, onRequested }: { clusterId: string; onRequested: () => void }) {
  const { form, busy, formError, bind, onSubmit } = useAdminForm<RequestField>({
    idPrefix: 'acme-request',
    send: async (f) => {
      const name = String(f.get('name') ?? '').trim();
      const c = await api.certificates.requestAcme.mutate({
        clusterId,
        name,
        names: splitNames(String(f.get('names') ?? '')),
      });
      return c.lastError
        ? `Certificate ${name} requested; the order failed: ${c.lastError}`
        : `Certificate ${name} issued`;
    },
    fieldErrors: (fields) => {
      const fe: Partial<Record<RequestField, string>> = {};
      for (const [path, message] of Object.entries(fields)) {
        const k = path.split('.')[0];
        if (k === 'name' || k === 'names') fe[k] ??= message;
      }
      return fe;
    },
    refused: 'Not requested',
    onSent: onRequested,
  });
  return (
    <form ref={form} onSubmit={onSubmit} aria-label="Request an ACME certificate" className="space-y-2">
      <ErrorAlert message={formError} />
      <div className="flex flex-wrap items-end gap-3">
        <FormInput {...bind('name')} label="Certificate name" required autoComplete="off" className="w-48" />
        <FormInput
          {...bind('names')}
          label="DNS names"
          hint="Separated by commas or spaces; each must resolve to the VIP"
          required
          autoComplete="off"
          className="w-96"
        />
        <Button type="submit" tone="primary" disabled={busy}>
          {busy ? 'Ordering…' : 'Request certificate'}
        </Button>
      </div>
    </form>
  );
}
