/**
 * The wire protocol between agent and dashboard (the hub at `/agent`): JSON text frames over a
 * WebSocket, each one message, a discriminated union on `type` with the protocol version `v`
 * (STYLE §D18). Both directions are validated with these schemas; {@link parseAgentFrame} and
 * {@link parseHubFrame} are the only way in.
 *
 * Session: the agent sends `enroll` (first connect, one-time token) and gets `enrolled` with its
 * node credential, or sends `hello` with that credential and gets `welcome`. Then the hub pushes
 * `config-push` and `command`; the agent sends `apply-result`, `state-transition`,
 * `check-result`, `command-result` and a `heartbeat` every `heartbeatIntervalMs`. Events carry
 * a per-agent `seq` and their original time `at`, so the agent can buffer them while
 * disconnected and replay them; the hub answers `ack { seq }` once stored, and the agent drops
 * everything up to it.
 */
import { z } from 'zod';
import { ClusterSpecSchema } from '../spec/cluster.js';
import { VrrpStateSchema } from '../spec/vrrp-instance.js';
import { NameSchema } from '../spec/grammar.js';
import { TlsPinSchema } from '../spec/agent-config.js';
import { CapabilitySchema, HandEditReplacedSchema, NginxStatusSchema } from './nginx-status.js';
import { TLS_CAPABILITY, TlsMaterialSchema } from './tls-material.js';
import { text } from './text.js';

/** The protocol version this package speaks. */
export const PROTOCOL_VERSION = 1;
/** Versions a peer built from this package accepts. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [PROTOCOL_VERSION];

const v = z.literal(PROTOCOL_VERSION);
/** Unix epoch milliseconds on the sender's wall clock (events keep their original time on replay). */
const at = z.number().int().min(0).max(8_640_000_000_000_000);
/** Per-agent event sequence number, increasing by one for each event the agent emits. */
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const revision = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** An opaque credential or token: URL-safe characters only, so it never needs escaping in logs or headers. */
const secret = z.string().regex(/^[A-Za-z0-9._~+/=-]{16,512}$/, { message: 'must be 16-512 URL-safe characters' });
/** Correlates a command with its result; chosen by the hub (e.g. a UUID). */
const commandId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** Agent → hub: first connect with a one-time enrollment token. */
export const EnrollMessageSchema = z.strictObject({
  v,
  type: z.literal('enroll'),
  node: NameSchema,
  token: secret,
  agentVersion: z.string().regex(/^[0-9A-Za-z.+-]{1,64}$/),
});

/** Agent → hub: opens an authenticated session. */
export const HelloMessageSchema = z.strictObject({
  v,
  type: z.literal('hello'),
  node: NameSchema,
  /** The node credential received in `enrolled` (kept in the agent's state directory). */
  credential: secret,
  agentVersion: z.string().regex(/^[0-9A-Za-z.+-]{1,64}$/),
  /** Optional features the agent supports (e.g. `vrrp-v3`, `ipv6`, `check-http`), for the hub to adapt. */
  capabilities: z.array(CapabilitySchema).max(64),
  /** The revision running now (last applied), or null before the first apply. */
  appliedRevision: revision.nullable(),
  /** The highest event `seq` the agent has emitted, so the hub knows what replay to expect. */
  lastSeq: seq.nullable(),
});

/** Agent → hub: how applying a revision went. `failed` carries nginx's own output. */
export const ApplyResultMessageSchema = z.discriminatedUnion('outcome', [
  z.strictObject({
    v,
    type: z.literal('apply-result'),
    seq,
    at,
    revision,
    outcome: z.literal('applied'),
    /** The apply overwrote a hand edit of the rendered nginx file (only to hubs with `nginx-status`). */
    handEditReplaced: HandEditReplacedSchema.optional(),
  }),
  z.strictObject({
    v,
    type: z.literal('apply-result'),
    seq,
    at,
    revision,
    outcome: z.literal('failed'),
    /** Where it failed: spec check on the node, render, `nginx -t`, reload, reload verification, or VRRP settings. */
    stage: z.enum(['validate', 'render', 'test', 'reload', 'verify', 'vrrp']),
    message: text(2048),
    /** nginx's stderr/stdout for `test` and `reload`; empty otherwise. */
    nginxOutput: text(65_536),
    /** The revision still running after rollback (null when none was ever applied). */
    runningRevision: revision.nullable(),
  }),
]);

