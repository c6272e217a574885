'use client';
/**
 * Import from keepalived: paste each load balancer's keepalived.conf (and the nginx config with
 * the upstreams), preview the cluster it makes with every keyword Keepwatch does not honour named
 * by file and line, then create it. Nothing is stored until "Create cluster".
 */
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, apiProblem, type RouterOutputs } from '~/trpc/client';
import { usePermission } from '../../_components/session';
import { useToast } from '../../_components/toast';
import { Banner, Button, ErrorAlert, FormInput, FormTextarea, Section, mutedClass } from '../../_components/ui';
import { TableHead } from '../../_components/table';

type Preview = RouterOutputs['transfer']['previewImport'];
type HostFile = { file: string; text: string };

const CONFIG_TEXT = 'h-48 font-mono text-xs';

export default function ImportPage() {
  const { me, allowed } = usePermission('edit');
  const router = useRouter();
  const toast = useToast();
  const [clusterName, setClusterName] = useState('imported');
  const [hosts, setHosts] = useState<HostFile[]>([
    { file: 'lb1.conf', text: '' },
    { file: 'lb2.conf', text: '' },
  ]);
  const [nginx, setNginx] = useState<HostFile>({ file: 'lb.conf', text: '' });
  const [preview, setPreview] = useState<Preview | null>(null);

  const previewing = useMutation({
    mutationFn: () =>
      api.transfer.previewImport.mutate({
        clusterName,
        keepalived: hosts.filter((h) => h.text.trim() !== ''),
        ...(nginx.text.trim() !== '' ? { nginx } : {}),
      }),
    onSuccess: setPreview,
  });
  const creating = useMutation({
    mutationFn: async () => {
      if (!preview?.ok) throw new Error('preview first');
      return api.clusters.import.mutate({ spec: preview.spec });
    },
    onSuccess: (c) => {
      toast.ok(`Cluster ${clusterName} created`);
      router.push(`/clusters/${c.id}`);
    },
  });
  const problem = previewing.error ? apiProblem(previewing.error) : null;
  const createProblem = creating.error ? apiProblem(creating.error) : null;

  if (me.data && !allowed) {
    return <Banner tone="info">Importing a cluster is for admins; you are signed in as {me.data.role}.</Banner>;
  }

  /** A field's id and error by its path in the server's input (`keepalived.0.text`). */
  const at = (path: string) => ({ id: path.replaceAll('.', '-'), error: problem?.fields[path] });
  const edit = (i: number, patch: Partial<HostFile>) => {
    setHosts((hs) => hs.map((h, j) => (j === i ? { ...h, ...patch } : h)));
    setPreview(null);
  };

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Import from keepalived</h1>
      <p className={`text-sm ${mutedClass}`}>
        Paste the keepalived.conf of each load balancer (its <code>router_id</code> names the node) and, if you have
        one, the nginx config with the upstreams. Keepwatch shows what it would create, and names every keyword it does
        not honour, before anything is stored.
      </p>
      <Section title="Files" id="import-files">
        <form
          className="space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            previewing.mutate();
          }}
        >
          <FormInput
            {...at('clusterName')}
            label="Cluster name"
            className="w-64"
            value={clusterName}
            onChange={(e) => setClusterName(e.target.value)}
          />
          {hosts.map((h, i) => (
            <fieldset key={i} className="space-y-1 rounded border border-slate-200 p-2 dark:border-slate-700">
              <legend className="px-1 text-sm font-medium">Load balancer {i + 1}</legend>
              <FormInput
                {...at(`keepalived.${i}.file`)}
                label="File name"
                className="w-64"
                value={h.file}
                onChange={(e) => edit(i, { file: e.target.value })}
              />
              <FormTextarea
                {...at(`keepalived.${i}.text`)}
                label={`keepalived.conf of load balancer ${i + 1}`}
                className={CONFIG_TEXT}
                value={h.text}
                onChange={(e) => edit(i, { text: e.target.value })}
              />
              {hosts.length > 1 && (
                <Button tone="ghost" onClick={() => setHosts((hs) => hs.filter((_, j) => j !== i))}>
                  Remove load balancer {i + 1}
                </Button>
              )}
            </fieldset>
          ))}
          <Button
            onClick={() => setHosts((hs) => [...hs, { file: `lb${hs.length + 1}.conf`, text: '' }])}
            disabled={hosts.length >= 16}
          >
            Add a load balancer
          </Button>
          <FormTextarea
            {...at('nginx.text')}
            label="nginx config with the upstreams (optional)"
            className={CONFIG_TEXT}
            value={nginx.text}
            onChange={(e) => {
              setNginx({ ...nginx, text: e.target.value });
              setPreview(null);
            }}
          />
          {problem && Object.keys(problem.fields).length === 0 && <ErrorAlert message={problem.message} />}
          <Button tone="primary" type="submit" disabled={previewing.isPending}>
            {previewing.isPending ? 'Reading…' : 'Preview'}
          </Button>
        </form>
      </Section>

      {preview && <PreviewView preview={preview} />}

      {preview?.ok && (
        <div className="flex items-center gap-3">
          <Button tone="primary" onClick={() => creating.mutate()} disabled={creating.isPending}>
            {creating.isPending ? 'Creating…' : `Create cluster ${preview.spec.name}`}
          </Button>
          <ErrorAlert message={createProblem?.message} />
        </div>
      )}
    </div>
  );
}

