/**
 * The install job of the SSH bootstrap (bootstrap.ts starts it): checks the host, copies the
 * package, writes the agent config with the one-time token, installs, and waits until the node
 * is enrolled and heard from. Two ways to install, chosen by {@link installMethod}:
 *
 * - `deb`: the host has dpkg and runs systemd, and the default layout is asked for — the .deb is
 *   installed with apt-get (which also brings missing dependencies), the config written to
 *   /etc/keepwatch/agent.json, and keepwatch-agent.service (re)started;
 * - `tarball`: anywhere else (another prefix, no systemd, other distributions) — the tarball is
 *   unpacked and its install.sh run, as before.
 */
import { dirname } from 'node:path';
import type { z } from 'zod';
import { AgentConfigSchema, type AgentConfigInput, type NginxLocalSchema } from '@keepwatch/shared';
import { AppError } from '../../errors';
import type { BootstrapDeps, StartInputSchema } from './bootstrap';
import type { SshSession } from './client';
import type { Job } from './jobs';

export const DEFAULT_PREFIX = '/opt/keepwatch-agent';
/** How long the job waits for the started agent to enroll and be heard from. */
export const DEF_ONLINE_TIMEOUT_MS = 60_000;
const UNIT = 'keepwatch-agent.service';

export type InstallPlan = z.infer<typeof StartInputSchema> & {
  /** The tarball (always there) and the .deb (when one was built). */
  packagePath: string;
  debPath: string | null;
  node: { id: string; name: string };
  token: string;
};

/** Single-quotes a word for a POSIX shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Where install.sh puts the config and state for a prefix (the same rule as install.sh's). */
export function layoutFor(prefix: string): { configPath: string; stateDir: string | undefined } {
  return prefix === DEFAULT_PREFIX
    ? { configPath: '/etc/keepwatch/agent.json', stateDir: undefined }
    : { configPath: `${prefix}/etc/agent.json`, stateDir: `${prefix}/state` };
}

