/**
 * The dashboard URL an agent is told to use, from the page's origin: the same host, path /agent
 * (the hub). Plain ws:// only when the dashboard is opened on loopback — the agent refuses ws:// to
 * any other host (issue #15 finding 2: the channel carries the token, the credential and every
 * revision), so a page opened over http on a remote name offers wss:// (a TLS proxy or the
 * dashboard's own TLS in front of it).
 */
export function agentServerUrl(origin: string): string {
  const u = new URL(origin);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
  const scheme = u.protocol === 'http:' && loopback ? 'ws' : 'wss';
  return `${scheme}://${u.host}/agent`;
}
