'use client';
/**
 * The proxy-host part of the "New virtual server" form (issue #17 item 3): WebSocket on the
 * locations, redirects, an access list (address rules, basic-auth users, satisfy any) and the
 * request body limit. Users are entered with a password: the server hashes it
 * (services/basic-auth.ts) and never stores it.
 */
import type { ProxyHostDraft } from '../../_lib/proxy-host-draft';
import { CheckField, TextField } from './form';

export function VsProxyHostFields({
  uid,
  draft,
  onChange,
  error,
}: {
  uid: string;
  draft: ProxyHostDraft;
  onChange: (d: ProxyHostDraft) => void;
  /** The server's messages for the paths under a prefix (`redirects`, `access.rules`). */
  error: (prefix: string) => string | undefined;
}) {
  const set = (p: Partial<ProxyHostDraft>) => onChange({ ...draft, ...p });
  const text = (k: 'redirects' | 'rules' | 'users' | 'realm' | 'bodySize') => ({
    id: `${uid}-ph-${k}`,
    value: draft[k],
    onChange: (v: string) => set({ [k]: v }),
  });
  return (
    <fieldset className="flex flex-wrap items-start gap-3" aria-label="Proxy host">
      <CheckField
        id={`${uid}-ph-websocket`}
        label="WebSocket"
        checked={draft.websocket}
        onChange={(websocket) => set({ websocket })}
      />
      <TextField
        {...text('redirects')}
        label="Redirects"
        hint="one per line: [=] path code target, e.g. / 308 https://www.example.com$request_uri"
        multiline
        mono
        className="w-80"
        error={error('redirects')}
      />
      <TextField
        {...text('rules')}
        label="Access rules"
        hint="one per line: allow|deny address[/prefix]|all; deny all follows"
        multiline
        mono
        className="w-56"
        error={error('access.rules')}
      />
      <TextField
        {...text('users')}
        label="Basic-auth users"
        hint="one per line: name password (hashed on the server, never stored)"
        multiline
        mono
        className="w-56"
        error={error('access.basicAuth')}
      />
      {draft.users.trim() !== '' && <TextField {...text('realm')} label="Realm" className="w-40" />}
      {draft.users.trim() !== '' && draft.rules.trim() !== '' && (
        <CheckField
          id={`${uid}-ph-satisfy`}
          label="Address or password (satisfy any)"
          checked={draft.satisfyAny}
          onChange={(satisfyAny) => set({ satisfyAny })}
        />
      )}
      <TextField
        {...text('bodySize')}
        label="Max body size"
        hint="e.g. 10m; 0 = no limit"
        mono
        className="w-28"
        error={error('clientMaxBodySizeBytes')}
      />
    </fieldset>
  );
}
