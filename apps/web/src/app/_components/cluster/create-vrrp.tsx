'use client';
/** The "New VRRP instance" and "New health check" forms. */
import { api, type RouterOutputs } from '~/trpc/client';
import { lines, members, parseVip } from '../../_lib/object-drafts';
import { ProxyCheckFields, proxyFields, type CheckFieldsDraft } from './checks-panel';
import { CreateShell, under, useCreate, type CreateFormProps } from './create-form';
import { SelectField, TextField, num } from './form';

type Instance = RouterOutputs['instances']['list'][number]['instance'];
type Check = RouterOutputs['checks']['list'][number]['check'];

interface InstanceDraft {
  name: string;
  vrid: string;
  version: '2' | '3';
  interface: string;
  advertIntervalMs: string;
  vips: string;
  /** Per node, in the cluster's order: its priority, or empty when it is not a member. */
  priorities: string[];
  trackChecks: string;
}

const VERSIONS: Record<InstanceDraft['version'], string> = { 3: '3 (RFC 5798)', 2: '2 (RFC 3768)' };

export function NewInstanceForm({
  clusterId,
  nodes,
  onDone,
  onCancel,
}: CreateFormProps & {
  /** The cluster's nodes: name and first interface. */
  nodes: { name: string; interface: string | undefined }[];
}) {
  const c = useCreate<InstanceDraft, Instance>({
    what: 'VRRP instance',
    field: 'instance',
    list: 'instances.list',
    init: () => ({
      name: '',
      vrid: '',
      version: '3',
      interface: nodes[0]?.interface ?? 'eth0',
      advertIntervalMs: '1000',
      vips: '',
      priorities: nodes.map((_, i) => String(Math.max(1, 100 - 10 * i))),
      trackChecks: '',
    }),
    build: (d) => ({
      name: d.name.trim(),
      vrid: num(d.vrid),
      version: num(d.version) as 2 | 3,
      family: lines(d.vips)[0]?.includes(':') ? 6 : 4,
      interface: d.interface.trim(),
      advertIntervalMs: num(d.advertIntervalMs),
      members: members(
        nodes.map((n) => n.name),
        d.priorities,
      ),
      preempt: true,
      preemptDelayMs: 0,
      vips: lines(d.vips).map(parseVip),
      trackInterfaces: [],
      trackChecks: d.trackChecks
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((check) => ({ check })),
      garpMasterDelayMs: 5000,
      garpMasterRepeat: 5,
      garpMasterRefreshMs: 0,
      garpMasterRefreshRepeat: 1,
    }),
    create: (instance) => api.instances.create.mutate({ clusterId, instance }),
    onDone,
  });
  const { draft, set } = c;
  return (
    <CreateShell c={c} onCancel={onCancel}>
      <div className="flex flex-wrap gap-3">
        <TextField {...c.bind('name')} label="Name" mono className="w-32" />
        <TextField {...c.bind('vrid')} label="VRID" hint="1–255, unique on the segment" inputMode="numeric" />
        <SelectField {...c.bind('version')} label="VRRP version" options={VERSIONS} />
        <TextField {...c.bind('interface')} label="Interface" mono className="w-24" />
        <TextField {...c.bind('advertIntervalMs')} label="Advert interval (ms)" inputMode="numeric" />
      </div>
      <div className="flex flex-wrap gap-3">
        {nodes.map((n, i) => (
          <TextField
            key={n.name}
            id={`${c.uid}-prio-${i}`}
            label={`Priority of ${n.name}`}
            value={draft.priorities[i] ?? ''}
            onChange={(v) => set({ priorities: draft.priorities.map((p, j) => (j === i ? v : p)) })}
            error={under(c.problem, 'members')}
            hint="empty = not a member"
            inputMode="numeric"
            className="w-20"
          />
        ))}
        <TextField
          {...c.bindList('vips')}
          label="VIPs"
          hint="one per line: address[/prefix] [dev interface]"
          multiline
          mono
          className="w-64"
        />
        <TextField
          {...c.bindList('trackChecks')}
          label="Tracked checks"
          hint="check names, separated by spaces"
          mono
          className="w-48"
        />
      </div>
    </CreateShell>
  );
}

