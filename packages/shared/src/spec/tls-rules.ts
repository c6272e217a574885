// The TLS rules of the cluster spec (issue #17 item 1), checked by the one `superRefine` in
// cluster.ts beside cluster-rules.ts: a virtual server's `ssl` listens and its `tls` go together,
// and servers sharing a socket agree on what nginx decides per socket.
import type { z } from 'zod';
import type { ClusterSpecObjectSchema } from './cluster.js';
import type { Issue } from './cluster-rules.js';

/** What a listen socket is keyed by in nginx (the same key as the duplicate-listen rule). */
const socketKey = (l: { address?: string | undefined; port: number }) => `${l.address ?? '*'}:${l.port}`;

export function checkTls(spec: z.infer<typeof ClusterSpecObjectSchema>, issue: Issue): void {
  /** Per socket: the first virtual server on it, whether it is ssl there and (ssl) its http2. */
  const sockets = new Map<string, { vs: string; ssl: boolean; http2: boolean }>();
  spec.virtualServers.forEach((vs, i) => {
    const at = (...rest: (string | number)[]) => ['virtualServers', i, ...rest];
    const tls = vs.tls;
    if (tls && !vs.listen.some((l) => l.ssl))
      issue(at('listen'), 'a virtual server with tls needs at least one listen with ssl');
    if (tls?.redirectHttp && vs.listen.every((l) => l.ssl))
      issue(at('tls', 'redirectHttp'), 'redirectHttp needs a plain (non-ssl) listen to answer with the redirect');
    vs.listen.forEach((l, j) => {
      if (l.ssl && !tls) issue(at('listen', j, 'ssl'), 'an ssl listen needs tls (the certificate to serve)');
      const key = socketKey(l);
      const ssl = l.ssl === true;
      const http2 = ssl && (tls?.http2 ?? false);
      const first = sockets.get(key);
      if (!first) {
        sockets.set(key, { vs: vs.name, ssl, http2 });
        return;
      }
      if (first.vs === vs.name) return; // a duplicate listen: cluster-rules reports it
      // nginx: `ssl` applies to the whole socket, so a plain server there would need a certificate.
      if (first.ssl !== ssl)
        issue(
          at('listen', j, 'ssl'),
          `${key} is ${first.ssl ? '' : 'not '}ssl in virtual server "${first.vs}": every server on a socket must agree`,
        );
      // nginx before 1.25.1: `listen … http2` applies to the whole socket as well.
      else if (l.ssl && first.http2 !== http2)
        issue(
          at('tls', 'http2'),
          `${key} has http2 ${first.http2 ? 'on' : 'off'} in virtual server "${first.vs}": servers sharing a socket must agree`,
        );
    });
  });
}
