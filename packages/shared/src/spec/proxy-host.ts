/**
 * The proxy-host options of a virtual server (issue #17 item 3): redirects, an access list (allow
 * and deny by address, HTTP basic auth with hashed passwords) and the request body limit; and of
 * a location: WebSocket upgrade. Each is optional, and absent renders nothing, so a spec without
 * them gives the same config as before. Cross-field rules live in proxy-host-rules.ts.
 */
import { z } from 'zod';
import { parseIPv4, parseIPv6 } from '@keepwatch/vrrp';
import { LocationPrefixSchema } from './grammar.js';

/** The one nginx variable a redirect target may end with: the original path and query. */
export const REDIRECT_SUFFIX = '$request_uri';

/** Characters of a URI (RFC 3986 2.2/2.3, and `%` for escapes): none is special inside an nginx string. */
const URI_TEXT = /^[A-Za-z0-9._~:/?#[\]@!&'()*+,;=%-]*$/;

/** True for `http(s)://host[:port][/…]`: an absolute URL with a host. */
function isAbsoluteHttpUrl(s: string): boolean {
  // The host comes right after `//`: WHATWG URL would read `https:///x` as host `x`.
  if (!/^https?:\/\/[^/?#]/.test(s)) return false;
  try {
    return new URL(s).host !== '';
  } catch {
    return false;
  }
}

/**
 * Where a redirect sends the client: an absolute `http(s)://` URL or a path starting with `/`,
 * optionally ending with `$request_uri` (then the original path and query follow:
 * `https://www.example.com$request_uri`). `$request_uri` alone keeps the path on this host.
 */
export const RedirectTargetSchema = z
  .string()
  .min(1)
  .max(2048)
  .superRefine((to, ctx) => {
    const base = to.endsWith(REDIRECT_SUFFIX) ? to.slice(0, -REDIRECT_SUFFIX.length) : to;
    if (!URI_TEXT.test(base)) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a URL or path of URI characters (no spaces, quotes, backslash, or "$" except a final ${REDIRECT_SUFFIX})`,
      });
    } else if (base !== '' && !base.startsWith('/') && !isAbsoluteHttpUrl(base)) {
      ctx.addIssue({ code: 'custom', message: 'must start with http://, https:// or "/"' });
    } else if (base.startsWith('//')) {
      // A scheme-relative target is an open redirect to whatever host follows.
      ctx.addIssue({ code: 'custom', message: 'must not start with "//" (write the scheme: https://…)' });
    }
  });

/** A redirect: requests for `path` answer `code` with `Location: to` (nginx `return`). */
export const RedirectSchema = z.strictObject({
  path: LocationPrefixSchema,
  /** `prefix`: the path and everything below it (`location /old/`); `exact`: that path only (`location = /old`). */
  match: z.enum(['prefix', 'exact']).default('prefix'),
  to: RedirectTargetSchema,
  /** 301/308 permanent, 302/307 temporary; 307 and 308 keep the method and body (RFC 9110 15.4). */
  code: z.union([z.literal(301), z.literal(302), z.literal(307), z.literal(308)]).default(308),
});
/** A redirect. */
export type Redirect = z.infer<typeof RedirectSchema>;

/** True when `s` is `ADDRESS/PREFIX` with no bits set beyond the prefix (nginx warns "low address bits … are meaningless"). */
function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const bytes = parseIPv4(s.slice(0, slash)) ?? parseIPv6(s.slice(0, slash));
  const lenText = s.slice(slash + 1);
  if (bytes === null || !/^[0-9]{1,3}$/.test(lenText)) return false;
  const len = Number(lenText);
  if (len > bytes.length * 8) return false;
  return bytes.every((b, i) => {
    const keep = Math.max(0, Math.min(8, len - i * 8));
    return (b & (0xff >> keep)) === 0;
  });
}

/** An address rule's source: one address, a network in CIDR form with no host bits, or `all`. */
export const AccessSourceSchema = z
  .string()
  .max(64)
  .refine((s) => s === 'all' || parseIPv4(s) !== null || parseIPv6(s) !== null || isCidr(s), {
    message: 'must be an IPv4/IPv6 address, a network such as 192.0.2.0/24 (no host bits set), or "all"',
  });

/** One rule of an access list (nginx `allow` / `deny`); rules are checked in order and the first match wins. */
export const AccessRuleSchema = z.strictObject({ action: z.enum(['allow', 'deny']), source: AccessSourceSchema });
/** One access rule. */
export type AccessRule = z.infer<typeof AccessRuleSchema>;

/** A user name in an htpasswd file: no `:` (the separator) and nothing that needs escaping. */
export const BasicAuthUserNameSchema = z.string().regex(/^[A-Za-z0-9._@+-]{1,64}$/, {
  message: 'must be 1-64 letters, digits, ".", "_", "@", "+" or "-"',
});

/** sha512-crypt (`$6$[rounds=N$]salt$hash`, glibc/libxcrypt) and bcrypt (`$2b$`/`$2y$`, libxcrypt). */
const SHA512_CRYPT = /^\$6\$(?:rounds=[0-9]{4,9}\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}$/;
const BCRYPT = /^\$2[by]\$(?:0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

/**
 * A password hash nginx checks with the system's crypt(3): sha512-crypt or bcrypt. Never a plain
 * password: the dashboard hashes on the server (services/basic-auth.ts).
 */
export const PasswordHashSchema = z.string().refine((s) => SHA512_CRYPT.test(s) || BCRYPT.test(s), {
  message: 'must be a sha512-crypt ($6$…) or bcrypt ($2b$/$2y$…) hash',
});

/** One basic-auth user. */
export const BasicAuthUserSchema = z.strictObject({ name: BasicAuthUserNameSchema, passwordHash: PasswordHashSchema });
/** One basic-auth user. */
export type BasicAuthUser = z.infer<typeof BasicAuthUserSchema>;

/** HTTP basic auth (RFC 7617) for a virtual server: nginx `auth_basic` with an htpasswd file the agent writes. */
export const BasicAuthSchema = z.strictObject({
  /** The realm shown by the browser's prompt. */
  realm: z
    .string()
    .max(128)
    .regex(/^[A-Za-z0-9 _.,:/@()-]+$/, { message: 'must be letters, digits, spaces and "_.,:/@()-"' })
    .default('Restricted'),
  users: z.array(BasicAuthUserSchema).min(1).max(256),
});
/** Basic auth settings. */
export type BasicAuth = z.infer<typeof BasicAuthSchema>;

/** The access list of a virtual server. */
export const AccessListSchema = z.strictObject({
  /**
   * Address rules in order. When there are rules and the last one is not for `all`, `deny all`
   * follows them: a list of `allow` rules admits those addresses only. End with `allow all` for a
   * list of exclusions. No rules: addresses are not checked (basic auth only).
   */
  rules: z.array(AccessRuleSchema).max(256).default([]),
  basicAuth: BasicAuthSchema.optional(),
  /**
   * With both rules and basic auth, `all` (nginx's default) needs both an admitted address and a
   * valid password; `any` admits a client that passes either.
   */
  satisfy: z.enum(['all', 'any']).default('all'),
});
/** An access list. */
export type AccessList = z.infer<typeof AccessListSchema>;

/** The largest request body size accepted: 1 TiB (nginx `client_max_body_size`; 0 = no limit). */
export const MAX_CLIENT_BODY_SIZE_BYTES = 1024 ** 4;

/** Proxy-host fields of a virtual server (spread into VirtualServerSchema). */
export const virtualServerProxyHostFields = {
  /** Redirect locations (nginx `return`); a server may have only these (a host redirect). */
  redirects: z.array(RedirectSchema).max(256).optional(),
  access: AccessListSchema.optional(),
  /** nginx `client_max_body_size`; absent = nginx's 1 MiB; 0 = no limit. */
  clientMaxBodySizeBytes: z.number().int().min(0).max(MAX_CLIENT_BODY_SIZE_BYTES).optional(),
};

/** Proxy-host fields of a location (spread into LocationSchema). */
export const locationProxyHostFields = {
  /** Pass WebSocket upgrades (RFC 6455 4.1) through to the pool: HTTP/1.1 and the Upgrade/Connection headers. */
  websocket: z.boolean().optional(),
};
