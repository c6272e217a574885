// keepwatch-agent: the composition root. argv → config → modules → lifecycle; no logic here.
//
//   keepwatch-agent run --config FILE          run standalone from a local file
//   keepwatch-agent run --config FILE --server URL [--token T]
//                                              … with the control plane at URL (ws://, wss://,
//                                              ws+unix://); T is the one-time enrollment token
//   keepwatch-agent enroll --server URL --node NAME --token T [--config FILE]
//                                              write the config a package's unit starts from
//   keepwatch-agent cleanup --config FILE      remove this node's VIPs (systemd OnFailure=)
//   keepwatch-agent import-keepalived FILE [--nginx FILE]
//                                              print an agent config for a keepalived.conf
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ControlPlaneSchema, type AgentConfig } from '@keepwatch/shared';
import { onStopSignals } from '@keepwatch/shared/signals';
import { Agent } from './agent.js';
import { AgentMetrics } from './metrics.js';
import { MetricsServer } from './metrics-server.js';
import { VrrpTransport } from './transport/vrrp-transport.js';
import { VipActuator } from './vip/addresses.js';
import { announceVips } from './vip/announce.js';
import { primaryAddressOf } from './vip/primary-address.js';
import { HealthScheduler } from './health/scheduler.js';
import { buildCheck } from './health/build-checks.js';
import type { PidWatcher } from './health/kinds/nginx.js';
import { watchPidExit } from './process/pid-watch.js';
import { scriptLauncher } from './health/kinds/script-launch.js';
import { LinkWatch } from './vrrp/link-watch.js';
import { NginxApplier } from './nginx/apply.js';
import { TlsFiles } from './nginx/tls-files.js';
import { AuthFiles } from './nginx/auth-files.js';
import { realNginxExec } from './nginx/exec.js';
import { NginxBuildProbe } from './nginx/build-info.js';
import { ControlClient, type ControlHandlers } from './control/client.js';
import { AdminStateFile } from './control/commands.js';
import { RevisionFile } from './state/revision.js';
import { WarmStateFile } from './state/warm.js';
import { ConfigError, loadAgentConfig } from './config/load.js';
import { DEFAULT_CONFIG_PATH, writeEnrollment } from './config/enroll.js';
import { createLogger, type Logger } from './log.js';
import { loadNative, type NativeNet } from './transport/native.js';
import { describeUnsupported, importKeepalivedFiles } from './import-keepalived.js';
import { readEnv } from './config/env.js';
import { SystemdNotifier } from './lifecycle.js';
import { AGENT_VERSION } from './control/client.js';
import type { WarmReplay } from './warm-start/replay.js';

const USAGE = `usage:
  keepwatch-agent run --config FILE [--server URL [--token T] [--pin sha256/…]…]
  keepwatch-agent enroll --server URL --node NAME --token T [--pin sha256/…]… [--config FILE]
  keepwatch-agent cleanup --config FILE
  keepwatch-agent import-keepalived FILE [--nginx FILE]
  keepwatch-agent --version`;

const ArgsSchema = z.discriminatedUnion('command', [
  z
    .strictObject({
      command: z.literal('run'),
      config: z.string().min(1),
      server: ControlPlaneSchema.shape.url.optional(),
      token: ControlPlaneSchema.shape.enrollToken,
      pin: ControlPlaneSchema.shape.pins,
    })
    .refine((a) => a.token === undefined || a.server !== undefined, {
      path: ['token'],
      message: '--token needs --server',
    }),
  z.strictObject({ command: z.literal('cleanup'), config: z.string().min(1) }),
  z.strictObject({
    command: z.literal('enroll'),
    config: z.string().min(1).default(DEFAULT_CONFIG_PATH),
    server: ControlPlaneSchema.shape.url,
    node: z.string().min(1),
    token: z.string().min(1),
    pin: ControlPlaneSchema.shape.pins,
  }),
  z.strictObject({
    command: z.literal('import-keepalived'),
    file: z.string().min(1),
    nginx: z.string().min(1).optional(),
  }),
]);

