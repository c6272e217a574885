'use client';
/**
 * The TLS part of the "New virtual server" form (issue #17 item 1): which of the cluster's
 * certificates the `ssl` listens serve (a listen line ending in "ssl", e.g. "443 ssl"), HTTP/2,
 * the plain listens' redirect to HTTPS, and HSTS (RFC 6797: sent on HTTPS responses only).
 */
import { useQuery } from '@tanstack/react-query';
import { api, type RouterOutputs } from '~/trpc/client';
import { parseListen } from '../../_lib/object-drafts';
import { CheckField, num, SelectField, TextField } from './form';

type VirtualServer = RouterOutputs['virtualServers']['list'][number]['virtualServer'];

export interface TlsDraft {
  /** '' = no TLS. */
  certificate: string;
  http2: boolean;
  redirectHttp: boolean;
  /** '' = no HSTS header. */
  hstsMaxAgeS: string;
  hstsSubdomains: boolean;
}

export const initTls = (): TlsDraft => ({
  certificate: '',
  http2: true,
  redirectHttp: false,
  hstsMaxAgeS: '',
  hstsSubdomains: false,
});

/** "443 ssl" / "192.0.2.10:443 ssl" → an ssl listen; other lines as parseListen reads them. */
export function parseListenLine(line: string): VirtualServer['listen'][number] {
  const words = line.trim().split(/\s+/);
  const ssl = words.length > 1 && words.at(-1) === 'ssl';
  return { ...parseListen((ssl ? words.slice(0, -1) : words).join(' ')), ssl };
}

/** The spec's `tls` for the draft, or nothing without a certificate. */
export function buildTls(d: TlsDraft): Pick<VirtualServer, 'tls'> {
  if (d.certificate === '') return {};
  return {
    tls: {
      certificate: d.certificate,
      http2: d.http2,
      redirectHttp: d.redirectHttp,
      ...(d.hstsMaxAgeS.trim() !== ''
        ? { hsts: { maxAgeS: num(d.hstsMaxAgeS), includeSubdomains: d.hstsSubdomains } }
        : {}),
    },
  };
}

export function VsTlsFields({
  clusterId,
  uid,
  tls,
  onChange,
  error,
}: {
  clusterId: string;
  uid: string;
  tls: TlsDraft;
  onChange: (tls: TlsDraft) => void;
  /** The server's message for a path under `tls` (`tls.certificate`, `tls.hsts.maxAgeS`). */
  error: (path: string) => string | undefined;
}) {
  const certs = useQuery({
    queryKey: ['certificates.list', clusterId],
    queryFn: () => api.certificates.list.query({ clusterId }),
  });
  // Only issued certificates can be served (an ACME one still being ordered has no files yet).
  const options: Record<string, string> = { '': 'none (plain HTTP)' };
  for (const c of certs.data ?? []) if (c.notAfter) options[c.name] = `${c.name} (${c.names.slice(0, 2).join(', ')})`;
  const set = (p: Partial<TlsDraft>) => onChange({ ...tls, ...p });
  return (
    <fieldset className="flex flex-wrap items-end gap-3" aria-label="TLS">
      <SelectField
        id={`${uid}-tls-certificate`}
        label="TLS certificate"
        value={tls.certificate}
        options={options}
        onChange={(certificate) => set({ certificate })}
        error={error('tls.certificate')}
      />
      {tls.certificate !== '' && (
        <>
          <CheckField id={`${uid}-tls-http2`} label="HTTP/2" checked={tls.http2} onChange={(http2) => set({ http2 })} />
          <CheckField
            id={`${uid}-tls-redirect`}
            label="Redirect HTTP to HTTPS"
            checked={tls.redirectHttp}
            onChange={(redirectHttp) => set({ redirectHttp })}
          />
          <TextField
            id={`${uid}-tls-hsts`}
            label="HSTS max-age (s)"
            hint="empty = no HSTS"
            inputMode="numeric"
            value={tls.hstsMaxAgeS}
            onChange={(hstsMaxAgeS) => set({ hstsMaxAgeS })}
            error={error('tls.hsts.maxAgeS')}
          />
          {tls.hstsMaxAgeS.trim() !== '' && (
            <CheckField
              id={`${uid}-tls-hsts-sub`}
              label="includeSubDomains"
              checked={tls.hstsSubdomains}
              onChange={(hstsSubdomains) => set({ hstsSubdomains })}
            />
          )}
        </>
      )}
    </fieldset>
  );
}
