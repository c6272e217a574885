/**
 * Defensive quoting for the nginx renderer. The spec's grammars already refuse every hostile
 * character; these checks are the second line (STYLE §D19, after ingress-nginx's escape tests):
 * a value that slipped past validation makes rendering throw instead of producing a config with
 * a directive nobody asked for.
 */

import { NGINX_VARIABLES } from '../spec/grammar.js';

/** Characters allowed in a bare nginx token (addresses, names, paths, numbers); no `$`. */
const BARE_TOKEN = /^[A-Za-z0-9_.:/[\]*@=+,~%-]+$/;
const VARIABLES: ReadonlySet<string> = new Set(NGINX_VARIABLES);
/** Characters allowed inside a double-quoted nginx string: no quote, backslash, `$` or control. */
const QUOTED_TEXT = /^[\x20-\x21\x23\x25-\x5b\x5d-\x7e]*$/;

/**
 * Returns `value` unchanged when it is safe as a bare nginx token.
 *
 * @param value - the token.
 * @param what - what it is, for the error message.
 * @throws Error when the value holds anything outside the bare-token set (a validation bug upstream).
 */
export function bareToken(value: string, what: string): string {
  if (!BARE_TOKEN.test(value)) {
    throw new Error(`refusing to render ${what} ${JSON.stringify(value)}: not a safe nginx token`);
  }
  return value;
}

/**
 * Returns `value` as a double-quoted nginx string.
 *
 * @param value - printable text without quote, backslash or `$`.
 * @param what - what it is, for the error message.
 * @throws Error when the value cannot be quoted inertly.
 */
export function quoted(value: string, what: string): string {
  if (!QUOTED_TEXT.test(value)) {
    throw new Error(`refusing to render ${what} ${JSON.stringify(value)}: not safe inside an nginx string`);
  }
  return `"${value}"`;
}

/**
 * Returns `value` unchanged when it is one of the allowed nginx variables.
 *
 * @param value - a variable such as `$host`.
 * @param what - what it is, for the error message.
 * @throws Error for anything else (a validation bug upstream).
 */
export function variable(value: string, what: string): string {
  if (!VARIABLES.has(value))
    throw new Error(`refusing to render ${what} ${JSON.stringify(value)}: not an allowed nginx variable`);
  return value;
}
