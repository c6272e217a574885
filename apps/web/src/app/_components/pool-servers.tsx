'use client';
/** A pool's servers: as stored (read-only), and as rows of the editor's draft. */
import type { DraftServer, Pool } from '../_lib/pool-draft';
import { Badge, Button, inputClass } from './ui';
import { DataTable } from './table';

export function PoolServersTable({ servers }: { servers: Pool['servers'] }) {
  return (
    <DataTable columns={['Server', 'Weight', 'Role']} look="compact">
      {servers.map((s, i) => (
        <tr key={i} className="border-t border-slate-100 dark:border-slate-800">
          <td className="py-1 pr-3 font-mono">
            {s.address.includes(':') ? `[${s.address}]` : s.address}:{s.port}
          </td>
          <td className="py-1 pr-3 tabular-nums">{s.weight ?? 1}</td>
          <td className="space-x-1 py-1">
            {s.backup && <Badge tone="unknown">backup</Badge>}
            {s.down && <Badge tone="warn">drained</Badge>}
            {!s.backup && !s.down && <span className="text-slate-600 dark:text-slate-300">active</span>}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

export function DraftServersTable({
  uid,
  servers,
  fields,
  onChange,
  onRemove,
}: {
  uid: string;
  servers: DraftServer[];
  /** Refusal messages by field path (`pool.servers.0.port`). */
  fields: Record<string, string>;
  onChange: (i: number, patch: Partial<DraftServer>) => void;
  onRemove: (i: number) => void;
}) {
  return (
    <DataTable
      columns={[
        'Address',
        'Port',
        'Weight',
        'Backup',
        { label: 'Drain', title: 'Marked down in nginx: no new requests' },
      ]}
      actions="Remove"
      look="compact"
    >
      {servers.map((s, i) => {
        const n = i + 1;
        const f = (k: string) => fields[`pool.servers.${i}.${k}`];
        const input = (k: 'address' | 'port' | 'weight', label: string, width: string, extra: object = {}) => (
          <td className="py-1 pr-2 align-top">
            <input
              aria-label={`${label} of server ${n}`}
              value={s[k]}
              onChange={(e) => onChange(i, { [k]: e.target.value })}
              aria-invalid={f(k) ? true : undefined}
              aria-describedby={f(k) ? `${uid}-${i}-${k}` : undefined}
              className={`${inputClass} ${width}`}
              {...extra}
            />
            {f(k) && (
              <p id={`${uid}-${i}-${k}`} className="mt-0.5 text-xs text-red-700 dark:text-red-300">
                {f(k)}
              </p>
            )}
          </td>
        );
        return (
          <tr key={s.key}>
            {input('address', 'Address', 'w-44 font-mono', { spellCheck: false, autoComplete: 'off' })}
            {input('port', 'Port', 'w-20', { inputMode: 'numeric' })}
            {input('weight', 'Weight', 'w-16', { inputMode: 'numeric', placeholder: '1' })}
            {(
              [
                ['backup', 'Backup', 'accent-sky-700'],
                ['down', 'Drain', 'accent-amber-600'],
              ] as const
            ).map(([k, label, accent]) => (
              <td key={k} className="py-1 pr-2 align-top">
                <input
                  type="checkbox"
                  aria-label={`${label} server ${n}`}
                  checked={s[k]}
                  onChange={(e) => onChange(i, { [k]: e.target.checked })}
                  className={`size-4 ${accent}`}
                />
              </td>
            ))}
            <td className="py-1 align-top">
              <Button tone="ghost" aria-label={`Remove server ${n}`} onClick={() => onRemove(i)}>
                Remove
              </Button>
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}
