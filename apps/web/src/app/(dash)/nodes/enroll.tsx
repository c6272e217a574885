'use client';
/** Enrolling a node: the form (cluster, name, addresses, interfaces) and the one-time token panel. */
import { useState, type FormEvent } from 'react';
import { api, apiProblem } from '~/trpc/client';
import { Button, ErrorAlert, FormInput, FormSelect, mutedClass } from '../../_components/ui';
import { ClusterOptions } from '../../_components/cluster-select';
import { useToast } from '../../_components/toast';
import { agentServerUrl } from '../../_components/agent-url';

/** The agent's config path in the shown commands (the packaged installer uses the same). */
const CONFIG_PATH = '/etc/keepwatch/agent.json';

export interface IssuedToken {
  node: string;
  cluster: string;
  token: string;
  expiresAt: Date;
  /** The dashboard's own TLS key pin, when it serves TLS itself. */
  dashboardPin?: string | null;
}

function CopyLine({ label, text, testId }: { label: string; text: string; testId: string }) {
  const toast = useToast();
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      toast.ok(`${label} copied`);
    } catch {
      // No clipboard (a plain-http origin is not a secure context): the text is selectable.
      toast.error('The browser refused the clipboard: select the text and copy it by hand');
    }
  }
  return (
    <div className="space-y-1">
      <div className="text-xs font-semibold">{label}</div>
      <div className="flex items-start gap-2">
        <code
          data-testid={testId}
          className="block min-w-0 flex-1 rounded bg-slate-100 p-2 font-mono text-xs break-all select-all dark:bg-slate-800"
        >
          {text}
        </code>
        <Button onClick={() => void copy()} aria-label={`Copy ${label.toLowerCase()}`}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
    </div>
  );
}

/** The token and the lines to run on the host. Shown once: only its hash is stored. */
export function TokenPanel({ issued, onDone }: { issued: IssuedToken; onDone: () => void }) {
  const server = agentServerUrl(window.location.origin);
  const config = `mkdir -p /etc/keepwatch && echo '${JSON.stringify({ node: issued.node })}' > ${CONFIG_PATH}`;
  const pin = issued.dashboardPin && server.startsWith('wss://') ? ` --pin ${issued.dashboardPin}` : '';
  const run = `keepwatch-agent run --config ${CONFIG_PATH} --server ${server} --token ${issued.token}${pin}`;
  return (
    <section
      aria-labelledby="token-title"
      className="space-y-3 rounded-lg border border-emerald-400 bg-emerald-50 p-4 dark:border-emerald-700 dark:bg-emerald-950"
    >
      <h2 id="token-title" className="text-base font-semibold">
        Enrollment token for {issued.node} ({issued.cluster})
      </h2>
      <p className="text-sm">
        This token is shown <strong>once</strong> and works once, until {issued.expiresAt.toLocaleString()}. On the
        host, as root, run:
      </p>
      <CopyLine label="Agent config" text={config} testId="enroll-config" />
      <CopyLine label="Command line" text={run} testId="enroll-command" />
      <p className={`text-xs ${mutedClass}`}>
        The agent exchanges the token for its own credential at its first connection; the node then shows as online
        here.
      </p>
      <Button onClick={onDone}>Done</Button>
    </section>
  );
}

const split = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** Puts a refused field's message beside it: `node.addresses.1` → the addresses field. */
function fieldErrors(
  fields: Record<string, string>,
): Record<'clusterId' | 'name' | 'addresses' | 'interfaces', string | undefined> {
  const find = (prefix: string) => {
    const k = Object.keys(fields).find((f) => f === prefix || f.startsWith(`${prefix}.`));
    if (!k) return undefined;
    const item = /\.(\d+)$/.exec(k);
    return item ? `entry ${Number(item[1]) + 1}: ${fields[k]}` : fields[k];
  };
  return {
    clusterId: find('clusterId'),
    name: find('node.name'),
    addresses: find('node.addresses'),
    interfaces: find('node.interfaces'),
  };
}

export function EnrollForm({
  clusters,
  onEnrolled,
  onCancel,
}: {
  clusters: { id: string; name: string }[];
  onEnrolled: (t: IssuedToken) => void;
  onCancel: () => void;
}) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<ReturnType<typeof fieldErrors>>({
    clusterId: undefined,
    name: undefined,
    addresses: undefined,
    interfaces: undefined,
  });
  const [formError, setFormError] = useState<string | null>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const clusterId = String(f.get('clusterId') ?? '');
    const name = String(f.get('name') ?? '').trim();
    setBusy(true);
    setFormError(null);
    try {
      const r = await api.nodes.enroll.mutate({
        clusterId,
        node: {
          name,
          addresses: split(String(f.get('addresses') ?? '')),
          interfaces: split(String(f.get('interfaces') ?? '')),
        },
      });
      setErrors({ clusterId: undefined, name: undefined, addresses: undefined, interfaces: undefined });
      toast.ok(`Node ${name} added${r.revision !== null ? ` — config revision ${r.revision}` : ''}`);
      onEnrolled({
        node: name,
        cluster: clusters.find((c) => c.id === clusterId)?.name ?? '',
        token: r.token,
        expiresAt: r.expiresAt,
        dashboardPin: r.dashboardPin,
      });
    } catch (err) {
      const p = apiProblem(err);
      const fe = fieldErrors(p.fields);
      setErrors(fe);
      // A refusal that names no field of this form (a cross-field rule of the spec) goes on top.
      if (!Object.values(fe).some(Boolean)) setFormError(p.message);
      else setFormError('Not added: fix the marked fields.');
    } finally {
      setBusy(false);
    }
  }

  /** A field's id, name and error: `name` is the form data key and (see fieldErrors) the refused field. */
  const bind = (name: keyof typeof errors) => ({ id: `enroll-${name}`, name, error: errors[name] });

  return (
    <form
      onSubmit={(e) => void submit(e)}
      aria-labelledby="enroll-title"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900"
    >
      <h2 id="enroll-title" className="text-base font-semibold">
        Enroll a node
      </h2>
      <ErrorAlert message={formError} />
      <div className="grid gap-3 sm:grid-cols-2">
        <FormSelect {...bind('clusterId')} label="Cluster" required>
          <ClusterOptions clusters={clusters} />
        </FormSelect>
        <FormInput
          {...bind('name')}
          label="Node name"
          hint="As the agent calls itself, e.g. lb3"
          required
          autoComplete="off"
        />
        <FormInput
          {...bind('addresses')}
          label="Addresses"
          hint="The node's own IPv4/IPv6 addresses, comma separated"
          autoComplete="off"
        />
        <FormInput
          {...bind('interfaces')}
          label="Interfaces"
          hint="Network interfaces the cluster may use, comma separated"
          defaultValue="eth0"
          required
          autoComplete="off"
        />
      </div>
      <div className="flex gap-2">
        <Button type="submit" tone="primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add node and issue token'}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
