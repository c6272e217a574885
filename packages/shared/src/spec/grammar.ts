/**
 * Strict grammars for every value that reaches an nginx config, a keepalived.conf or a command
 * line (STYLE §D19). Each is an allow-list: a value is refused unless every character is known to
 * be inert where it lands, so renderers never have to escape anything. Hostile characters — `;`
 * `{` `}` quotes, backslash, `$`, `#`, `!`, whitespace and control characters — are outside every
 * grammar below unless a comment says otherwise.
 */
import { z } from 'zod';
import { parseIPv4, parseIPv6 } from '@keepwatch/vrrp';

/**
 * True when `s` is an IPv6 address in textual form (RFC 4291 2.2), without zone id or brackets:
 * the parser of @keepwatch/vrrp's codec, so the spec accepts exactly what the wire format encodes.
 */
export function isIpv6(s: string): boolean {
  return parseIPv6(s) !== null;
}

/** True when `s` is a dotted-quad IPv4 address without leading zeros (`192.0.2.1`). */
export function isIpv4(s: string): boolean {
  return parseIPv4(s) !== null;
}

/** Address family of a textual address: 4, 6, or null when it is neither. */
export function addressFamily(s: string): 4 | 6 | null {
  if (isIpv4(s)) return 4;
  if (isIpv6(s)) return 6;
  return null;
}

/** An IPv4 address, dotted quad (`192.0.2.10`). */
export const Ipv4AddressSchema = z.string().refine(isIpv4, { message: 'must be an IPv4 address such as 192.0.2.10' });
/** An IPv6 address without brackets or zone (`2001:db8::10`). */
export const Ipv6AddressSchema = z.string().refine(isIpv6, { message: 'must be an IPv6 address such as 2001:db8::10' });
/** An IPv4 or IPv6 address, textual, without brackets, port or zone. */
export const IpAddressSchema = z
  .string()
  .refine((s) => addressFamily(s) !== null, { message: 'must be an IPv4 or IPv6 address' });
/** A textual IP address (IPv4 or IPv6). */
export type IpAddress = z.infer<typeof IpAddressSchema>;

/** A TCP port, 1..65535. */
export const PortSchema = z.number().int().min(1).max(65535);

/**
 * A name for a node, instance, check, pool or virtual server: 1..63 characters, letters, digits,
 * `_`, `.`, `-`, starting with a letter or digit. Covers keepalived names such as `VI_1` and
 * `LVS_1` and nginx upstream names.
 */
export const NameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, {
  message: 'must be 1-63 letters, digits, "_", "." or "-", starting with a letter or digit',
});

/**
 * A Linux interface name: at most 15 characters (IFNAMSIZ - 1), no `/`, `:` or whitespace.
 * `lo` is allowed by the grammar; keepalived itself refuses it for VRRP.
 */
export const InterfaceNameSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,14}$/, {
  message: 'must be a Linux interface name (1-15 characters: letters, digits, "_", ".", "@", "-")',
});

/**
 * An nginx `server_name`: a DNS name (RFC 1123 labels), optionally with a leading `*.` wildcard,
 * or `_` (the catch-all convention). Regular-expression names are not supported.
 */
export const ServerNameSchema = z
  .string()
  .max(253)
  .regex(
    /^(?:_|(?:\*\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)$/,
    {
      message: 'must be a host name such as www.example.com, *.example.com, or _',
    },
  );

/**
 * An absolute filesystem path: `/`-separated segments of letters, digits, `_`, `.`, `-`, `+`, `@`;
 * no `..`, no empty segment, a trailing `/` allowed. Written so each character has one way to
 * match (segments end at a `/`): `(?:seg+/?)*` backtracked exponentially on a near-miss (issue #15).
 */
export const AbsolutePathSchema = z
  .string()
  .max(4096)
  .regex(/^\/(?:[A-Za-z0-9_.+@-]+\/)*[A-Za-z0-9_.+@-]*$/, {
    message: 'must be an absolute path of letters, digits, "_", ".", "-", "+", "@"',
  })
  .refine((p) => !p.split('/').includes('..'), { message: 'must not contain ".." segments' });

/** An nginx location prefix (`/`, `/api/`): an absolute URI path of unreserved characters. */
export const LocationPrefixSchema = z
  .string()
  .max(1024)
  .regex(/^\/[A-Za-z0-9._~/-]*$/, {
    message: 'must be a URI path prefix starting with "/" (letters, digits, "_", ".", "~", "-", "/")',
  });

/** An HTTP header field name (RFC 9110 token, letters, digits and `-` only here). */
export const HeaderNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/, { message: 'must be a header name (letters, digits and "-")' });

