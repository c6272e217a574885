/**
 * The agent's configuration file: this node's identity and local facts plus the cluster spec it
 * runs (DESIGN.md "the agent's configuration"). The spec names nodes; the agent picks its own
 * entry by `node`. With a control plane, the spec arrives as numbered revisions and the file's
 * `spec` is only the fallback to start from.
 */
import { z } from 'zod';
import { ClusterSpecSchema } from './cluster.js';
import {
  AbsolutePathSchema,
  ArgvSchema,
  InterfaceNameSchema,
  IpAddressSchema,
  NameSchema,
  PortSchema,
} from './grammar.js';

/** Where and how the agent drives nginx on this host. Defaults fit Debian's nginx package. */
export const NginxLocalSchema = z.strictObject({
  binary: AbsolutePathSchema.default('/usr/sbin/nginx'),
  /** `nginx -p`: the prefix path. */
  prefix: AbsolutePathSchema.default('/etc/nginx/'),
  /** The main config (`nginx -c`). */
  mainConfPath: AbsolutePathSchema.default('/etc/nginx/nginx.conf'),
  /** The file the rendered http-level config is written to (included by the main config). */
  confPath: AbsolutePathSchema.default('/etc/nginx/conf.d/keepwatch.conf'),
  /**
   * A file the main config includes at top level, for the rendered main-context directives
   * (`worker_shutdown_timeout`): Debian's nginx.conf includes `/etc/nginx/modules-enabled/*.conf`
   * there, RHEL's `/usr/share/nginx/modules/*.conf`. Absent: the agent writes none (set
   * `worker_shutdown_timeout` in nginx.conf yourself; two would fail `nginx -t`).
   */
  mainContextPath: AbsolutePathSchema.optional(),
  pidPath: AbsolutePathSchema.default('/run/nginx.pid'),
  /** How supervision starts nginx; run detached, never in the agent's process group. */
  startCommand: ArgvSchema.default(['/usr/bin/systemctl', 'start', 'nginx']),
  /** Whether an nginx `[warn]` during `nginx -t` fails the apply (STYLE §G37). */
  failOnWarn: z.boolean().default(false),
});
/** Where and how the agent drives nginx. */
export type NginxLocal = z.infer<typeof NginxLocalSchema>;

/** A public-key pin: `sha256/` and the base64 SHA-256 of a certificate's SubjectPublicKeyInfo. */
export const TlsPinSchema = z
  .string()
  .regex(/^sha256\/[A-Za-z0-9+/]{43}=$/, { message: 'must be sha256/ followed by 44 base64 characters' });

/** Whether `hostAndPath` (what follows `ws://`) names a loopback host: 127.0.0.0/8, [::1], localhost. */
function isLoopbackHost(hostAndPath: string): boolean {
  const host = hostAndPath.startsWith('[')
    ? hostAndPath.slice(1, hostAndPath.indexOf(']'))
    : (hostAndPath.split(/[:/]/, 1)[0] ?? '');
  const octets = host.split('.');
  const is127 =
    octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) < 256);
  return is127 || host === '::1' || host.toLowerCase() === 'localhost';
}

/** How the agent reaches the dashboard. */
export const ControlPlaneSchema = z.strictObject({
  /** `ws://`, `wss://` or `ws+unix:///path/to.sock:/agent`. */
  url: z
    .string()
    .max(2048)
    .regex(
      /^(?:wss?:\/\/[A-Za-z0-9.[\]:-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._~/-]*)?|ws\+unix:\/\/\/[A-Za-z0-9_./+@-]+(?::\/[A-Za-z0-9._~/-]*)?)$/,
      {
        message: 'must be a ws://, wss:// or ws+unix:// URL',
      },
    )
    // The channel carries the enrollment token, the node credential, VRRP passwords and every
    // revision (issue #15 finding 2): in clear only where nobody is on the path.
    .refine((url) => !url.startsWith('ws://') || isLoopbackHost(url.slice('ws://'.length)), {
      message:
        'ws:// sends the enrollment token, the credential and every revision in clear: use wss:// (ws:// only to 127.0.0.1, ::1 or localhost, or ws+unix:// for a local socket)',
    }),
  /** One-time enrollment token, exchanged on first connect for the node credential. */
  enrollToken: z
    .string()
    .regex(/^[A-Za-z0-9._~+/=-]{16,512}$/)
    .optional(),
  /**
   * wss:// only: the dashboard's public keys this agent trusts, as `sha256/<base64 of the SHA-256
   * of its SubjectPublicKeyInfo>` (what `keepwatch-dashboard` prints and the enroll page shows), as
   * SSH pins host keys. Any one matching is enough, so a new key is added before the old one goes
   * (rotation without re-enrolling). Without pins, the certificate must chain to a trusted CA.
   */
  pins: z.array(TlsPinSchema).min(1).max(8).optional(),
  /** wss:// only: a PEM file of CA certificates to trust instead of the system's. */
  caFile: AbsolutePathSchema.optional(),
});
/** How the agent reaches the dashboard. */
export type ControlPlane = z.infer<typeof ControlPlaneSchema>;

