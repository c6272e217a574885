'use client';
/**
 * Admins edit a VRRP instance's settings: VRID, version, advert interval, per-member priority,
 * preempt and its delay, the VRRPv2 password, signed adverts (auth_hmac), the VIPs. The edit carries the version it was based
 * on (a concurrent change is refused with CONFLICT); errors appear beside the field they name.
 */
import { useState } from 'react';
import { api, type RouterOutputs } from '~/trpc/client';
import { parseVip } from '../../_lib/object-drafts';
import {
  CheckField,
  ConflictBanner,
  EditorActions,
  RefusalBanner,
  SelectField,
  TextField,
  num,
  useEditor,
} from './form';

type InstanceRow = RouterOutputs['instances']['list'][number];
type Instance = InstanceRow['instance'];

interface Draft {
  vrid: string;
  version: '2' | '3';
  advertIntervalMs: string;
  preempt: boolean;
  preemptDelayMs: string;
  password: string;
  /** auth_hmac keys, `id hex` per line; empty = unsigned adverts. */
  hmacKeys: string;
  hmacActive: string;
  hmacMode: 'receive-only' | 'permissive' | 'enforce';
  hmacAntiReplay: 'time' | 'monotonic';
  vips: string;
  priorities: string[];
}

const VERSIONS: Record<Draft['version'], string> = { 2: '2 (RFC 3768)', 3: '3 (RFC 5798)' };
const HMAC_MODES: Record<Draft['hmacMode'], string> = {
  enforce: 'enforce',
  permissive: 'permissive (also accepts unsigned)',
  'receive-only': 'receive-only (signs nothing)',
};
const ANTI_REPLAY: Record<Draft['hmacAntiReplay'], string> = {
  time: 'time (the LB hosts’ clocks must be in sync: NTP)',
  monotonic: 'monotonic (no clock sync needed)',
};

const toDraft = (i: Instance): Draft => ({
  vrid: String(i.vrid),
  version: String(i.version) as '2' | '3',
  advertIntervalMs: String(i.advertIntervalMs),
  preempt: i.preempt,
  preemptDelayMs: String(i.preemptDelayMs),
  password: i.authentication?.password ?? '',
  hmacKeys: (i.authHmac?.keys ?? []).map((k) => `${k.id} ${k.hex}`).join('\n'),
  hmacActive: i.authHmac ? String(i.authHmac.activeKey) : '1',
  hmacMode: i.authHmac?.mode ?? 'enforce',
  hmacAntiReplay: i.authHmac?.antiReplay ?? 'time',
  vips: i.vips
    .map((v) => `${v.address}${v.prefix !== undefined ? `/${v.prefix}` : ''}${v.dev ? ` dev ${v.dev}` : ''}`)
    .join('\n'),
  priorities: i.members.map((m) => String(m.priority)),
});

function toInstance(base: Instance, d: Draft): Instance {
  const out: Instance = {
    ...base,
    vrid: num(d.vrid),
    version: num(d.version) as 2 | 3,
    advertIntervalMs: num(d.advertIntervalMs),
    preempt: d.preempt,
    preemptDelayMs: num(d.preemptDelayMs),
    vips: d.vips
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(parseVip),
    members: base.members.map((m, i) => ({ ...m, priority: num(d.priorities[i] ?? '') })),
  };
  if (d.password !== '') out.authentication = { type: 'pass', password: d.password };
  else delete out.authentication;
  const keys = d.hmacKeys
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [id = '', hex = ''] = l.trim().split(/\s+/);
      return { id: num(id), hex };
    });
  if (keys.length > 0)
    out.authHmac = {
      ...(base.authHmac?.timeWindowS !== undefined ? { timeWindowS: base.authHmac.timeWindowS } : {}),
      keys,
      activeKey: num(d.hmacActive),
      mode: d.hmacMode,
      antiReplay: d.hmacAntiReplay,
    };
  else delete out.authHmac;
  return out;
}

