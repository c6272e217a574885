/**
 * CSRF defence for mutations (all tRPC mutations are POST). The session cookie is SameSite=Lax,
 * so browsers do not send it on cross-site POSTs; on top of that a POST must be JSON (a plain
 * HTML form cannot send `application/json` without a CORS preflight, which we never grant) and,
 * when the browser says where it comes from (`Origin`, `Sec-Fetch-Site`), come from this site.
 */
export interface CsrfRequest {
  method?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

function header(req: CsrfRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** null when the request may proceed, else why not. */
export function csrfProblem(req: CsrfRequest, allowedOrigins: readonly string[] = []): string | null {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return null;
  const type = (header(req, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return 'mutations must be sent as application/json';
  const site = header(req, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  const origin = header(req, 'origin');
  if (origin !== undefined && origin !== 'null') {
    const host = header(req, 'host');
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return 'malformed Origin header';
    }
    if (originHost !== host && !allowedOrigins.includes(origin))
      return `cross-origin request refused (Origin: ${origin})`;
  } else if (origin === 'null') {
    return 'opaque origin refused';
  }
  return null;
}
