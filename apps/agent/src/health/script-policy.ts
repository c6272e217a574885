/**
 * The host's bound on what a revision's script checks may run (issue #15 finding 1), checked when
 * a revision arrives and before anything of it runs. Pure apart from the two lookups passed in
 * (file metadata and the passwd file), so the rules are unit-tested on any tree.
 */
import { realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, normalize } from 'node:path';
import { DEFAULT_SCRIPT_USER, type AgentConfig, type HealthCheck, type ScriptPolicy } from '@keepwatch/shared';
import { lookupUser } from './kinds/script.js';

export type FileMeta = { uid: number; gid: number; mode: number };
export type PolicyLookups = {
  /** lstat-like metadata of a path, or null when it does not exist. */
  stat(path: string): FileMeta | null;
  /** A user's uid, or null when there is no such user. */
  uid(user: string): number | null;
  /** The path with symlinks resolved (what really runs); absent: the path as given. */
  realPath?(path: string): string;
};

/** Programs that run their argument as a command line when given -c. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'busybox', 'env']);

/** The user a script check runs as: the check's, the config's `scriptUser`, else the policy's default (none without a policy: the agent's own). */
export function scriptUserOf(check: Extract<HealthCheck, { kind: 'script' }>, cfg: AgentConfig): string | undefined {
  return check.user?.user ?? cfg.scriptUser ?? (cfg.scripts ? DEFAULT_SCRIPT_USER : undefined);
}

/**
 * keepalived `enable_script_security`: a script is refused when it, or any directory above it,
 * is writable by someone other than root (owned by another user, or group-writable with a group
 * other than root, or writable by others). Returns why, or null.
 */
export function insecurePathReason(path: string, stat: PolicyLookups['stat']): string | null {
  for (let p = path; ; p = dirname(p)) {
    const m = stat(p);
    if (!m) return `${p} does not exist`;
    if (m.uid !== 0) return `${p} is owned by uid ${m.uid}, not root`;
    if (m.mode & 0o020 && m.gid !== 0) return `${p} is writable by group ${m.gid}`;
    if (m.mode & 0o002) return `${p} is writable by everyone`;
    if (p === '/') return null;
  }
}

/** Every way `spec`'s script checks exceed the policy, one message each naming the check and the policy field. */
export function scriptPolicyViolations(
  checks: readonly HealthCheck[],
  cfg: AgentConfig,
  lookups: PolicyLookups,
): string[] {
  const policy: ScriptPolicy | undefined = cfg.scripts;
  if (!policy) return [];
  const out: string[] = [];
  for (const check of checks) {
    if (check.kind !== 'script') continue;
    const where = `check ${JSON.stringify(check.name)}`;
    const argv = 'argv' in check.command ? check.command.argv : null;
    const program = argv?.[0] ?? '';
    const base = program.split('/').at(-1) ?? '';
    const runsShell =
      argv === null || (SHELLS.has(base) && argv.slice(1).some((a) => a === '-c' || a.startsWith('-c')));
    if (runsShell && !policy.allowShell)
      out.push(`${where}: runs a shell line, and this host's policy has scripts.allowShell false`);
    if (argv !== null) {
      const path = normalize(program);
      const inAllowed = policy.allowedDirs.some((d) => path.startsWith(d.endsWith('/') ? d : `${d}/`));
      if (!isAbsolute(path) || !inAllowed)
        out.push(
          `${where}: ${program} is outside this host's scripts.allowedDirs (${policy.allowedDirs.join(', ') || 'none'})`,
        );
      else {
        const insecure = insecurePathReason(lookups.realPath?.(path) ?? path, lookups.stat);
        if (insecure) out.push(`${where}: ${insecure} (scripts must be writable by root only)`);
      }
    }
    const user = scriptUserOf(check, cfg)!;
    const uid = lookups.uid(user);
    if (uid === null) out.push(`${where}: runs as user ${JSON.stringify(user)}, who does not exist on this host`);
    else if (uid === 0 && !policy.allowRoot)
      out.push(`${where}: runs as root, and this host's policy has scripts.allowRoot false`);
  }
  return out;
}

/** The lookups on this host: metadata of the real path (symlinks resolved), users from /etc/passwd. */
export function hostLookups(passwd = '/etc/passwd'): PolicyLookups {
  return {
    stat(path) {
      try {
        const s = statSync(path);
        return { uid: s.uid, gid: s.gid, mode: s.mode };
      } catch {
        return null;
      }
    },
    uid(user) {
      try {
        return lookupUser(user, passwd).uid;
      } catch {
        return null;
      }
    },
    realPath: realScriptPath,
  };
}

/** A script path with its symlinks resolved (what really runs), or the path itself when it does not exist. */
export function realScriptPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
