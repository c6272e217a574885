// The edits of the hitless benchmark (issue #14 item 4): for each kind, the cluster it starts from
// and the change — made in the dashboard for keepwatch, and as the same change to keepalived.conf
// (or nginx's site, for a pool) on each host for keepalived 2.2.7.
import type { ChaosPlane, LabAgent, LabKeepalived, referenceSpec } from '@keepwatch/lab';

export type Kind =
  | 'check-interval'
  | 'check-command'
  | 'vip-add'
  | 'vip-remove'
  | 'priority-keep'
  | 'priority-move'
  | 'advert-interval'
  | 'preempt-off'
  | 'preempt-on'
  | 'member-add'
  | 'member-remove'
  | 'password'
  | 'pool-edit'
  | 'agent-restart'
  | 'hmac-on'
  | 'hmac-rotate';
export const KINDS: Kind[] = [
  'check-interval',
  'check-command',
  'vip-add',
  'vip-remove',
  'priority-keep',
  'priority-move',
  'advert-interval',
  'preempt-off',
  'preempt-on',
  'member-add',
  'member-remove',
  'password',
  'pool-edit',
  'agent-restart',
  'hmac-on',
  'hmac-rotate',
];
export type Interval = 'v2-1s' | 'v3-0.1s';
/** Signed adverts (auth_hmac): keepalived 2.2.7 has none, and 2.4 changes them in three manual sweeps. */
export const KEEPWATCH_ONLY: readonly Kind[] = ['hmac-on', 'hmac-rotate'];
/** Only where the kind exists: the v2 password (the spec refuses it on v3); auth_hmac rows at 0.1 s. */
export const ONLY_AT: Partial<Record<Kind, Interval>> = {
  password: 'v2-1s',
  'hmac-on': 'v3-0.1s',
  'hmac-rotate': 'v3-0.1s',
};
/** The edits that ask the VIP to move (lb2 raised above lb1). */
export const REQUESTED_MOVES: Partial<Record<Kind, number>> = { 'priority-move': 1 };
export const EXTRA_VIP = '198.51.100.201';
const hmacKey = (id: number, byte: string) => ({ keys: [{ id, hex: byte.repeat(32) }], activeKey: id });

type Spec = ReturnType<typeof referenceSpec>;
type Instance = NonNullable<Spec['vrrpInstances']>[number];
type Versioned<K extends string, T> = { id: string; version: number } & Record<K, T>;

/** The tracked check: the built-in nginx check, or for `check-command` a script (root-owned, run as nobody). */
export function initialChecks(kind: Kind): NonNullable<Spec['checks']> {
  return kind === 'check-command'
    ? [{ kind: 'script', name: 'check_nginx', intervalMs: 1000, command: { argv: ['/bin/true'] } }]
    : [{ kind: 'nginx', name: 'check_nginx', intervalMs: 1000 }];
}

/** The agents' own script policy where the check is a script (tests/agent/script-policy does the same). */
export const agentConfig = (kind: Kind): Record<string, unknown> =>
  kind === 'check-command' ? { scripts: { allowedDirs: ['/bin', '/usr/bin'] }, scriptUser: 'nobody' } : {};

/** How the cluster differs from the reference one before the edit. */
export function initialInstance(kind: Kind, vip: string): Partial<Instance> {
  switch (kind) {
    case 'vip-remove':
      return { vips: [{ address: vip }, { address: EXTRA_VIP }] };
    case 'preempt-on':
      return { preempt: false };
    case 'hmac-rotate':
      return { authHmac: hmacKey(1, 'a1') };
    default:
      return {};
  }
}

/** nopreempt needs every member to start as backup (keepalived ignores it on a MASTER). */
const allBackup = (members: Instance['members']) => members.map((m) => ({ ...m, initialState: 'backup' as const }));

/** The members before the edit: lb2 joins in `member-add`; all start as backup where preempt is off. */
export const initialMembers = (kind: Kind, members: Instance['members']) =>
  kind === 'member-add'
    ? members.filter((m) => m.node === 'lb1')
    : kind === 'preempt-on'
      ? allBackup(members)
      : members;

