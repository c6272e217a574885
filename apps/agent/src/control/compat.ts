/**
 * What the agent sends, fitted to the hub it talks to. The protocol's messages are strict objects,
 * so a hub from before an optional field refuses a message that carries it; fields behind a
 * capability go only to a hub whose `welcome` listed it (issue #17 item 5: `nginx-status`).
 */
import {
  NGINX_STATUS_CAPABILITY,
  type AgentMessage,
  type ApplyResultMessage,
  type HandEditReplaced,
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
