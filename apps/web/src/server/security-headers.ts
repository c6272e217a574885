import type { ServerResponse } from 'node:http';

/**
 * Headers every dashboard response carries (issue #15 finding 8). The page may not be framed by
 * any other site (clickjacking a failover button); no plugins, no <base> or form target elsewhere;
 * the browser does not guess content types nor send the URL to other sites. Script sources are
 * left to Next.js (its inline bootstrap would need nonces on every page).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}
