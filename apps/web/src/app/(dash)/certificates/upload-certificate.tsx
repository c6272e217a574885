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

/**
 * The upload form; with `replacing`, new content for that certificate under its name (a renewed
 * certificate from elsewhere): a new revision takes it to the nodes.
 */
export function UploadCertificate({
  clusterId,
  onUploaded,
  replacing,
}: {
  clusterId: string;
  onUploaded: () => void;
  replacing?: { id: string; name: string };
}) {
  const { form, busy, formError, bind, onSubmit } = useAdminForm<FieldName>({
    idPrefix: replacing ? 'replace' : 'cert',
    send: async (f) => {
      const text = (k: FieldName) => String(f.get(k) ?? '');
      const pems = {
        certificate: text('certificate'),
        key: text('key'),
        ...(text('chain').trim() ? { chain: text('chain') } : {}),
      };
      if (replacing) {
        const r = await api.certificates.replace.mutate({ id: replacing.id, ...pems });
        return `Certificate ${replacing.name} replaced${r.revision ? ` — config revision ${r.revision} created` : ''}`;
      }
      const name = text('name').trim();
      await api.certificates.upload.mutate({ clusterId, name, ...pems });
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
    refused: replacing ? 'Not replaced' : 'Not uploaded',
    onSent: onUploaded,
  });
  const pem = 'font-mono text-xs';
  // Not `replace-certificate`: that is the certificate field's id in the replace form.
  const headingId = replacing ? 'replace-certificate-title' : 'upload-certificate';

  return (
    <form ref={form} onSubmit={onSubmit} aria-labelledby={headingId} className="space-y-3">
      <h3 id={headingId} className="text-sm font-semibold">
        {replacing ? `Replace certificate ${replacing.name}` : 'Upload a certificate'}
      </h3>
      <ErrorAlert message={formError} />
      {!replacing && (
        <FormInput
          {...bind('name')}
          label="Name"
          hint="Lowercase letters, digits, . _ -"
          required
          autoComplete="off"
          className="w-64"
        />
      )}
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
        {busy ? 'Uploading…' : replacing ? 'Replace certificate' : 'Upload certificate'}
      </Button>
    </form>
  );
}