/** Agent → hub: a VRRP state change of one instance. */
export const StateTransitionMessageSchema = z.strictObject({
  v,
  type: z.literal('state-transition'),
  seq,
  at,
  instance: NameSchema,
  vrid: z.number().int().min(1).max(255),
  from: VrrpStateSchema,
  to: VrrpStateSchema,
  /** Why, in the core's words (e.g. `master-down-timer`, `higher-priority-advert`, `shutdown`). */
  reason: text(256),
  /** The effective priority at the time of the change, 0..255. */
  priority: z.number().int().min(0).max(255),
});

/** Agent → hub: one run of a health check, with its rise/fall-filtered status. */
export const CheckResultMessageSchema = z.strictObject({
  v,
  type: z.literal('check-result'),
  seq,
  at,
  check: NameSchema,
  /** This run's outcome. */
  ok: z.boolean(),
  /** The status after `rise`/`fall`: what the tracking instances see. */
  status: z.enum(['healthy', 'failed']),
  durationMs: z.number().int().min(0),
  /** Process exit status for script checks; null for built-in kinds or a killed run. */
  exitCode: z.number().int().min(0).max(255).nullable(),
  timedOut: z.boolean(),
  /** Output tail (scripts) or a short diagnosis (built-ins). */
  output: text(4096),
  /**
   * keepalived's rise/fall counting, ending with this run: how many runs in a row were OK
   * (`consecutiveOk`, counted up to the check's `rise`) or failed (`consecutiveFailed`, up to its
   * `fall`); one of them is 0. While `healthy`, `consecutiveFailed` of `fall` is the way toward
   * failed; while `failed`, `consecutiveOk` of `rise` the way back. Capped at the threshold because
   * more no longer changes anything (so a steady check need not report again). Optional: agents
   * before these fields omit them.
   */
  consecutiveOk: z.number().int().min(0).max(255).optional(),
  consecutiveFailed: z.number().int().min(0).max(255).optional(),
});

/** One instance's state in a heartbeat. */
export const InstanceStatusSchema = z.strictObject({
  instance: NameSchema,
  vrid: z.number().int().min(1).max(255),
  state: VrrpStateSchema,
  basePriority: z.number().int().min(0).max(255),
  effectivePriority: z.number().int().min(0).max(255),
  /** Whether this node holds the instance's VIPs now. */
  holdsVips: z.boolean(),
  /** When the instance entered `state` (epoch ms). */
  since: at,
  /** A sticky manual failover in force: `promoted` to this node, or `released`/none. */
  override: z.enum(['none', 'promoted', 'demoted']),
});
/** One instance's state in a heartbeat. */
export type InstanceStatus = z.infer<typeof InstanceStatusSchema>;

/** Agent → hub: periodic liveness with the state of every instance. Not replayed (only the latest matters). */
export const HeartbeatMessageSchema = z.strictObject({
  v,
  type: z.literal('heartbeat'),
  at,
  appliedRevision: revision.nullable(),
  maintenance: z.boolean(),
  nginx: NginxStatusSchema,
  instances: z.array(InstanceStatusSchema).max(255),
});

/** Agent → hub: the outcome of a command. */
export const CommandResultMessageSchema = z.strictObject({
  v,
  type: z.literal('command-result'),
  seq,
  at,
  id: commandId,
  /** `done`: carried out; `refused`: not allowed now (reason says why); `failed`: tried and failed. */
  outcome: z.enum(['done', 'refused', 'failed']),
  reason: text(1024).optional(),
});

/** Error codes of `error` messages. */
export const ProtocolErrorCodeSchema = z.enum([
  'too-large',
  'bad-json',
  'unsupported-version',
  'invalid-message',
  'unauthorized',
  'unknown-node',
  'internal',
]);
/** An error code. */
export type ProtocolErrorCode = z.infer<typeof ProtocolErrorCodeSchema>;

/** Either direction: a frame was refused, or a request cannot be served. */
export const ErrorMessageSchema = z.strictObject({
  v,
  type: z.literal('error'),
  code: ProtocolErrorCodeSchema,
  message: text(4096),
  /** For `unsupported-version`: what this side speaks. */
  supportedVersions: z.array(z.number().int()).max(16).optional(),
  /** The command id or event seq the error refers to, when there is one. */
  ref: z.string().max(64).optional(),
});

/** Hub → agent: answer to `enroll`: the node credential to keep and use in `hello` from now on. */
export const EnrolledMessageSchema = z.strictObject({
  v,
  type: z.literal('enrolled'),
  node: NameSchema,
  credential: secret,
});

/** Hub → agent: answer to `hello`. */
export const WelcomeMessageSchema = z.strictObject({
  v,
  type: z.literal('welcome'),
  node: NameSchema,
  serverVersion: z.string().regex(/^[0-9A-Za-z.+-]{1,64}$/),
  heartbeatIntervalMs: z.number().int().min(100).max(600_000),
  /** The highest event seq already stored; the agent replays only what follows. */
  ackedSeq: seq.nullable(),
  /**
   * The optional features of the agent's hello that this hub takes too ({@link welcomeCapabilities}).
   * Absent when there are none, so an agent that announced none (older ones) parses it.
   */
  capabilities: z.array(CapabilitySchema).max(64).optional(),
});

