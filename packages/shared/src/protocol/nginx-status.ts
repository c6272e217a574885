/**
 * The nginx part of a heartbeat and of an apply-result (issue #17 item 5): old workers still
 * draining after a reload, and drift — the rendered file on disk is not what the agent wrote. The
 * fields are optional and negotiated: messages are strict objects, so a hub from before them
 * refuses a message carrying them; an agent sends them only when `welcome` listed
 * {@link NGINX_STATUS_CAPABILITY}, and the hub lists it only to agents whose hello announced it.
 */
import { z } from 'zod';
import { text } from './text.js';
import { NginxBuildInfoSchema } from '../nginx/build-info.js';

/** The capability of the optional nginx fields (hello → welcome). */
export const NGINX_STATUS_CAPABILITY = 'nginx-status';
/**
 * The capability of `nginx.build` in heartbeats (issue #17 item 4): the version and modules of the
 * node's nginx. Sent in a session's first heartbeat and again when it changes, not in every one
 * (1000 agents heartbeating each second); the hub keeps it for the session.
 */
export const NGINX_BUILD_CAPABILITY = 'nginx-build';
/** Capabilities the hub answers in `welcome` when the agent announced them. */
const HUB_CAPABILITIES: readonly string[] = [NGINX_STATUS_CAPABILITY, NGINX_BUILD_CAPABILITY];

/** The `capabilities` of a `welcome` answering a hello with `announced`: those both sides have (undefined when none). */
export function welcomeCapabilities(announced: readonly string[]): string[] | undefined {
  const both = HUB_CAPABILITIES.filter((c) => announced.includes(c));
  return both.length > 0 ? both : undefined;
}

/** A capability name (hello, welcome). */
export const CapabilitySchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/);

/**
 * How much of a replaced hand-edited file an apply-result carries, in JSON-encoded bytes: well
 * under the apply-result's 128 KiB limit that hubs already enforce (so not the file's full size).
 */
export const MAX_HAND_EDIT_JSON_BYTES = 64 * 1024;

/** A SHA-256 digest in lower-case hex (of a file's bytes). */
export const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be a lower-case hex SHA-256' });

/** nginx in a heartbeat: its master, and (optional, negotiated) draining workers and drift. */
export const NginxStatusSchema = z.strictObject({
  running: z.boolean(),
  pid: z.number().int().min(1).nullable(),
  /** Old workers of a reload still finishing their connections ("worker process is shutting down"). */
  drainingWorkers: z.number().int().min(0).max(65_535).optional(),
  /** The rendered file on disk is not what the agent last wrote (edited by hand, or removed). */
  drifted: z.boolean().optional(),
  /** SHA-256 of the rendered file on disk while `drifted`; null when the file is missing. */
  onDiskSha256: Sha256Schema.nullable().optional(),
  /** The nginx binary's version and modules (`nginx -V`; only to hubs with `nginx-build`). */
  build: NginxBuildInfoSchema.optional(),
});
/** nginx in a heartbeat. */
export type NginxStatus = z.infer<typeof NginxStatusSchema>;

/** An apply that overwrote a hand edit: what it replaced, for the audit log's diff. */
export const HandEditReplacedSchema = z.strictObject({
  /** SHA-256 of the replaced file's bytes (all of them, also when `text` is cut). */
  onDiskSha256: Sha256Schema,
  /** The replaced file as text, cut to {@link MAX_HAND_EDIT_JSON_BYTES} once JSON-encoded. */
  text: text(MAX_HAND_EDIT_JSON_BYTES),
  truncated: z.boolean(),
});
/** What an apply replaced. */
export type HandEditReplaced = z.infer<typeof HandEditReplacedSchema>;
