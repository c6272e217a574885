'use client';
/**
 * "Add node over SSH": pick the node, give the host and a login, read the host key's fingerprint
 * and confirm it, then watch the install until the node is online. The page polls the job about
 * once a second while it runs (routers/bootstrap.ts says why polling).
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api, apiProblem, type ApiProblem } from '~/trpc/client';
import { Banner, Button, Field, Section, inputClass, mutedClass } from '../../../_components/ui';
import { ClusterOptions, useClusters } from '../../../_components/cluster-select';
import { HostKeyPanel, JobLog, type Probe } from './bootstrap-panels';
import { agentServerUrl } from '../../../_components/agent-url';

type AuthKind = 'key' | 'password' | 'stored';

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

  const [host, setHost] = useState('');
  const [port, setPort] = useState('22');
  const [username, setUsername] = useState('root');
  const [authKind, setAuthKind] = useState<AuthKind>('key');
  const [privateKey, setPrivateKey] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [password, setPassword] = useState('');
  const [keepKey, setKeepKey] = useState(false);
  const [prefix, setPrefix] = useState('/opt/keepwatch-agent');
  const [serverUrl, setServerUrl] = useState('');
  const [systemd, setSystemd] = useState<'auto' | 'never'>('auto');
  const [probe, setProbe] = useState<Probe | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);

  useEffect(() => setServerUrl((u) => u || agentServerUrl(window.location.origin)), []);
  useEffect(() => {
    // A stored host fills the form (a re-install of the same node).
    const h = stored.data;
    if (h) {
      setHost(h.host);
      setPort(String(h.port));
      setUsername(h.username);
      if (h.hasStoredKey) setAuthKind('stored');
    }
  }, [stored.data]);

  const job = useQuery({
    queryKey: ['bootstrap.job', jobId],
    queryFn: () => api.bootstrap.job.query({ jobId: jobId! }),
    enabled: jobId !== null,
    refetchInterval: (q) => (q.state.data?.state === 'running' || !q.state.data ? 1_000 : false),
  });

  const target = { host: host.trim(), port: Number(port), username: username.trim() };
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
            ? ({ kind: 'password', password } as const)
            : ({ kind: 'key', privateKey, ...(passphrase ? { passphrase } : {}) } as const);
      const r = await api.bootstrap.start.mutate({
        nodeId,
        target,
        auth,
        ...(probe.stored ? {} : { confirmedFingerprint: probe.fingerprint }),
        keepPrivateKey: authKind === 'key' && keepKey,
        prefix,
        serverUrl,
        systemd,
      });
      setJobId(r.jobId);
      // The secrets leave the page's state once they were used.
      setPassword('');
      setPrivateKey('');
      setPassphrase('');
    } catch (err) {
      setProblem(apiProblem(err));
    } finally {
      setBusy(false);
    }
  }

  const f = problem?.fields ?? {};
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
        <Field id="ssh-cluster" label="Cluster">
          {(p) => (
            <select
              {...p}
              className={inputClass}
              value={clusterId}
              onChange={(e) => {
                setClusterId(e.target.value);
                setNodeId('');
              }}
            >
              <ClusterOptions clusters={clusters.data} none="Choose…" />
            </select>
          )}
        </Field>
        <Field id="ssh-node" label="Node" error={f.nodeId} hint="The node of the cluster this host becomes.">
          {(p) => (
            <select
              {...p}
              className={inputClass}
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
            </select>
          )}
        </Field>
        <Field id="ssh-host" label="Host" error={f['target.host'] ?? f.host ?? f.target}>
          {(p) => (
            <input
              {...p}
              className={inputClass}
              value={host}
              onChange={(e) => {
                setHost(e.target.value);
                setProbe(null);
              }}
              placeholder="lb1.example.net or 192.0.2.11"
              autoComplete="off"
            />
          )}
        </Field>
        <Field id="ssh-port" label="Port" error={f['target.port'] ?? f.port}>
          {(p) => (
            <input
              {...p}
              className={inputClass}
              inputMode="numeric"
              value={port}
              onChange={(e) => {
                setPort(e.target.value);
                setProbe(null);
              }}
            />
          )}
        </Field>
        <Field
          id="ssh-user"
          label="User"
          error={f['target.username']}
          hint="Not root: the install runs through sudo without a password prompt."
        >
          {(p) => (
            <input
              {...p}
              className={inputClass}
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              autoComplete="off"
            />
          )}
        </Field>
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
              <Field
                id="ssh-key"
                label="Private key"
                error={f['auth.privateKey']}
                hint="OpenSSH or PEM. Used for this connection and forgotten, unless you keep it below."
              >
                {(p) => (
                  <textarea
                    {...p}
                    className={`${inputClass} h-28 w-full font-mono text-xs`}
                    value={privateKey}
                    onChange={(e) => setPrivateKey(e.target.value)}
                    spellCheck={false}
                    autoComplete="off"
                  />
                )}
              </Field>
            </div>
            <Field id="ssh-passphrase" label="Key passphrase (if any)">
              {(p) => (
                <input
                  {...p}
                  type="password"
                  className={inputClass}
                  value={passphrase}
                  onChange={(e) => setPassphrase(e.target.value)}
                  autoComplete="off"
                />
              )}
            </Field>
            <label className="flex items-center gap-2 self-end text-sm">
              <input type="checkbox" checked={keepKey} onChange={(e) => setKeepKey(e.target.checked)} />
              Keep this key for later runs (encrypted, AES-256-GCM)
            </label>
          </>
        )}
        {authKind === 'password' && (
          <Field id="ssh-password" label="Password" error={f['auth.password']} hint="Never stored.">
            {(p) => (
              <input
                {...p}
                type="password"
                className={inputClass}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                autoComplete="off"
              />
            )}
          </Field>
        )}
        <Field id="ssh-prefix" label="Install prefix" error={f.prefix}>
          {(p) => <input {...p} className={inputClass} value={prefix} onChange={(e) => setPrefix(e.target.value)} />}
        </Field>
        <Field id="ssh-server" label="Dashboard URL (as the host reaches it)" error={f.serverUrl}>
          {(p) => (
            <input {...p} className={inputClass} value={serverUrl} onChange={(e) => setServerUrl(e.target.value)} />
          )}
        </Field>
        <Field id="ssh-systemd" label="Start with">
          {(p) => (
            <select
              {...p}
              className={inputClass}
              value={systemd}
              onChange={(e) => setSystemd(e.target.value as 'auto' | 'never')}
            >
              <option value="auto">systemd when the host runs it, else supervised</option>
              <option value="never">a supervised process (no systemd unit)</option>
            </select>
          )}
        </Field>

        <div className="sm:col-span-2">
          <Button onClick={() => void getHostKey()} disabled={busy || !host || !nodeId}>
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