function PreviewView({ preview }: { preview: Preview }) {
  return (
    <Section title="Preview" id="import-preview">
      <div className="space-y-3 text-sm" data-testid="import-preview">
        {!preview.ok ? (
          <Banner tone="error" role="alert">
            <p className="font-medium">The files cannot be imported:</p>
            <ul className="list-disc pl-5">
              {preview.errors.map((e, i) => (
                <li key={i}>
                  {e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : ''}
                  {e.message}
                </li>
              ))}
            </ul>
          </Banner>
        ) : (
          <>
            <Banner tone="ok">
              Cluster <strong>{preview.spec.name}</strong>: {preview.spec.nodes.length} node(s),{' '}
              {preview.spec.vrrpInstances.length} VRRP instance(s), {preview.spec.checks.length} check(s),{' '}
              {preview.spec.pools.length} pool(s), {preview.spec.virtualServers.length} virtual server(s).
            </Banner>
            <table className="w-full text-left">
              <caption className="sr-only">VRRP instances to create</caption>
              <TableHead
                columns={['Instance', 'VRID', 'Version / interval', 'Members (priority)', 'VIPs']}
                look="plain"
              />
              <tbody>
                {preview.spec.vrrpInstances.map((i) => (
                  <tr key={i.name}>
                    <td className="pr-3">{i.name}</td>
                    <td className="pr-3">{i.vrid}</td>
                    <td className="pr-3">
                      v{i.version} / {i.advertIntervalMs / 1000} s
                    </td>
                    <td className="pr-3">{i.members.map((m) => `${m.node} (${m.priority})`).join(', ')}</td>
                    <td>{i.vips.map((v) => v.address).join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {preview.spec.pools.map((p) => (
              <p key={p.name}>
                Pool <strong>{p.name}</strong>: {p.servers.map((s) => `${s.address}:${s.port}`).join(', ')}
              </p>
            ))}
          </>
        )}
        {preview.unsupported.length > 0 && (
          <div>
            <h3 className="font-medium">Not honoured by Keepwatch ({preview.unsupported.length})</h3>
            <p className={mutedClass}>
              These keywords are read and left out; check that the cluster does not depend on them.
            </p>
            <table className="w-full text-left" data-testid="unsupported">
              <caption className="sr-only">Unsupported keywords</caption>
              <TableHead columns={['Keyword', 'Where', 'Block']} look="plain" />
              <tbody className="font-mono text-xs">
                {preview.unsupported.map((u, i) => (
                  <tr key={i}>
                    <td className="pr-3">{u.keyword}</td>
                    <td className="pr-3">
                      {u.file}:{u.line}
                    </td>
                    <td>{u.context || '(top level)'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {preview.notes.length > 0 && (
          <ul className={`list-disc pl-5 ${mutedClass}`}>
            {preview.notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        )}
      </div>
    </Section>
  );
}
