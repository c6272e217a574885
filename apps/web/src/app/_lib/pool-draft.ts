/**
 * The pool editor's draft: the form's text fields for one upstream pool, from the stored pool and
 * back. Numbers stay text until sent, so the server names a field that is not one.
 */
import type { RouterOutputs } from '~/trpc/client';

export type PoolRow = RouterOutputs['pools']['list'][number];
export type Pool = PoolRow['pool'];
type Server = Pool['servers'][number];

export interface DraftServer {
  key: number;
  address: string;
  port: string;
  weight: string;
  backup: boolean;
  down: boolean;
  /** Settings this form does not edit, sent back unchanged. */
  rest: { maxFails: number | undefined; failTimeoutMs: number | undefined };
}

export type MethodType = Pool['method']['type'];

export interface Draft {
  /** The version the edit is based on: sent with the update, so a concurrent change is refused (CONFLICT). */
  version: number;
  method: MethodType;
  /** For `hash`: the key as typed (nginx variables separated by spaces). */
  hashKey: string;
  consistent: boolean;
  servers: DraftServer[];
}

export const METHODS: { type: MethodType; label: string }[] = [
  { type: 'round_robin', label: 'Round robin (weighted)' },
  { type: 'least_conn', label: 'Least connections' },
  { type: 'ip_hash', label: 'IP hash (client affinity)' },
  { type: 'hash', label: 'Hash of a key' },
  { type: 'random', label: 'Random' },
];
export const methodLabel = (m: Pool['method']) =>
  m.type === 'hash' ? `hash ${m.key.join('')}${m.consistent ? ' consistent' : ''}` : m.type.replace('_', ' ');

let nextKey = 1;
export const toDraft = (row: PoolRow): Draft => ({
  version: row.version,
  method: row.pool.method.type,
  hashKey: row.pool.method.type === 'hash' ? row.pool.method.key.join(' ') : '$remote_addr',
  consistent: row.pool.method.type === 'hash' ? row.pool.method.consistent : false,
  servers: row.pool.servers.map((s) => ({
    key: nextKey++,
    address: s.address,
    port: String(s.port),
    weight: s.weight === undefined ? '' : String(s.weight),
    backup: s.backup,
    down: s.down,
    rest: { maxFails: s.maxFails, failTimeoutMs: s.failTimeoutMs },
  })),
});

/** A number when the text is one; otherwise the text itself, so the server names the field. */
const num = (s: string): number => (/^\s*\d+\s*$/.test(s) ? Number(s) : (s as unknown as number));

function toMethod(d: Draft): Pool['method'] {
  if (d.method === 'hash')
    return { type: 'hash', key: d.hashKey.split(/\s+/).filter(Boolean) as never, consistent: d.consistent };
  return { type: d.method } as Pool['method'];
}

export function toPool(base: Pool, d: Draft): Pool {
  return {
    ...base,
    method: toMethod(d),
    servers: d.servers.map((s) => {
      const out: Server = { address: s.address.trim(), port: num(s.port), backup: s.backup, down: s.down };
      if (s.weight.trim() !== '') out.weight = num(s.weight);
      if (s.rest.maxFails !== undefined) out.maxFails = s.rest.maxFails;
      if (s.rest.failTimeoutMs !== undefined) out.failTimeoutMs = s.rest.failTimeoutMs;
      return out;
    }),
  };
}

/** A new, empty server row for the draft. */
export const emptyServer = (): DraftServer => ({
  key: nextKey++,
  address: '',
  port: '80',
  weight: '',
  backup: false,
  down: false,
  rest: { maxFails: undefined, failTimeoutMs: undefined },
});