/**
 * The nginx variables a spec may use, in header values and upstream hash keys. An allow-list: an
 * unknown variable fails `nginx -t`, and a free `$` would let a value read any variable.
 */
export const NGINX_VARIABLES = [
  '$host',
  '$http_host',
  '$remote_addr',
  '$binary_remote_addr',
  '$proxy_add_x_forwarded_for',
  '$scheme',
  '$server_name',
  '$server_port',
  '$request_uri',
  '$uri',
  '$args',
  '$request_id',
] as const;

/** One nginx variable from {@link NGINX_VARIABLES}. */
export const NginxVariableSchema = z.enum(NGINX_VARIABLES, { message: `must be one of ${NGINX_VARIABLES.join(', ')}` });
/** One allowed nginx variable name, `$` included. */
export type NginxVariable = z.infer<typeof NginxVariableSchema>;

/**
 * A proxied header's value: either exactly one allowed nginx variable, or literal text of
 * printable ASCII without quotes, backslash, `$`, `;`, `{`, `}`, `#` or control characters.
 * The empty string is allowed (nginx then omits the header).
 */
export const HeaderValueSchema = z.union(
  [
    NginxVariableSchema,
    z
      .string()
      .max(1024)
      .regex(/^[A-Za-z0-9 _.,:/=+*@()?!~%&<>[\]|^-]*$/),
  ],
  {
    message:
      'must be one allowed nginx variable (such as $host) or text without quotes, backslash, "$", ";", "{", "}", "#" or control characters',
  },
);

/** A Unix user or group name (the portable shadow-utils grammar). */
export const UnixNameSchema = z
  .string()
  .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { message: 'must be a Unix user or group name' });

/**
 * One argv element of a command that the agent executes without a shell: printable ASCII without
 * whitespace, quotes, backslash, `$`, `;`, `` ` ``, `|`, `&`, `<`, `>`, `{`, `}`, `#` or `!`, so
 * it is also safe in keepalived's `script "..."` line.
 */
export const ArgSchema = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[A-Za-z0-9_./:=@%+,~^*?[\]()-]+$/, {
    message: 'must be a command argument without whitespace, quotes, "$", ";", "#" or other shell characters',
  });

/** An argv: an absolute program path, then arguments. Executed directly, never through a shell. */
export const ArgvSchema = z
  .array(ArgSchema)
  .min(1)
  .max(64)
  .superRefine((argv, ctx) => {
    if (!(argv[0] ?? '').startsWith('/')) {
      ctx.addIssue({ code: 'custom', path: [0], message: 'the program must be an absolute path' });
    }
  });

/**
 * A shell line, run with `/bin/sh -c` because the admin asked for a shell. Printable ASCII and
 * spaces; quotes, backslash and control characters are refused so the line survives
 * keepalived's `script "..."` quoting and a single-line config unchanged.
 */
export const ShellLineSchema = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[\x20-\x7e]+$/, { message: 'must be printable ASCII on one line' })
  .refine((s) => !/["'\\]/.test(s), { message: 'must not contain quotes or backslash' });

/** The simple-text VRRPv2 password (RFC 3768 5.3.6.1): 1..8 characters, no quotes or spaces. */
export const AuthPassSchema = z
  .string()
  .regex(/^[A-Za-z0-9._~+=@%^*-]{1,8}$/, { message: 'must be 1-8 letters, digits or "._~+=@%^*-"' });

/** A VRRP weight (keepalived `weight`): -254..254. */
export const WeightSchema = z.number().int().min(-254).max(254);

/** A VRRP priority: 1..255, where 255 means the node owns the addresses (RFC 5798 5.2.4). */
export const PrioritySchema = z.number().int().min(1).max(255);
