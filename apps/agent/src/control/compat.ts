/**
 * What the agent sends, fitted to the hub it talks to. The protocol's messages are strict objects,
 * so a hub from before an optional field refuses a message that carries it; fields behind a
 * capability go only to a hub whose `welcome` listed it (issue #17 item 5: `nginx-status`).
 */
import {
  NGINX_BUILD_CAPABILITY,
  NGINX_STATUS_CAPABILITY,
  type AgentMessage,
  type ApplyResultMessage,
  type HandEditReplaced,
  type HeartbeatMessage,
  type NginxBuildInfo,
} from '@keepwatch/shared';

/** How applying a pushed revision went, as the apply-result reports it. */
export type ApplyOutcome =
  | { outcome: 'applied'; handEditReplaced?: HandEditReplaced }
  | {
      outcome: 'failed';
      stage: Extract<ApplyResultMessage, { outcome: 'failed' }>['stage'];
      message: string;
      nginxOutput: string;
      runningRevision: number | null;
    };

/** `m` without the fields the hub did not say it takes (`hubCapabilities`: its welcome's list). */
export function forHub(m: AgentMessage, hubCapabilities: readonly string[]): AgentMessage {
  if (m.type === 'heartbeat' && m.nginx.build && !hubCapabilities.includes(NGINX_BUILD_CAPABILITY)) {
    const { build: _dropped, ...nginx } = m.nginx;
    m = { ...m, nginx };
  }
  if (hubCapabilities.includes(NGINX_STATUS_CAPABILITY)) return m;
  if (m.type === 'heartbeat') {
    const { running, pid } = m.nginx;
    return { ...m, nginx: { running, pid } };
  }
  if (m.type === 'apply-result' && m.outcome === 'applied' && m.handEditReplaced) {
    const { handEditReplaced: _dropped, ...older } = m;
    return older;
  }
  return m;
}

/**
 * `nginx.build` goes in a session's first heartbeat and again only when it changed (it is the
 * same for the agent's whole life, mostly): the hub keeps it for the session (issue #17 item 4).
 */
export class BuildReport {
  private sent: string | null = null;

  /** A new session: the next heartbeat carries the build again. */
  reset(): void {
    this.sent = null;
  }

  /** `hb` with `build` as its `nginx.build` when this session has not had that yet. */
  fit(hb: HeartbeatMessage, build: NginxBuildInfo | null | undefined): HeartbeatMessage {
    if (!build) return hb;
    const key = JSON.stringify(build);
    if (key === this.sent) return hb;
    this.sent = key;
    return { ...hb, nginx: { ...hb.nginx, build } };
  }
}