/** The hello capability of agents that take `pins` (and the hub sends it only to them). */
export const PIN_ROTATION_CAPABILITY = 'pin-rotation';

/**
 * Hub → agent, after `welcome`, to agents with the `pin-rotation` capability: the dashboard keys
 * agents should trust from now on (the current one and the next), so a certificate can be
 * replaced without re-enrolling. An agent takes it only over a pinned connection whose key is in
 * the list.
 */
export const PinsMessageSchema = z.strictObject({
  v,
  type: z.literal('pins'),
  pins: z.array(TlsPinSchema).min(1).max(8),
});

export { TLS_CAPABILITY };

/** Hub → agent: a new revision of the cluster spec to apply. */
export const ConfigPushMessageSchema = z.strictObject({
  v,
  type: z.literal('config-push'),
  revision,
  spec: ClusterSpecSchema,
  /**
   * The certificates the spec's virtual servers use and the ACME thumbprint (protocol/tls-material.ts);
   * only to agents whose hello lists {@link TLS_CAPABILITY}. A renewal is a new revision with the
   * same spec and new material: the agent applies it although the rendered config is the same.
   */
  tls: TlsMaterialSchema.optional(),
});

/** Hub → agent: events up to and including `seq` are stored; drop them from the outbox. */
export const AckMessageSchema = z.strictObject({ v, type: z.literal('ack'), seq });

/** A command for one node. `promote` is sticky until `release` (DESIGN.md data flow 3). */
export const CommandSchema = z.discriminatedUnion('kind', [
  /** Take the instance's VIPs on this node, make-before-break, and keep them until released. */
  z.strictObject({ kind: z.literal('promote'), instance: NameSchema }),
  /** End a manual override on the instance: normal priorities (and preemption) decide again. */
  z.strictObject({ kind: z.literal('release'), instance: NameSchema }),
  /** Maintenance on: give up every VIP and stay backup; off: rejoin normally. */
  z.strictObject({ kind: z.literal('maintenance'), enabled: z.boolean() }),
]);
/** A command for one node. */
export type Command = z.infer<typeof CommandSchema>;

/** Hub → agent: run a command; answered by `command-result` with the same id. */
export const CommandMessageSchema = z.strictObject({
  v,
  type: z.literal('command'),
  id: commandId,
  at,
  command: CommandSchema,
});

/** Every message the agent sends. */
export const AgentMessageSchema = z.discriminatedUnion('type', [
  EnrollMessageSchema,
  HelloMessageSchema,
  ApplyResultMessageSchema,
  StateTransitionMessageSchema,
  CheckResultMessageSchema,
  HeartbeatMessageSchema,
  CommandResultMessageSchema,
  ErrorMessageSchema,
]);
/** A message from agent to hub. */
export type AgentMessage = z.infer<typeof AgentMessageSchema>;

/** Every message the hub sends. */
export const HubMessageSchema = z.discriminatedUnion('type', [
  EnrolledMessageSchema,
  WelcomeMessageSchema,
  PinsMessageSchema,
  ConfigPushMessageSchema,
  AckMessageSchema,
  CommandMessageSchema,
  ErrorMessageSchema,
]);
/** A message from hub to agent. */
export type HubMessage = z.infer<typeof HubMessageSchema>;

/** A message in either direction. */
export type ProtocolMessage = AgentMessage | HubMessage;
/** The `type` of any message. */
export type MessageType = ProtocolMessage['type'];

/**
 * The message of one `type`, for handlers: `MessageOf<'welcome'>`. The aliases below name the ones
 * that other packages handle.
 */
export type MessageOf<T extends MessageType> = Extract<ProtocolMessage, { type: T }>;
/** The `hello` message. */
export type HelloMessage = MessageOf<'hello'>;
/** The `apply-result` message. */
export type ApplyResultMessage = MessageOf<'apply-result'>;
/** The `state-transition` message. */
export type StateTransitionMessage = MessageOf<'state-transition'>;
/** The `check-result` message. */
export type CheckResultMessage = MessageOf<'check-result'>;
/** The `heartbeat` message. */
export type HeartbeatMessage = MessageOf<'heartbeat'>;
/** The `command-result` message. */
export type CommandResultMessage = MessageOf<'command-result'>;
/** The `error` message. */
export type ErrorMessage = MessageOf<'error'>;