/**
 * What the dashboard may make this agent run (issue #15 finding 1): the host's own bound on script
 * checks, kept in the agent's config file, which the dashboard cannot change. A revision asking
 * for more is refused at apply, naming the check and the policy field; nothing of it runs.
 */
export const ScriptPolicySchema = z.strictObject({
  /** Directories a script's program (argv[0]) must be in; the path and every parent must be writable by root only (keepalived `enable_script_security`). */
  allowedDirs: z.array(AbsolutePathSchema).max(32).default(['/etc/keepwatch/scripts', '/usr/lib/keepwatch/scripts']),
  /** Shell lines (`shell`, or a shell run with -c) — arbitrary commands. */
  allowShell: z.boolean().default(false),
  /** Whether a script may run as root (a check naming root, or no user anywhere). */
  allowRoot: z.boolean().default(false),
});
export type ScriptPolicy = z.infer<typeof ScriptPolicySchema>;
/** The user scripts run as under a policy when neither the check nor `scriptUser` names one (the packages create it). */
export const DEFAULT_SCRIPT_USER = 'keepwatch-script';

/** The agent's configuration, before cross-field rules. */
export const AgentConfigObjectSchema = z.strictObject({
  /** This node's name: must be one of `spec.nodes[].name`. For imports, keepalived's `router_id`. */
  node: NameSchema,
  /** Interfaces present on this host; when given, every interface the spec uses for this node must be one. */
  interfaces: z.array(InterfaceNameSchema).max(64).optional(),
  nginx: NginxLocalSchema.default(NginxLocalSchema.parse({})),
  /** Where the agent keeps its last applied revision, credential and warm-restart state. */
  stateDir: AbsolutePathSchema.default('/var/lib/keepwatch'),
  /** User that scripts run as when a check names none (keepalived `script_user`). */
  scriptUser: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/)
    .optional(),
  /**
   * The script policy. Absent (a config from before 0.3): no bound — the dashboard can make the
   * agent run any command as root, and the agent warns at start. `keepwatch-agent enroll` writes
   * the defaults (`{}`) into a new config.
   */
  scripts: ScriptPolicySchema.optional(),
  controlPlane: ControlPlaneSchema.optional(),
  /** Prometheus endpoint; absent = off. */
  metrics: z.strictObject({ address: IpAddressSchema.default('127.0.0.1'), port: PortSchema.default(9623) }).optional(),
  /** The cluster spec to run; required standalone (no control plane). */
  spec: ClusterSpecSchema.optional(),
});

/**
 * The agent's configuration with its cross-field rules: a spec or a control plane is present,
 * and the spec names this node.
 */
export const AgentConfigSchema = AgentConfigObjectSchema.superRefine((cfg, ctx) => {
  if (!cfg.spec && !cfg.controlPlane) {
    ctx.addIssue({ code: 'custom', path: ['spec'], message: 'a spec is required when no controlPlane is configured' });
    return;
  }
  if (!cfg.spec) return;
  const me = cfg.spec.nodes.find((n) => n.name === cfg.node);
  if (!me) {
    ctx.addIssue({
      code: 'custom',
      path: ['node'],
      message: `node "${cfg.node}" is not in spec.nodes (${cfg.spec.nodes.map((n) => n.name).join(', ')})`,
    });
    return;
  }
  if (cfg.interfaces) {
    me.interfaces.forEach((ifname, i) => {
      if (!cfg.interfaces?.includes(ifname)) {
        const j = cfg.spec?.nodes.indexOf(me) ?? 0;
        ctx.addIssue({
          code: 'custom',
          path: ['spec', 'nodes', j, 'interfaces', i],
          message: `interface "${ifname}" is not present on this host`,
        });
      }
    });
  }
});
/** The agent's configuration, as parsed. */
export type AgentConfig = z.infer<typeof AgentConfigSchema>;
/** The agent's configuration as written. */
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
