/**
 * The "New …" forms' text fields turned into spec objects: one line per server, listen socket,
 * location or VIP. Anything odd is passed on as typed (a port that is not a number stays text),
 * so the server's validation names the field. Pure, for the cluster page's create forms.
 */
import type { RouterOutputs } from '~/trpc/client';
import { jsonDiff, leafText } from './json-diff';

type Pool = RouterOutputs['pools']['list'][number]['pool'];
type VirtualServer = RouterOutputs['virtualServers']['list'][number]['virtualServer'];
type Instance = RouterOutputs['instances']['list'][number]['instance'];

/** A number when the text is one; otherwise the text itself, so the server names the field. */
export const num = (s: string): number => (/^\s*-?\d+\s*$/.test(s) ? Number(s) : (s as unknown as number));

/** Text lines of a textarea, trimmed, without the empty ones. */
export const lines = (s: string): string[] =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** "198.51.100.100:80" or "[2001:db8::1]:80" → address and port text; null without a colon. */
function hostPort(s: string): { address: string; port: string } | null {
  const m = /^\[([^\]]+)\]:(.*)$/.exec(s) ?? /^([^:]+):(.*)$/.exec(s);
  return m ? { address: m[1] ?? '', port: m[2] ?? '' } : null;
}

/** "203.0.113.21:80 2" or "[2001:db8::1]:80" → a server (port 80 when none is given). */
export function parseServer(line: string): Pool['servers'][number] {
  const [text = '', weight] = line.split(/\s+/);
  const hp = hostPort(text);
  const server: Pool['servers'][number] = {
    address: hp?.address ?? text,
    port: hp ? num(hp.port) : 80,
    backup: false,
    down: false,
  };
  if (weight !== undefined) server.weight = num(weight);
  return server;
}

/** "8080" or "198.51.100.100:80" → a listen socket. */
export function parseListen(line: string): VirtualServer['listen'][number] {
  const hp = hostPort(line);
  return hp
    ? { address: hp.address, port: num(hp.port), defaultServer: false }
    : { port: num(line), defaultServer: false };
}

/** "/api webs" → a location proxying to pool webs. */
export function parseLocation(line: string): VirtualServer['locations'][number] {
  const [path = '', pool = ''] = line.split(/\s+/);
  return { path, pool, headers: [] };
}

/** "192.0.2.10/32 dev eth1" → a VIP. */
export function parseVip(line: string): Instance['vips'][number] {
  const [addr = '', ...rest] = line.trim().split(/\s+/);
  const [address = '', prefix] = addr.split('/');
  const vip: Instance['vips'][number] = { address };
  if (prefix !== undefined) vip.prefix = num(prefix);
  if (rest[0] === 'dev' && rest[1]) vip.dev = rest[1];
  return vip;
}

/**
 * The members of a new instance from a priority per node (empty: not a member); the first with
 * the highest priority starts as master (keepalived `state MASTER`), the others as backup.
 */
export function members(nodes: string[], priorities: string[]): Instance['members'] {
  const typed = nodes.flatMap((node, i) => (priorities[i]?.trim() ? [{ node, priority: num(priorities[i]) }] : []));
  const top = Math.max(...typed.map((m) => (typeof m.priority === 'number' ? m.priority : 0)));
  const master = typed.findIndex((m) => m.priority === top);
  return typed.map((m, i) => ({ ...m, initialState: i === master ? 'master' : 'backup', unicastPeers: [] }));
}

/** The spec lines an object adds (`before` null) or removes (`after` null), under `field`, as diff lines. */
export function specDiffLines(field: string, before: unknown, after: unknown): string[] {
  return jsonDiff(before, after).map((l) =>
    l.kind === 'added'
      ? `+ ${field}.${l.path}: ${leafText(l.after)}`
      : l.kind === 'removed'
        ? `- ${field}.${l.path}: ${leafText(l.before)}`
        : `~ ${field}.${l.path}: ${leafText(l.before)} → ${leafText(l.after)}`,
  );
}
