// How the simulation trace spells events and actions (one short line each).
import type { Action } from '../machine/actions.js';
import { assertNever } from '../machine/assert-never.js';
import type { Event } from '../machine/events.js';

/** A short text for an event, as the trace shows it. */
export function eventLabel(e: Event): string {
  switch (e.type) {
    case 'startup':
    case 'shutdown':
    case 'tick':
      return e.type;
    case 'advert-received':
      return `advert ${e.advert.priority} from ${e.src}`;
    case 'track-changed':
      return `track ${e.name} ${e.ok ? 'ok' : 'failed'}`;
    case 'interface-changed':
      return `interface ${e.name ?? '(own)'} ${e.up ? 'up' : 'down'}`;
    case 'admin':
      return `admin ${e.command}`;
    default:
      return assertNever(e, 'event');
  }
}

/** A short text for an action, as the trace shows it. */
export function actionLabel(a: Action): string {
  switch (a.type) {
    case 'send-advert':
      return `send-advert ${a.priority}`;
    case 'add-vips':
    case 'remove-vips':
      return `${a.type} ${a.vips.join(' ')}`;
    case 'send-garp':
      return `send-garp ×${a.count}`;
    case 'transition':
      return `${a.from} -> ${a.to} (${a.reason})`;
    case 'drop':
      return `drop ${a.reason} from ${a.src}`;
    case 'advert-warning':
      return `warning ${a.reason} from ${a.src}`;
    case 'priority-changed':
      return `priority ${a.from} -> ${a.to}`;
    case 'admin-result':
      return a.accepted ? `${a.command} accepted` : `${a.command} refused (${a.reason})`;
    default:
      return assertNever(a, 'action');
  }
}
