/**
 * The hub's side of an agent's handshake: `enroll` (one-time token → credential) and `hello`
 * (credential) must come within a deadline, refusals that look like guessing count against the
 * source address, and over the limit an address is refused without a database lookup. The rules
 * and rows are in services/enrollment.ts; this file answers on the socket.
 */
import { errorMessage, PROTOCOL_VERSION, type AgentMessage } from '@keepwatch/shared';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { LoginRateLimiter, type LoginLimits } from '../auth/rate-limit';
import { authenticateAgent, enrollAgent } from '../services/enrollment';
import type { Db } from '../services/types';
import { send, type Session, type SessionNode } from './session';
import { DASHBOARD_VERSION } from '../services/version-skew';

const SERVER_VERSION = DASHBOARD_VERSION;
/** A connection must send enroll or hello within this time, or it is closed. */
export const DEF_HANDSHAKE_TIMEOUT_MS = 5000;
/**
 * Refused enroll/hello attempts per source address in a sliding window; over it, that address's
 * attempts are refused without a database lookup until the window frees up (token guessing).
 */
/** The limiter's key for an agent's failed handshakes: the node it claimed, at its source address. */
const failureKey = (node: string, remote: string) => `agent:${node}@${remote}`;

export const DEF_AGENT_AUTH_LIMITS: LoginLimits = { windowMs: 5 * 60_000, perUser: 20, perAddress: 20 };
/** Refusals that look like guessing and count against the address (not slowness or a lost race). */
const GUESS_REASONS = new Set(['unknown-token', 'token-of-another-node', 'expired-token', 'bad-credential']);

type Enroll = Extract<AgentMessage, { type: 'enroll' }>;
type Hello = Extract<AgentMessage, { type: 'hello' }>;

export interface HandshakeOptions {
  db: Db;
  log: Logger;
  metrics?: Metrics;
  now: () => number;
  timeoutMs?: number;
  authLimits?: LoginLimits;
}

export class Handshake {
  private readonly limiter: LoginRateLimiter;
  readonly timeoutMs: number;

  constructor(private readonly opts: HandshakeOptions) {
    this.limiter = new LoginRateLimiter(opts.authLimits ?? DEF_AGENT_AUTH_LIMITS, opts.now);
    this.timeoutMs = opts.timeoutMs ?? DEF_HANDSHAKE_TIMEOUT_MS;
  }

  /** An unauthenticated socket costs memory and a slot: it must say hello promptly. */
  startTimer(s: Session, remote: string): ReturnType<typeof setTimeout> {
    return setTimeout(() => {
      // A busy hub may still be checking the enroll/hello it received: only silence is refused.
      if (s.greeted || s.node || s.ws.readyState !== s.ws.OPEN) return;
      this.refuse(s, 'unauthorized', `no hello within ${this.timeoutMs} ms`, { reason: 'handshake-timeout' }, remote);
    }, this.timeoutMs);
  }

  /** Marks the session greeted; false (refused and closed) when its address is over the limit. */
  admit(s: Session, m: Enroll | Hello, remote: string): boolean {
    s.greeted = true;
    s.claimedNode = m.node;
    // Keyed by the node claimed and the source (issue #15 finding 3): behind a proxy every agent
    // has the proxy's address, and one node's (or an attacker's) failures must not lock out the
    // other nodes.
    const waitMs = this.limiter.check(failureKey(m.node, remote), null);
    if (waitMs === null) return true;
    this.opts.metrics?.agentAuthFailures.inc({ reason: 'rate-limited' });
    this.opts.log.warn({ remote, node: m.node, type: m.type }, 'agent authentication rate-limited');
    const retry = Math.ceil(waitMs / 1000);
    send(s, errorMessage('unauthorized', `too many refused attempts from this address; retry in ${retry} s`));
    s.ws.close(1008, 'rate-limited');
    return false;
  }

  /** Refuses and closes an unauthenticated connection; counts it against the source address. */
  refuse(
    s: Session,
    code: 'unauthorized' | 'unknown-node',
    message: string,
    fields: Record<string, unknown>,
    remote: string,
  ): void {
    const reason = typeof fields.reason === 'string' ? fields.reason : code;
    if (GUESS_REASONS.has(reason)) this.limiter.fail(failureKey(s.claimedNode ?? '', remote), null);
    this.opts.metrics?.agentAuthFailures.inc({ reason });
    this.opts.log.warn({ remote, ...fields, code }, message);
    send(s, errorMessage(code, message));
    s.ws.close(1008, code);
  }

  /** Answers an enroll with the new credential; true when the node was enrolled (and audited). */
  async enroll(s: Session, m: Enroll, remote: string): Promise<boolean> {
    const r = await enrollAgent(this.opts.db, {
      node: m.node,
      token: m.token,
      agentVersion: m.agentVersion,
      remote,
      now: this.opts.now(),
    });
    if (!r.ok) {
      // One message for wrong, expired, replayed and other-node tokens: the agent learns nothing more.
      const bad = 'enrollment token is not valid (wrong, expired or already used)';
      this.refuse(s, 'unauthorized', bad, { node: m.node, reason: r.reason }, remote);
      return false;
    }
    this.opts.log.info({ node: m.node, remote, agentVersion: m.agentVersion }, 'agent enrolled');
    send(s, { v: PROTOCOL_VERSION, type: 'enrolled', node: m.node, credential: r.credential });
    return true;
  }

  /** The node a hello's credential belongs to; null when refused (and closed). */
  async hello(s: Session, m: Hello, remote: string): Promise<SessionNode | null> {
    const node = await authenticateAgent(this.opts.db, m.node, m.credential);
    if (!node) {
      const fields = { node: m.node, reason: 'bad-credential' };
      this.refuse(s, 'unauthorized', 'credential is not valid for this node', fields, remote);
    }
    return node;
  }

  /** `capabilities`: those of the agent's hello this hub takes too (welcomeCapabilities); none are left out of the frame. */
  welcome(s: Session, node: SessionNode, heartbeatIntervalMs: number, capabilities?: string[]): void {
    send(s, {
      v: PROTOCOL_VERSION,
      type: 'welcome',
      node: node.name,
      serverVersion: SERVER_VERSION,
      heartbeatIntervalMs,
      ackedSeq: s.ackedSeq,
      ...(capabilities ? { capabilities } : {}),
    });
  }

  /** The dashboard keys the agent should trust from now on (certificate rotation, issue #15). */
  announcePins(s: Session, pins: readonly string[]): void {
    send(s, { v: PROTOCOL_VERSION, type: 'pins', pins: [...pins] });
  }
}
