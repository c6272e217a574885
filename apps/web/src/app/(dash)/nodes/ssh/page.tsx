'use client';
/**
 * "Add node over SSH": pick the node, give the host and a login, read the host key's fingerprint
 * and confirm it, then watch the install until the node is online. The page polls the job about
 * once a second while it runs (routers/bootstrap.ts says why polling).
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { api, apiProblem, type ApiProblem } from '~/trpc/client';
import { Banner, Button, FormInput, FormSelect, FormTextarea, Section, mutedClass } from '../../../_components/ui';
import { ClusterOptions, useClusters } from '../../../_components/cluster-select';
import { HostKeyPanel, JobLog, type Probe } from './bootstrap-panels';
import { agentServerUrl } from '../../../_components/agent-url';

type AuthKind = 'key' | 'password' | 'stored';

/** The form's text fields, each with the paths the server may name its error by (the first found is shown). */
const ERROR_AT = {
  host: ['target.host', 'host', 'target'],
  port: ['target.port', 'port'],
  username: ['target.username'],
  privateKey: ['auth.privateKey'],
  passphrase: [],
  password: ['auth.password'],
  prefix: ['prefix'],
  serverUrl: ['serverUrl'],
} as const satisfies Record<string, readonly string[]>;
type TextKey = keyof typeof ERROR_AT;

const START: Record<TextKey, string> = {
  host: '',
  port: '22',
  username: 'root',
  privateKey: '',
  passphrase: '',
  password: '',
  prefix: '/opt/keepwatch-agent',
  serverUrl: '',
};

