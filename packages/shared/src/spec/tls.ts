/**
 * TLS termination of a virtual server (issue #17 item 1): which certificate it serves, HTTP/2,
 * the HTTP→HTTPS redirect and HSTS. The certificate and key themselves are not in the spec: the
 * dashboard stores them (the key sealed) and pushes them beside the revision to agents that
 * announce `tls` (protocol/messages.ts), which write them where the renderer points nginx.
 */
import { z } from 'zod';
import { NameSchema } from './grammar.js';

/** RFC 6797 6.1.1: `max-age` in seconds; 0 tells browsers to forget the host (turns HSTS off). 2 years at most. */
export const HSTS_MAX_AGE_S_MAX = 63_072_000;

/** `Strict-Transport-Security` (RFC 6797), sent on HTTPS responses only (6797 7.2). */
export const HstsSchema = z.strictObject({
  maxAgeS: z.number().int().min(0).max(HSTS_MAX_AGE_S_MAX),
  /** RFC 6797 6.1.2 `includeSubDomains`: every subdomain must serve HTTPS too. */
  includeSubdomains: z.boolean().default(false),
});
/** HSTS settings. */
export type Hsts = z.infer<typeof HstsSchema>;

/** A virtual server's TLS settings; its `ssl` listens terminate TLS with `certificate`. */
export const TlsSchema = z.strictObject({
  /** The name of a certificate of the cluster (the dashboard's Certificate.name). */
  certificate: NameSchema,
  /** Offer HTTP/2 (ALPN `h2`) on the ssl listens. */
  http2: z.boolean().default(true),
  /** The plain listens answer every request with `308 https://$host$request_uri` (the ACME challenge excepted). */
  redirectHttp: z.boolean().default(false),
  hsts: HstsSchema.optional(),
});
/** A virtual server's TLS settings. */
export type Tls = z.infer<typeof TlsSchema>;
