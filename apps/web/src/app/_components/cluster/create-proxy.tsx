'use client';
/** The "New pool" and "New virtual server" forms (upstream pools and nginx server blocks). */
import { api, type RouterOutputs } from '~/trpc/client';
import { lines, parseLocation, parseServer } from '../../_lib/object-drafts';
import { METHODS, type MethodType } from '../../_lib/pool-draft';
import { CreateShell, under, useCreate, type CreateFormProps } from './create-form';
import { SelectField, TextField } from './form';
import { buildTls, initTls, parseListenLine, VsTlsFields, type TlsDraft } from './vs-tls-fields';
import { buildProxyHost, initProxyHost, type ProxyHostDraft } from '../../_lib/proxy-host-draft';
import { VsProxyHostFields } from './vs-proxy-host-fields';

type Pool = RouterOutputs['pools']['list'][number]['pool'];
type VirtualServer = RouterOutputs['virtualServers']['list'][number]['virtualServer'];

const METHOD_OPTIONS = Object.fromEntries(
  METHODS.filter((m) => m.type !== 'hash').map((m) => [m.type, m.label]),
) as Record<Exclude<MethodType, 'hash'>, string>;

interface PoolDraft {
  name: string;
  method: Exclude<MethodType, 'hash'>;
  servers: string;
}

export function NewPoolForm({ clusterId, onDone, onCancel }: CreateFormProps) {
  const c = useCreate<PoolDraft, Pool>({
    what: 'pool',
    field: 'pool',
    list: 'pools.list',
    init: () => ({ name: '', method: 'round_robin', servers: '' }),
    build: (d) => ({ name: d.name.trim(), method: { type: d.method }, servers: lines(d.servers).map(parseServer) }),
    nginx: (pool) => api.pools.preview.query({ clusterId, pool }),
    create: (pool) => api.pools.create.mutate({ clusterId, pool }),
    onDone,
  });
  return (
    <CreateShell c={c} onCancel={onCancel}>
      <div className="flex flex-wrap gap-3">
        <TextField {...c.bind('name')} label="Name" mono className="w-40" />
        <SelectField {...c.bind('method')} label="Balancing method" options={METHOD_OPTIONS} />
        <TextField
          {...c.bindList('servers')}
          label="Servers"
          hint="one per line: address:port [weight]"
          multiline
          mono
          className="w-72"
        />
      </div>
    </CreateShell>
  );
}

interface ServerDraft {
  name: string;
  listen: string;
  serverNames: string;
  locations: string;
  tls: TlsDraft;
  proxyHost: ProxyHostDraft;
}

export function NewVirtualServerForm({ clusterId, pools, onDone, onCancel }: CreateFormProps & { pools: string[] }) {
  const c = useCreate<ServerDraft, VirtualServer>({
    what: 'virtual server',
    field: 'virtualServer',
    list: 'virtualServers.list',
    init: () => ({
      name: '',
      listen: '80',
      serverNames: '',
      locations: pools[0] ? `/ ${pools[0]}` : '',
      tls: initTls(),
      proxyHost: initProxyHost(),
    }),
    build: (d) => ({
      name: d.name.trim(),
      listen: lines(d.listen).map(parseListenLine),
      serverNames: d.serverNames.split(/\s+/).filter(Boolean),
      ...buildProxyHost(d.proxyHost, lines(d.locations).map(parseLocation)),
      ...buildTls(d.tls),
    }),
    nginx: (virtualServer) => api.virtualServers.preview.query({ clusterId, virtualServer }),
    create: (virtualServer) => api.virtualServers.create.mutate({ clusterId, virtualServer }),
    onDone,
  });
  return (
    <CreateShell c={c} onCancel={onCancel}>
      <div className="flex flex-wrap gap-3">
        <TextField {...c.bind('name')} label="Name" mono className="w-40" />
        <TextField
          {...c.bindList('listen')}
          label="Listen"
          hint="one per line: port or address:port, + ssl for TLS"
          multiline
          mono
          className="w-48"
        />
        <TextField
          {...c.bindList('serverNames')}
          label="Server names"
          hint="separated by spaces; empty = any"
          mono
          className="w-56"
        />
        <TextField
          {...c.bindList('locations')}
          label="Locations"
          hint={`one per line: path pool (pools: ${pools.join(', ') || 'none yet'})`}
          multiline
          mono
          className="w-64"
        />
      </div>
      <VsTlsFields
        clusterId={clusterId}
        uid={c.uid}
        tls={c.draft.tls}
        onChange={(tls) => c.set({ tls })}
        error={(path) => c.fieldError(path)}
      />
      <VsProxyHostFields
        uid={c.uid}
        draft={c.draft.proxyHost}
        onChange={(proxyHost) => c.set({ proxyHost })}
        error={(prefix) => under(c.problem, prefix)}
      />
    </CreateShell>
  );
}