export default function SshBootstrapPage() {
  const clusters = useClusters();
  const [clusterId, setClusterId] = useState('');
  const nodes = useQuery({
    queryKey: ['nodes.list', clusterId],
    queryFn: () => api.nodes.list.query({ clusterId }),
    enabled: clusterId !== '',
  });
  const [nodeId, setNodeId] = useState('');
  const stored = useQuery({
    queryKey: ['bootstrap.host', nodeId],
    queryFn: () => api.bootstrap.host.query({ nodeId }),
    enabled: nodeId !== '',
  });

  const [text, setText] = useState(START);
  const [authKind, setAuthKind] = useState<AuthKind>('key');
  const [keepKey, setKeepKey] = useState(false);
  const [systemd, setSystemd] = useState<'auto' | 'never'>('auto');
  const [probe, setProbe] = useState<Probe | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);

  const edit = (patch: Partial<Record<TextKey, string>>) => setText((t) => ({ ...t, ...patch }));
  useEffect(() => setText((t) => (t.serverUrl ? t : { ...t, serverUrl: agentServerUrl(window.location.origin) })), []);
  useEffect(() => {
    // A stored host fills the form (a re-install of the same node).
    const h = stored.data;
    if (h) {
      edit({ host: h.host, port: String(h.port), username: h.username });
      if (h.hasStoredKey) setAuthKind('stored');
    }
  }, [stored.data]);

  const job = useQuery({
    queryKey: ['bootstrap.job', jobId],
    queryFn: () => api.bootstrap.job.query({ jobId: jobId! }),
    enabled: jobId !== null,
    refetchInterval: (q) => (q.state.data?.state === 'running' || !q.state.data ? 1_000 : false),
  });

  const target = { host: text.host.trim(), port: Number(text.port), username: text.username.trim() };
  const mismatch = probe?.matchesStored === false;

  async function getHostKey() {
    setProblem(null);
    setProbe(null);
    setConfirmed(false);
    setBusy(true);
    try {
      setProbe(
        await api.bootstrap.probe.mutate({ host: target.host, port: target.port, ...(nodeId ? { nodeId } : {}) }),
      );
    } catch (e) {
      setProblem(apiProblem(e));
    } finally {
      setBusy(false);
    }
  }

  async function forget() {
    if (
      !window.confirm(
        "Forget the confirmed host key of this node? Only do this when you know why the host's key changed.",
      )
    )
      return;
    await api.bootstrap.forgetHostKey.mutate({ nodeId });
    await stored.refetch();
    setProbe(null);
  }

  async function install(e: FormEvent) {
    e.preventDefault();
    if (!probe) return;
    setProblem(null);
    setBusy(true);
    try {
      const auth =
        authKind === 'stored'
          ? ({ kind: 'stored' } as const)
          : authKind === 'password'
            ? ({ kind: 'password', password: text.password } as const)
            : ({
                kind: 'key',
                privateKey: text.privateKey,
                ...(text.passphrase ? { passphrase: text.passphrase } : {}),
              } as const);
      const r = await api.bootstrap.start.mutate({
        nodeId,
        target,
        auth,
        ...(probe.stored ? {} : { confirmedFingerprint: probe.fingerprint }),
        keepPrivateKey: authKind === 'key' && keepKey,
        prefix: text.prefix,
        serverUrl: text.serverUrl,
        systemd,
      });
      setJobId(r.jobId);
      // The secrets leave the page's state once they were used.
      edit({ password: '', privateKey: '', passphrase: '' });
    } catch (err) {
      setProblem(apiProblem(err));
    } finally {
      setBusy(false);
    }
  }

  const f = problem?.fields ?? {};
  /** A text field's id, value, change and error; a new host or port makes the host key read before void. */
  const bind = (k: TextKey) => ({
    id: `ssh-${k}`,
    value: text[k],
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      edit({ [k]: e.target.value });
      if (k === 'host' || k === 'port') setProbe(null);
    },
    error: ERROR_AT[k].map((path) => f[path]).find(Boolean),
  });
  return (
    <Section title="Add node over SSH" id="ssh-bootstrap">
      <p className={`text-sm ${mutedClass}`}>
        The dashboard logs in to the host, copies the agent package, writes its config with a fresh enrollment token and
        starts it (systemd when the host runs it, otherwise a supervised process). The host key is checked first:
        confirm its fingerprint once, and every later connection must present the same key.
      </p>
      {problem && (
        <Banner tone="error" role="alert">
          <span data-testid="ssh-problem" className="whitespace-pre-wrap">
            {problem.message}
          </span>
        </Banner>
      )}
      <form onSubmit={(e) => void install(e)} className="mt-3 grid max-w-3xl gap-3 sm:grid-cols-2">
        <FormSelect
          id="ssh-cluster"
          label="Cluster"
          value={clusterId}
          onChange={(e) => {
            setClusterId(e.target.value);
            setNodeId('');
          }}
        >
          <ClusterOptions clusters={clusters.data} none="Choose…" />
        </FormSelect>
        <FormSelect
          id="ssh-node"
          label="Node"
          error={f.nodeId}
          hint="The node of the cluster this host becomes."
          value={nodeId}
          onChange={(e) => {
            setNodeId(e.target.value);
            setProbe(null);
          }}
          disabled={!clusterId}
        >
          <option value="">Choose…</option>
          {nodes.data?.map((n) => (
            <option key={n.id} value={n.id}>
              {n.node.name}
              {n.enrolled ? ' (enrolled)' : ''}
            </option>
          ))}
        </FormSelect>
        <FormInput {...bind('host')} label="Host" placeholder="lb1.example.net or 192.0.2.11" autoComplete="off" />
        <FormInput {...bind('port')} label="Port" inputMode="numeric" />
        <FormInput
          {...bind('username')}
          label="User"
          hint="Not root: the install runs through sudo without a password prompt."
          autoComplete="off"
        />
        <fieldset className="flex flex-col gap-1">
          <legend className="text-sm font-medium">Log in with</legend>
          {(['key', 'password', ...(stored.data?.hasStoredKey ? ['stored'] : [])] as AuthKind[]).map((k) => (
            <label key={k} className="flex items-center gap-2 text-sm">
              <input type="radio" name="auth" value={k} checked={authKind === k} onChange={() => setAuthKind(k)} />
              {k === 'key' ? 'Private key' : k === 'password' ? 'Password' : 'The stored key (encrypted)'}
            </label>
          ))}
        </fieldset>
        {authKind === 'key' && (
          <>
            <div className="sm:col-span-2">
              <FormTextarea
                {...bind('privateKey')}
                label="Private key"
                hint="OpenSSH or PEM. Used for this connection and forgotten, unless you keep it below."
                className="h-28 w-full font-mono text-xs"
                autoComplete="off"
              />
            </div>
            <FormInput {...bind('passphrase')} label="Key passphrase (if any)" type="password" autoComplete="off" />
            <label className="flex items-center gap-2 self-end text-sm">
              <input type="checkbox" checked={keepKey} onChange={(e) => setKeepKey(e.target.checked)} />
              Keep this key for later runs (encrypted, AES-256-GCM)
            </label>
          </>
        )}
        {authKind === 'password' && (
          <FormInput {...bind('password')} label="Password" hint="Never stored." type="password" autoComplete="off" />
        )}
        <FormInput {...bind('prefix')} label="Install prefix" />
        <FormInput {...bind('serverUrl')} label="Dashboard URL (as the host reaches it)" />
        <FormSelect
          id="ssh-systemd"
          label="Start with"
          value={systemd}
          onChange={(e) => setSystemd(e.target.value as 'auto' | 'never')}
        >
          <option value="auto">systemd when the host runs it, else supervised</option>
          <option value="never">a supervised process (no systemd unit)</option>
        </FormSelect>

        <div className="sm:col-span-2">
          <Button onClick={() => void getHostKey()} disabled={busy || !text.host || !nodeId}>
            Get host key
          </Button>
        </div>

        {probe && (
          <HostKeyPanel
            probe={probe}
            confirmed={confirmed}
            onConfirm={setConfirmed}
            onForget={() => void forget()}
            installDisabled={busy || mismatch || (!probe.stored && !confirmed) || job.data?.state === 'running'}
          />
        )}
      </form>

      {job.data && <JobLog job={job.data} />}
    </Section>
  );
}
