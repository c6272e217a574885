'use client';
/**
 * An admin uploads a certificate: a name and three PEM texts. The server checks them (key matches,
 * chain order, dates) and names the refused field; the key is never shown again after upload.
 */
import { api } from '~/trpc/client';
import { useAdminForm } from '../../_components/admin-form';
import { Button, ErrorAlert, FormInput, FormTextarea } from '../../_components/ui';

type FieldName = 'name' | 'certificate' | 'key' | 'chain';
const FIELDS: FieldName[] = ['name', 'certificate', 'key', 'chain'];

/** The form's field for a server field path: `chain.1` belongs to the chain textarea. */
const formField = (path: string): FieldName | null => {
  const head = path.split('.')[0] as FieldName;
  return FIELDS.includes(head) ? head : null;
};

export function UploadCertificate({ clusterId, onUploaded }: { clusterId: string; onUploaded: () => void }) {
  const { form, busy, formError, bind, onSubmit } = useAdminForm<FieldName>({
    idPrefix: 'cert',
    send: async (f) => {
      const text = (k: FieldName) => String(f.get(k) ?? '');
      const name = text('name').trim();
      await api.certificates.upload.mutate({
        clusterId,
        name,
        certificate: text('certificate'),
        key: text('key'),
        ...(text('chain').trim() ? { chain: text('chain') } : {}),
      });
      return `Certificate ${name} uploaded`;
    },
    fieldErrors: (fields) => {
      const fe: Partial<Record<FieldName, string>> = {};
      for (const [path, message] of Object.entries(fields)) {
        const k = formField(path);
        // A chain certificate's place stays in the message ("certificate 1 of the chain").
        if (k) fe[k] ??= k === 'chain' && path !== 'chain' ? `certificate ${path.split('.')[1]}: ${message}` : message;
      }
      return fe;
    },
    refused: 'Not uploaded',
    onSent: onUploaded,
  });
  const pem = 'font-mono text-xs';

  return (
    <form ref={form} onSubmit={onSubmit} aria-labelledby="upload-certificate" className="space-y-3">
      <h3 id="upload-certificate" className="text-sm font-semibold">
        Upload a certificate
      </h3>
      <ErrorAlert message={formError} />
      <FormInput
        {...bind('name')}
        label="Name"
        hint="Lowercase letters, digits, . _ -"
        required
        autoComplete="off"
        className="w-64"
      />
      <div className="grid items-start gap-3 lg:grid-cols-3">
        <FormTextarea
          {...bind('certificate')}
          label="Certificate (PEM)"
          hint="The server's certificate only"
          required
          rows={8}
          className={pem}
        />
        <FormTextarea
          {...bind('key')}
          label="Private key (PEM)"
          hint="Not encrypted; stored sealed and never shown again"
          required
          rows={8}
          autoComplete="off"
          className={pem}
        />
        <FormTextarea
          {...bind('chain')}
          label="Chain (PEM, optional)"
          hint="Its issuer first, then that one's issuer…"
          rows={8}
          className={pem}
        />
      </div>
      <Button type="submit" tone="primary" disabled={busy}>
        {busy ? 'Uploading…' : 'Upload certificate'}
      </Button>
    </form>
  );
}
