/** Free text of the wire protocol (reasons, messages, nginx output): printable and bounded. */
import { z } from 'zod';

/** True when `s` has no C0 control character except tab, newline and carriage return, and no DEL. */
export function noControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return false;
  }
  return true;
}

/** Free text for people (reasons, messages): printable, at most `max` UTF-16 units. */
export const text = (max: number) =>
  z.string().max(max).refine(noControl, { message: 'must not contain control characters other than tab and newline' });