const KINDS = {
  tcp: 'TCP connect',
  http: 'HTTP GET',
  script: 'Script (argv)',
  process: 'Process (pid file)',
  nginx: 'nginx supervision',
  proxy: 'Through nginx (proxy)',
} as const satisfies Record<Check['kind'], string>;

/** A new check has no timeout of its own and starts as not failed. */
interface CheckDraft extends Omit<CheckFieldsDraft, 'timeoutMs' | 'initFail'> {
  name: string;
  kind: Check['kind'];
}

function toCheck(d: CheckDraft): Check {
  const common = {
    name: d.name.trim(),
    intervalMs: num(d.intervalMs),
    weight: num(d.weight),
    rise: num(d.rise),
    fall: num(d.fall),
    initFail: false,
  };
  switch (d.kind) {
    case 'tcp':
      return { ...common, kind: 'tcp', address: d.address.trim(), port: num(d.port) };
    case 'http':
      return {
        ...common,
        kind: 'http',
        address: d.address.trim(),
        port: num(d.port),
        path: d.path,
        expectStatus: num(d.expectStatus),
      };
    case 'script':
      return { ...common, kind: 'script', command: { argv: lines(d.argv) } };
    case 'process':
      return { ...common, kind: 'process', pidFile: d.pidFile.trim() };
    case 'nginx':
      return { ...common, kind: 'nginx' };
    case 'proxy':
      return {
        ...common,
        kind: 'proxy',
        address: d.address.trim() || '127.0.0.1',
        port: num(d.port),
        ...proxyFields(d),
      };
  }
}

export function NewCheckForm({ clusterId, onDone, onCancel }: CreateFormProps) {
  const c = useCreate<CheckDraft, Check>({
    what: 'health check',
    field: 'check',
    list: 'checks.list',
    init: () => ({
      name: '',
      kind: 'tcp',
      intervalMs: '1000',
      weight: '0',
      rise: '1',
      fall: '1',
      address: '',
      port: '80',
      path: '/',
      expectStatus: '200',
      host: '',
      argv: '',
      pidFile: '',
    }),
    build: toCheck,
    create: (check) => api.checks.create.mutate({ clusterId, check }),
    onDone,
  });
  const kind = c.draft.kind;
  return (
    <CreateShell c={c} onCancel={onCancel}>
      <div className="flex flex-wrap gap-3">
        <TextField {...c.bind('name')} label="Name" mono className="w-36" />
        <SelectField {...c.bind('kind')} label="Kind" options={KINDS} />
        <TextField {...c.bind('intervalMs')} label="Interval (ms)" inputMode="numeric" />
        <TextField
          {...c.bind('weight')}
          label="Weight"
          hint="0: failure = FAULT"
          inputMode="numeric"
          className="w-20"
        />
        <TextField {...c.bind('rise')} label="Rise" inputMode="numeric" className="w-16" />
        <TextField {...c.bind('fall')} label="Fall" inputMode="numeric" className="w-16" />
      </div>
      {(kind === 'tcp' || kind === 'http' || kind === 'proxy') && (
        <div className="flex flex-wrap gap-3">
          <TextField {...c.bind('address')} label="Address" mono className="w-44" />
          <TextField {...c.bind('port')} label="Port" inputMode="numeric" className="w-20" />
          {kind === 'proxy' && <ProxyCheckFields bind={c.bind} />}
          {kind === 'http' && <TextField {...c.bind('path')} label="Path" mono className="w-40" />}
          {kind === 'http' && <TextField {...c.bind('expectStatus')} label="Expected status" className="w-20" />}
        </div>
      )}
      {kind === 'script' && (
        <TextField
          {...c.bindList('argv', 'command')}
          label="Command (one argument per line)"
          multiline
          mono
          className="w-96"
        />
      )}
      {kind === 'process' && <TextField {...c.bind('pidFile')} label="Pid file" mono className="w-72" />}
    </CreateShell>
  );
}