/** The edit in the dashboard (keepwatch), or the restart of lb1's agent. */
export async function keepwatchEdit(
  kind: Kind,
  plane: ChaosPlane,
  clusterId: string,
  spec: Spec,
  agent: Record<'lb1' | 'lb2', LabAgent>,
): Promise<void> {
  const editInstance = async (change: (i: Instance) => Instance) => {
    const [row] = await plane.query<Versioned<'instance', Instance>[]>('instances.list', { clusterId });
    await plane.mutate('instances.update', { id: row!.id, version: row!.version, instance: change(row!.instance) });
  };
  const lb2Priority = (p: number) => (i: Instance) => ({
    ...i,
    members: i.members.map((m) => (m.node === 'lb2' ? { ...m, priority: p } : m)),
  });
  switch (kind) {
    case 'check-interval': {
      type Check = NonNullable<Spec['checks']>[number];
      const [row] = await plane.query<Versioned<'check', Check>[]>('checks.list', { clusterId });
      await plane.mutate('checks.update', {
        id: row!.id,
        version: row!.version,
        check: { ...row!.check, intervalMs: 2000 },
      });
      return;
    }
    case 'check-command': {
      type Check = NonNullable<Spec['checks']>[number];
      const [row] = await plane.query<Versioned<'check', Check>[]>('checks.list', { clusterId });
      const check = { ...row!.check, command: { argv: ['/usr/bin/true'] } };
      await plane.mutate('checks.update', { id: row!.id, version: row!.version, check });
      return;
    }
    case 'pool-edit': {
      type Pool = NonNullable<Spec['pools']>[number];
      const [row] = await plane.query<Versioned<'pool', Pool>[]>('pools.list', { clusterId });
      const servers = row!.pool.servers.map((s, i) => (i === 1 ? { ...s, weight: 2 } : s));
      await plane.mutate('pools.update', { id: row!.id, version: row!.version, pool: { ...row!.pool, servers } });
      return;
    }
    case 'agent-restart':
      // What systemd's Restart=always does after a crash and the package's postinst on an upgrade.
      await agent.lb1.kill();
      await agent.lb1.start();
      return;
    case 'vip-add':
      return editInstance((i) => ({ ...i, vips: [...i.vips, { address: EXTRA_VIP }] }));
    case 'vip-remove':
      return editInstance((i) => ({ ...i, vips: i.vips.filter((v) => v.address !== EXTRA_VIP) }));
    case 'priority-keep':
      return editInstance(lb2Priority(90));
    case 'priority-move':
      return editInstance(lb2Priority(120));
    case 'advert-interval':
      return editInstance((i) => ({ ...i, advertIntervalMs: (i.advertIntervalMs ?? 1000) * 2 }));
    case 'preempt-off':
      return editInstance((i) => ({ ...i, preempt: false, members: allBackup(i.members) }));
    case 'preempt-on':
      return editInstance((i) => ({ ...i, preempt: true }));
    case 'member-add': {
      const lb2 = spec.vrrpInstances![0]!.members.find((m) => m.node === 'lb2')!;
      return editInstance((i) => ({ ...i, members: [...i.members, lb2] }));
    }
    case 'member-remove':
      return editInstance((i) => ({ ...i, members: i.members.filter((m) => m.node !== 'lb2') }));
    case 'password':
      return editInstance((i) => ({ ...i, authentication: { type: 'pass', password: '2222' } }));
    case 'hmac-on':
      return editInstance((i) => ({ ...i, authHmac: hmacKey(1, 'a1') }));
    case 'hmac-rotate':
      return editInstance((i) => ({ ...i, authHmac: hmacKey(2, 'b2') }));
  }
}

/** keepalived.conf on `lb` before the edit. */
export function keepalivedInitial(kind: Kind, lb: 'lb1' | 'lb2', conf: string): string {
  if (kind === 'check-command') return conf.replace(/script "[^"]+"/, 'script "/bin/true"');
  if (kind === 'vip-remove') return keepalivedEdit('vip-add', lb, conf);
  if (kind === 'preempt-on') return keepalivedEdit('preempt-off', lb, conf);
  return conf;
}

/** keepalived.conf on `lb` after the edit. */
export function keepalivedEdit(kind: Kind, lb: 'lb1' | 'lb2', conf: string): string {
  switch (kind) {
    case 'check-interval':
      return conf.replace(/\binterval 1\b/, 'interval 2');
    case 'check-command':
      return conf.replace('script "/bin/true"', 'script "/usr/bin/true"');
    case 'vip-add':
      return conf.replace(/(virtual_ipaddress \{\n(\s+)\S+)/, `$1\n$2${EXTRA_VIP}`);
    case 'vip-remove':
      return conf.replace(new RegExp(`\\n\\s+${EXTRA_VIP.replaceAll('.', '\\.')}`), '');
    case 'priority-keep':
      return lb === 'lb2' ? conf.replace(/priority 80\b/, 'priority 90') : conf;
    case 'priority-move':
      return lb === 'lb2' ? conf.replace(/priority 80\b/, 'priority 120') : conf;
    case 'advert-interval':
      return conf.replace(/advert_int (\S+)/, (_, v: string) => `advert_int ${Number(v) * 2}`);
    case 'preempt-off':
      return conf.replace(/state MASTER\b/, 'state BACKUP').replace(/(\n(\s+)priority \d+)/, '$1\n$2nopreempt');
    case 'preempt-on':
      return conf.replace(/\n\s+nopreempt/, '');
    case 'member-add':
    case 'member-remove':
      return conf; // keepalived.conf is per host: the backup's keepalived starts or stops (keepalivedMembership)
    case 'password':
      return conf.replace(/auth_pass 1111\b/, 'auth_pass 2222');
    case 'pool-edit':
    case 'agent-restart':
      return conf;
    case 'hmac-on':
    case 'hmac-rotate':
      throw new Error(`${kind}: keepwatch only`);
  }
}

/** For a pool edit: nginx's site with web2's weight 2, reloaded (SIGHUP) — keepalived has no pools. */
export function nginxPoolEdit(site: string): string {
  return site.replace(/(upstream webs \{\n\s*server \S+;\n\s*server \S+?)(;)/, '$1 weight=2$2');
}

/**
 * A member added to or removed from a keepalived pair: keepalived without any vrrp_instance runs no
 * VRRP process, so the backup host's keepalived is started (added) or stopped (removed).
 */
export const keepalivedMembership: Partial<Record<Kind, 'start' | 'stop'>> = {
  'member-add': 'start',
  'member-remove': 'stop',
};

/** `systemctl restart keepalived` on lb1: a graceful stop (priority 0) and a start. */
export async function keepalivedRestart(ka: LabKeepalived): Promise<void> {
  await ka.stop();
  await ka.start();
}