export function InstanceEditor({ row, onDone }: { row: InstanceRow; onDone: (text: string) => void }) {
  const [version] = useState(row.version);
  const name = row.instance.name;
  const {
    uid,
    draft,
    set,
    busy,
    problem,
    fieldError: f,
    bind,
    save,
  } = useEditor({
    init: () => toDraft(row.instance),
    field: 'instance',
    queries: ['instances.list', 'clusters.get', 'clusters.deployments', 'audit.list'],
    mutate: (d: Draft) => api.instances.update.mutate({ id: row.id, version, instance: toInstance(row.instance, d) }),
    saved: (r) =>
      onDone(
        `Saved VRRP instance ${name} as version ${r.version}${r.revision !== null ? ` — config revision ${r.revision} created; nodes apply it next` : ''}.`,
      ),
  });

  const vipErrors =
    problem?.kind === 'fields' ? Object.entries(problem.fields).filter(([k]) => k.startsWith('vips')) : [];
  const shown = new Set([
    'vrid',
    'version',
    'advertIntervalMs',
    'preemptDelayMs',
    'authentication.password',
    'authentication',
    'authHmac',
    'authHmac.activeKey',
    ...Object.keys(problem?.kind === 'fields' ? problem.fields : {}).filter((k) => k.startsWith('authHmac.keys')),
    ...row.instance.members.map((_, i) => `members.${i}.priority`),
    ...vipErrors.map(([k]) => k),
  ]);
  const others = problem?.kind === 'fields' ? Object.entries(problem.fields).filter(([k]) => !shown.has(k)) : [];

  return (
    <form
      aria-label={`Edit VRRP instance ${name}`}
      className="space-y-3 border-t border-slate-200 p-3 dark:border-slate-700"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {problem?.kind === 'conflict' && <ConflictBanner what={name} text={problem.text} />}
      {problem && problem.kind !== 'conflict' && <RefusalBanner text={problem.text} fields={others} />}
      <div className="flex flex-wrap gap-3">
        <TextField {...bind('vrid')} label="VRID" inputMode="numeric" className="w-20" />
        <SelectField {...bind('version')} label="VRRP version" options={VERSIONS} />
        <TextField {...bind('advertIntervalMs')} label="Advert interval (ms)" inputMode="numeric" />
        <CheckField id={`${uid}-pre`} label="Preempt" checked={draft.preempt} onChange={(v) => set({ preempt: v })} />
        <TextField {...bind('preemptDelayMs')} label="Preempt delay (ms)" inputMode="numeric" />
        <TextField
          id={`${uid}-pw`}
          label="VRRPv2 password"
          value={draft.password}
          onChange={(v) => set({ password: v })}
          error={f('authentication.password') ?? f('authentication')}
          hint="empty = none; v2 only"
          mono
        />
      </div>
      <div className="flex flex-wrap gap-3">
        <TextField
          id={`${uid}-hmac`}
          label="Signed adverts: auth_hmac keys"
          value={draft.hmacKeys}
          onChange={(v) => set({ hmacKeys: v })}
          error={
            (problem?.kind === 'fields'
              ? Object.entries(problem.fields)
                  .filter(([k]) => k.startsWith('authHmac.keys') || k === 'authHmac')
                  .map(([k, m]) => `${k}: ${m}`)
                  .join('; ')
              : '') || undefined
          }
          hint="one per line: id (1–255) and 32–64 bytes as hex (openssl rand -hex 32); empty = unsigned"
          multiline
          mono
          className="w-96"
        />
        <TextField
          {...bind('hmacActive')}
          label="Active key"
          inputMode="numeric"
          className="w-20"
          error={f('authHmac.activeKey')}
        />
        <SelectField {...bind('hmacMode')} label="Mode" options={HMAC_MODES} />
        <SelectField {...bind('hmacAntiReplay')} label="Anti-replay" options={ANTI_REPLAY} />
      </div>
      <div className="flex flex-wrap gap-3">
        {row.instance.members.map((m, i) => (
          <TextField
            key={m.node}
            id={`${uid}-prio-${i}`}
            label={`Priority of ${m.node}`}
            value={draft.priorities[i] ?? ''}
            onChange={(v) => set({ priorities: draft.priorities.map((p, j) => (j === i ? v : p)) })}
            error={f(`members.${i}.priority`)}
            inputMode="numeric"
            className="w-20"
          />
        ))}
        <TextField
          id={`${uid}-vips`}
          label="VIPs"
          value={draft.vips}
          onChange={(v) => set({ vips: v })}
          error={vipErrors.map(([k, m]) => `VIP ${Number(k.split('.')[1] ?? 0) + 1}: ${m}`).join('; ') || undefined}
          hint="one per line: address[/prefix] [dev interface]"
          multiline
          mono
          className="w-64"
        />
      </div>
      <EditorActions
        busy={busy}
        save="Save instance"
        onCancel={() => onDone('')}
        note={`based on version ${version}`}
      />
    </form>
  );
}
