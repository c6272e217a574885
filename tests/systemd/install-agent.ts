/**
 * Installs keepwatch-agent into a lab systemd container the way a package would: the command at
 * /usr/bin/keepwatch-agent, the shipped units in /etc/systemd/system, the configuration at
 * /etc/keepwatch/agent.json. The command is the single executable from `npm run package:agent`
 * when it has been built; otherwise a wrapper that execs this machine's node on the compiled agent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AgentConfigInput } from '@keepwatch/shared';
import type { SystemdContainer } from '@keepwatch/lab';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const UNITS = ['keepwatch-agent.service', 'keepwatch-agent-cleanup.service'];

/** The packaged single executable of this checkout's agent version, or null when it is not built. */
export function agentExecutable(): string | null {
  const { version } = JSON.parse(readFileSync(`${REPO}apps/agent/package.json`, 'utf8')) as { version: string };
  const path = `${REPO}dist/keepwatch-agent-${version}-linux-x64`;
  return existsSync(path) ? path : null;
}

/** Installs the command, the units and the configuration; returns which command was installed. */
export async function installAgent(
  box: SystemdContainer,
  config: AgentConfigInput,
): Promise<{ command: 'executable' | 'wrapper'; source: string }> {
  // KEEPWATCH_TEST_AGENT=wrapper forces the fallback (to check it where the executable is built).
  const exe = process.env.KEEPWATCH_TEST_AGENT === 'wrapper' ? null : agentExecutable();
  if (exe) box.writeFile('/usr/bin/keepwatch-agent', readFileSync(exe), 0o755);
  else
    box.writeFile(
      '/usr/bin/keepwatch-agent',
      `#!/bin/sh\n# exec: the agent keeps the unit's main PID (NotifyAccess=main)\nexec ${process.execPath} ${REPO}apps/agent/dist/main.js "$@"\n`,
      0o755,
    );
  for (const u of UNITS)
    box.writeFile(`/etc/systemd/system/${u}`, readFileSync(`${REPO}apps/agent/systemd/${u}`, 'utf8'));
  box.writeFile('/etc/keepwatch/agent.json', JSON.stringify(config, null, 2), 0o600);
  const r = await box.systemctl('daemon-reload');
  if (r.code !== 0) throw new Error(`daemon-reload: ${r.stderr}`);
  return exe
    ? { command: 'executable', source: exe }
    : { command: 'wrapper', source: `${REPO}apps/agent/dist/main.js` };
}