/** The agent's config file for this node: validated with the agent's own schema before it is sent. */
export function agentConfigFor(
  node: string,
  input: { prefix: string; serverUrl: string; nginx?: z.infer<typeof NginxLocalSchema> | undefined },
  enrollToken: string,
  dashboardPin: string | null = null,
): AgentConfigInput {
  const { stateDir } = layoutFor(input.prefix);
  // A wss:// agent pins the dashboard's own key when it serves TLS itself (SSH bootstrap hands the
  // pin over the SSH channel the admin verified); a new config gets the default script policy.
  const pins = dashboardPin && input.serverUrl.startsWith('wss://') ? { pins: [dashboardPin] } : {};
  const cfg: AgentConfigInput = {
    node,
    ...(input.nginx ? { nginx: input.nginx } : {}),
    ...(stateDir ? { stateDir } : {}),
    scripts: {},
    controlPlane: { url: input.serverUrl, enrollToken, ...pins },
  };
  const r = AgentConfigSchema.safeParse(cfg);
  if (!r.success)
    throw new AppError('BAD_REQUEST', {
      message: `agent config: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    });
  return cfg;
}

/**
 * The .deb when the host can take it and it fits what was asked, else the tarball; `why` is
 * shown in the progress log. The package installs to /usr/bin and /etc/keepwatch and runs under
 * systemd, so another prefix or `systemd: never` keeps the tarball.
 */
export function installMethod(p: {
  hasDpkg: boolean;
  runsSystemd: boolean;
  prefix: string;
  systemd: 'auto' | 'never';
  haveDeb: boolean;
}): { method: 'deb' | 'tarball'; why: string } {
  if (!p.hasDpkg) return { method: 'tarball', why: 'the host has no dpkg' };
  if (!p.haveDeb) return { method: 'tarball', why: 'no .deb was built (npm run package:agent)' };
  if (p.prefix !== DEFAULT_PREFIX) return { method: 'tarball', why: `the prefix ${p.prefix} was asked for` };
  if (p.systemd === 'never') return { method: 'tarball', why: 'systemd was not to be used' };
  if (!p.runsSystemd) return { method: 'tarball', why: 'the host does not run systemd' };
  return { method: 'deb', why: 'the host has dpkg and runs systemd' };
}

/** Runs the install; resolves with the success line once the node is online and the host is tidied. */
export async function runInstall(deps: BootstrapDeps, job: Job, s: SshSession, plan: InstallPlan): Promise<string> {
  // Non-root logins run the privileged steps through sudo (without a password prompt: -n).
  const root = plan.target.username === 'root' ? '' : 'sudo -n ';
  const must = async (what: string, cmd: string, stream = false) => {
    const r = await s.exec(cmd, stream ? { onLine: (l) => job.add('output', l) } : {});
    if (r.code !== 0)
      throw new Error(
        `${what} failed (exit ${r.code ?? r.signal}): ${(r.stderr || r.stdout).trim().split('\n').slice(-8).join('\n')}`,
      );
    return r.stdout.trim();
  };
  let tmp: string | null = null;
  const started = new Date();
  try {
    job.add('step', 'checking the host');
    const uname = await must('uname', 'uname -sm');
    if (uname !== 'Linux x86_64') throw new Error(`the agent package is for Linux x86_64; this host is ${uname}`);
    const probe = await s.exec(
      'command -v dpkg >/dev/null && echo dpkg; [ -d /run/systemd/system ] && echo systemd; command -v node >/dev/null && node --version',
    );
    const seen = probe.stdout.split('\n').map((l) => l.trim());
    const { method, why } = installMethod({
      hasDpkg: seen.includes('dpkg'),
      runsSystemd: seen.includes('systemd'),
      prefix: plan.prefix,
      systemd: plan.systemd,
      haveDeb: plan.debPath !== null,
    });
    job.add('output', `installing the ${method === 'deb' ? '.deb package' : 'tarball with install.sh'}: ${why}`);
    if (method === 'tarball') {
      const node = seen.find((l) => l.startsWith('v'));
      job.add('output', node ? `Node.js ${node}` : 'no `node` on the login PATH (install.sh will say what it needs)');
    }

    tmp = await must('mktemp', 'mktemp -d /tmp/keepwatch-bootstrap.XXXXXX');
    if (!/^\/tmp\/keepwatch-bootstrap\.[A-Za-z0-9]+$/.test(tmp))
      throw new Error(`mktemp answered ${JSON.stringify(tmp)}`);
    const source = method === 'deb' ? plan.debPath! : plan.packagePath;
    const remote = `${tmp}/${method === 'deb' ? 'keepwatch-agent.deb' : 'keepwatch-agent.tar.gz'}`;
    job.add('step', `copying the agent package (${source.split('/').at(-1)})`);
    await s.putFile(source, remote);
    if (method === 'tarball') await must('unpacking the package', `tar -xzf ${remote} -C ${tmp}`);

    const { configPath } = layoutFor(plan.prefix);
    job.add('step', `writing ${configPath} (dashboard ${plan.serverUrl}, a one-time enrollment token)`);
    const cfg = agentConfigFor(plan.node.name, plan, plan.token, deps.settings.dashboardPin ?? null);
    await s.writeFile(`${tmp}/agent.json`, `${JSON.stringify(cfg, null, 2)}\n`, 0o600);
    await must(
      'installing the config',
      `${root}mkdir -p ${shellQuote(dirname(configPath))} && ${root}install -m 600 ${tmp}/agent.json ${shellQuote(configPath)}`,
    );

    if (method === 'deb') {
      // The config is in place first, so postinst starts the agent itself, or warm-restarts a
      // running one onto the new executable (keeping its VIPs). Only when the agent's process
      // is the one from before (the same version re-installed: no postinst ran) is it restarted
      // here, to read the new config.
      job.add('step', 'running apt-get install (the .deb)');
      const mainPid = async () => (await s.exec(`systemctl show -p MainPID --value ${UNIT}`)).stdout.trim();
      const before = await mainPid();
      await must('apt-get install', `${root}env DEBIAN_FRONTEND=noninteractive apt-get install -y ${remote}`, true);
      const same = before !== '0' && before !== '' && (await mainPid()) === before;
      await must(
        `systemctl ${same ? 'restart' : 'start'} ${UNIT}`,
        `${root}systemctl ${same ? 'restart' : 'start'} ${UNIT}`,
      );
      job.add('output', `keepwatch-agent: started (systemd, ${UNIT})`);
    } else {
      job.add('step', `running install.sh (prefix ${plan.prefix})`);
      const args = [
        '--prefix',
        plan.prefix,
        '--config',
        configPath,
        '--start',
        ...(plan.systemd === 'never' ? ['--no-systemd'] : []),
      ]
        .map(shellQuote)
        .join(' ');
      const out = await must('install.sh', `${root}sh ${tmp}/keepwatch-agent-*/install.sh ${args}`, true);
      const last = out.split('\n').at(-1) ?? '';
      if (!/keepwatch-agent: started/.test(last)) throw new Error(`install.sh did not start the agent: ${last}`);
    }

    job.add('step', 'waiting for the agent to enroll and report');
    const timeoutMs = deps.onlineTimeoutMs ?? DEF_ONLINE_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = await deps.db.node.findUnique({
        where: { id: plan.node.id },
        select: { credentialHash: true, lastSeenAt: true, agentVersion: true, agentAddress: true },
      });
      if (n?.credentialHash && n.lastSeenAt && n.lastSeenAt >= started) {
        return `node ${plan.node.name} is online: enrolled, agent ${n.agentVersion ?? '?'}${n.agentAddress ? ` from ${n.agentAddress}` : ''}`;
      }
      if (Date.now() > deadline) {
        const tailCmd =
          method === 'deb'
            ? `${root}journalctl -u ${UNIT} -n 20 --no-pager`
            : `${root}tail -n 20 ${shellQuote(`${plan.prefix}/log/keepwatch-agent.log`)}`;
        const tail = await s.exec(tailCmd).catch(() => null);
        throw new Error(
          `the agent was started but has not connected within ${timeoutMs / 1000} s: can the host reach ${plan.serverUrl}?${tail?.stdout ? `\n${tail.stdout.trim()}` : ''}`,
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    if (tmp) await s.exec(`rm -rf ${tmp}`).catch(() => undefined);
    s.close();
  }
}