function parseCli(argv: string[]): z.infer<typeof ArgsSchema> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      nginx: { type: 'string' },
      server: { type: 'string' },
      token: { type: 'string' },
      pin: { type: 'string', multiple: true },
      node: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    },
  });
  if (values.version) {
    console.log(`keepwatch-agent ${AGENT_VERSION}`);
    process.exit(0);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const [command, file] = positionals;
  const raw =
    command === 'import-keepalived'
      ? { command, file, nginx: values.nginx }
      : command === 'run'
        ? { command, config: values.config, server: values.server, token: values.token, pin: values.pin }
        : command === 'enroll'
          ? {
              command,
              config: values.config,
              server: values.server,
              node: values.node,
              token: values.token,
              pin: values.pin,
            }
          : { command, config: values.config };
  const parsed = ArgsSchema.safeParse(JSON.parse(JSON.stringify(raw)));
  if (!parsed.success) {
    console.error(
      `keepwatch-agent: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'command'}: ${i.message}`).join('; ')}\n${USAGE}`,
    );
    process.exit(2);
  }
  return parsed.data;
}

/** Builds every module and hands them to the Agent (STYLE §G35): the only place that wires. */
function compose(cfg: AgentConfig, net: NativeNet, log: Logger, warm: WarmReplay | null): Agent {
  const metrics = new AgentMetrics();
  const warmFile = new WarmStateFile(cfg.stateDir, log, Date.now, warm ? { startedAt: warm.startedAt } : {});
  const transport = new VrrpTransport(net, metrics, log, {
    beforeStart: () => warm?.stop(),
    advertSent: (name, advert) => warmFile.advertSent(name, advert),
  });
  const n = cfg.nginx;
  const nginxExec = realNginxExec(
    { binary: n.binary, args: ['-p', n.prefix, '-c', n.mainConfPath], pidFile: n.pidPath },
    { failOnWarn: n.failOnWarn },
  );
  const watchPid: PidWatcher = (pid, onExit) => watchPidExit(net, pid, onExit);
  const checkHost = { watchPid, launch: scriptLauncher(net) };
  // The scheduler and the control client call back into the agent, which is built last.
  const handlers: ControlHandlers = {
    applyRevision: (revision, spec, tls) => agent.controlHandlers.applyRevision(revision, spec, tls),
    appliedRevision: () => agent.controlHandlers.appliedRevision(),
    heartbeat: () => agent.controlHandlers.heartbeat(),
    command: (c) => agent.controlHandlers.command(c),
  };
  const nginxBuild = new NginxBuildProbe(n.binary, log);
  const control = cfg.controlPlane
    ? new ControlClient({
        nginxBuild,
        controlPlane: cfg.controlPlane,
        node: cfg.node,
        stateDir: cfg.stateDir,
        log: log.child({ component: 'control' }),
        rng: Math.random,
        handlers,
      })
    : null;
  const agent: Agent = new Agent({
    cfg,
    log,
    metrics,
    transport,
    vips: new VipActuator(net),
    announce: (vips, count) => announceVips(net, log, vips, count),
    primaryAddress: primaryAddressOf(net),
    scheduler: new HealthScheduler([], (r) => agent.onCheck(r)),
    buildCheck: (c) => buildCheck(c, cfg, checkHost),
    linkWatch: new LinkWatch(net),
    nginx: new NginxApplier(nginxExec, {
      confPath: n.confPath,
      writtenStatePath: join(cfg.stateDir, 'nginx-written.json'),
      ...(n.mainContextPath ? { mainContextPath: n.mainContextPath } : {}),
    }),
    nginxBuild,
    tlsFiles: new TlsFiles(join(cfg.stateDir, 'tls')),
    authFiles: new AuthFiles(join(cfg.stateDir, 'nginx-auth')),
    metricsServer: new MetricsServer(cfg.metrics, metrics),
    control,
    revisionFile: cfg.controlPlane ? new RevisionFile(cfg.stateDir, log) : null,
    warmFile,
    adminFile: new AdminStateFile(cfg.stateDir, (err, what) => log.warn({ err }, what)),
  });
  return agent;
}

async function main(warm: WarmReplay | null, heldSignals: () => NodeJS.Signals[]): Promise<void> {
  const args = parseCli(process.argv.slice(2));
  if (args.command === 'import-keepalived') {
    const r = importKeepalivedFiles(args.file, { nginxFile: args.nginx });
    for (const u of r.unsupported) console.error(`warning: ${describeUnsupported(u)}`);
    for (const n of r.notes) console.error(`note: ${n}`);
    if (!r.ok) {
      for (const e of r.errors)
        console.error(`error: ${e.file ?? args.file}${e.line ? `:${e.line}` : ''}: ${e.message}`);
      process.exit(2);
    }
    console.log(JSON.stringify(r.config, null, 2));
    return;
  }
  if (args.command === 'enroll') {
    writeEnrollment(args.config, { node: args.node, server: args.server, token: args.token, pins: args.pin });
    console.log(`keepwatch-agent: ${args.config} written (node ${args.node}, dashboard ${args.server})`);
    console.log('next: systemctl start keepwatch-agent');
    return;
  }
  const cfg = loadAgentConfig(
    args.config,
    args.command === 'run' && args.server
      ? {
          controlPlane: {
            url: args.server,
            ...(args.token ? { enrollToken: args.token } : {}),
            ...(args.pin ? { pins: args.pin } : {}),
          },
        }
      : {},
  );
  const env = readEnv();
  const log = createLogger(env.KEEPWATCH_LOG_LEVEL ? { level: env.KEEPWATCH_LOG_LEVEL } : {});
  const net = loadNative({ runtimeDirectory: env.RUNTIME_DIRECTORY?.split(':')[0] });
  if (warm?.instances.length) log.info({ instances: warm.instances }, 'warm restart: repeating the last adverts');
  const agent = compose(cfg, net, log, warm);
  const systemd = new SystemdNotifier(net, env.NOTIFY_SOCKET, env.WATCHDOG_USEC);
  if (args.command === 'cleanup') {
    const removed = await agent.cleanup();
    log.info({ vips: removed.map((v) => v.address) }, 'cleanup: VIPs removed');
    return;
  }
  // A repeat within a second is the same Ctrl-C relayed twice; a later one exits at once (STYLE §G36).
  const listenForStop = () =>
    onStopSignals(process, {
      onFirst: (sig) => {
        log.info({ signal: sig }, 'stopping');
        systemd.stopping();
        agent.stop().then(
          () => process.exit(0),
          (e: unknown) => {
            log.error({ err: e }, 'stop failed');
            process.exit(1);
          },
        );
      },
      onSecond: (sig) => {
        log.warn({ signal: sig }, 'second signal: exiting at once');
        process.exit(1);
      },
    });
  // While the start-up replay claims VIPs, entry.ts holds stop signals: a stop then waits until
  // the resumed instances run and takes the whole stop path (priority-0 advert, VIPs removed)
  // instead of aborting a start that would leave the claimed VIPs behind.
  const replaying = (warm?.instances.length ?? 0) > 0;
  if (!replaying) listenForStop();
  await agent.start();
  systemd.ready();
  if (replaying) {
    listenForStop();
    for (const signal of heldSignals()) process.kill(process.pid, signal);
  }
}

/** Runs the command line (entry.ts calls it, after the start-up replay). */
export function run(warm: WarmReplay | null, heldSignals: () => NodeJS.Signals[] = () => []): void {
  main(warm, heldSignals).catch((e: unknown) => {
    warm?.stop();
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    console.error(`keepwatch-agent: ${(e as Error).message}`);
    process.exit(1);
  });
}
