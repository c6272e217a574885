import type { CodecRejectReason } from './types.js';

/**
 * Every codec rejection reason, in the order `decodeAdvert` first checks for each; e.g. to
 * register the agent's drop-counter labels up front. Kept in step with
 * {@link CodecRejectReason} by the type check below.
 */
export const CODEC_REJECT_REASONS = [
  'bad-ttl',
  'too-short',
  'bad-version',
  'bad-type',
  'bad-length',
  'bad-checksum',
] as const satisfies readonly CodecRejectReason[];

// Fails to compile when CodecRejectReason gains a member that the list above lacks.
type Missing = Exclude<CodecRejectReason, (typeof CODEC_REJECT_REASONS)[number]>;
const _exhaustive: [Missing] extends [never] ? true : never = true;
void _exhaustive;
