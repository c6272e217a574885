/**
 * Frame parsing and encoding: size limits first (before JSON.parse allocates anything big), then
 * the version, then the schema. Parsing never throws on untrusted input: it returns the message,
 * or an `error` message ready to send back plus the zod issue paths for the log (STYLE §D18).
 */
import type { z } from 'zod';
import { formatZodIssues } from '../spec/format-error.js';
import {
  AgentMessageSchema,
  HubMessageSchema,
  PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  type AgentMessage,
  type ErrorMessage,
  type HelloMessage,
  type HubMessage,
  type MessageType,
  type ProtocolErrorCode,
  type ProtocolMessage,
} from './messages.js';

/** The largest frame either side reads, in bytes (UTF-8). A config push of a big spec fits. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/**
 * Per-message size limits in bytes (UTF-8 JSON). Everything but a config push is small; the
 * limits bound what a misbehaving peer can make the other side store.
 */
export const MESSAGE_SIZE_LIMITS: Readonly<Record<MessageType, number>> = {
  enroll: 4096,
  hello: 8192,
  'apply-result': 128 * 1024,
  'state-transition': 4096,
  'check-result': 16 * 1024,
  heartbeat: 128 * 1024,
  'command-result': 8192,
  error: 16 * 1024,
  enrolled: 4096,
  welcome: 4096,
  pins: 4096,
  'config-push': MAX_FRAME_BYTES,
  ack: 1024,
  command: 4096,
};

/** The result of parsing a frame. On failure, `reply` is the `error` message to send back. */
export type FrameResult<M> = { ok: true; message: M } | { ok: false; reply: ErrorMessage; issues: string[] };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

function utf8Length(s: string): number {
  // UTF-8 never has fewer bytes than UTF-16 units: a long string is refused without encoding it.
  return s.length > MAX_FRAME_BYTES ? s.length : encoder.encode(s).length;
}

const HUB_TYPES: ReadonlySet<string> = new Set(HubMessageSchema.options.map((o) => o.shape.type.value));

/**
 * Builds an `error` message.
 *
 * @param code - the error code.
 * @param message - a sentence for people.
 * @param ref - what it refers to (command id, seq), if anything.
 */
export function errorMessage(code: ProtocolErrorCode, message: string, ref?: string): ErrorMessage {
  return {
    v: PROTOCOL_VERSION,
    type: 'error',
    code,
    message: message.slice(0, 4096),
    ...(code === 'unsupported-version' ? { supportedVersions: [...SUPPORTED_PROTOCOL_VERSIONS] } : {}),
    ...(ref === undefined ? {} : { ref }),
  };
}

/**
 * Builds the `hello` that opens a session: the agent, the simulated agents of the benchmarks and the
 * hub's test stand-ins all send it, so the protocol version and defaults live in one place.
 *
 * @param fields - who says hello, with what credential, release and progress; no capabilities unless given.
 */
export function helloMessage(
  fields: Omit<HelloMessage, 'v' | 'type' | 'capabilities'> & Partial<Pick<HelloMessage, 'capabilities'>>,
): HelloMessage {
  return { v: PROTOCOL_VERSION, type: 'hello', capabilities: [], ...fields };
}

function fail<M>(code: ProtocolErrorCode, message: string, issues: string[] = []): FrameResult<M> {
  return { ok: false, reply: errorMessage(code, message), issues };
}

function parseWith<M extends ProtocolMessage>(schema: z.ZodType<M>, raw: string | Uint8Array): FrameResult<M> {
  const bytes = typeof raw === 'string' ? utf8Length(raw) : raw.byteLength;
  if (bytes > MAX_FRAME_BYTES)
    return fail('too-large', `frame of ${bytes} bytes exceeds the limit of ${MAX_FRAME_BYTES}`);
  const textFrame = typeof raw === 'string' ? raw : decoder.decode(raw);
  let data: unknown;
  try {
    data = JSON.parse(textFrame);
  } catch {
    return fail('bad-json', 'frame is not valid JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return fail('invalid-message', 'frame is not a JSON object');
  const obj = data as Record<string, unknown>;
  if (obj.v !== PROTOCOL_VERSION) {
    const got = typeof obj.v === 'number' ? String(obj.v) : JSON.stringify(obj.v ?? null);
    return fail(
      'unsupported-version',
      `protocol version ${got} is not supported; this peer speaks version ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}`,
    );
  }
  const type = typeof obj.type === 'string' ? obj.type : '';
  const limit = (MESSAGE_SIZE_LIMITS as Record<string, number>)[type];
  if (limit !== undefined && bytes > limit)
    return fail('too-large', `${type} message of ${bytes} bytes exceeds its limit of ${limit}`);
  const r = schema.safeParse(data);
  if (!r.success) {
    const issues = formatZodIssues(r.error.issues);
    return fail(
      'invalid-message',
      `invalid ${type === '' ? 'message' : `${type} message`}: ${issues.slice(0, 5).join('; ')}`,
      issues,
    );
  }
  return { ok: true, message: r.data };
}

/**
 * Parses a frame the hub received from an agent.
 *
 * @param raw - the WebSocket text (or binary) frame as received.
 * @returns the typed message, or the `error` reply and the issue paths. Never throws.
 */
export function parseAgentFrame(raw: string | Uint8Array): FrameResult<AgentMessage> {
  return parseWith(AgentMessageSchema as z.ZodType<AgentMessage>, raw);
}

/**
 * Parses a frame the agent received from the hub.
 *
 * @param raw - the WebSocket text (or binary) frame as received.
 * @returns the typed message, or the `error` reply and the issue paths. Never throws.
 */
export function parseHubFrame(raw: string | Uint8Array): FrameResult<HubMessage> {
  return parseWith(HubMessageSchema as z.ZodType<HubMessage>, raw);
}

/**
 * Encodes a message as a frame, validating it first: sending an invalid or oversized message is
 * a bug on this side, so it throws with the issue paths.
 *
 * @param message - a message of either direction.
 * @returns the JSON text to send.
 * @throws Error when the message is invalid or over its size limit.
 */
export function encodeFrame(message: ProtocolMessage): string {
  // `error` is in both unions with one schema, so either choice parses it.
  const r = (HUB_TYPES.has(message.type) ? HubMessageSchema : AgentMessageSchema).safeParse(message);
  if (!r.success)
    throw new Error(
      `refusing to send an invalid ${message.type} message: ${formatZodIssues(r.error.issues).join('; ')}`,
    );
  const textFrame = JSON.stringify(r.data);
  const bytes = encoder.encode(textFrame).length;
  const limit = MESSAGE_SIZE_LIMITS[message.type];
  if (bytes > limit) throw new Error(`${message.type} message of ${bytes} bytes exceeds its limit of ${limit}`);
  return textFrame;
}
