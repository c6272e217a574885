// Test helpers for the machine's unit tests (not part of the build: __fixtures__ is excluded).
import type { Advert } from '../../codec/types.js';
import type { Action } from '../actions.js';
import type { InstanceConfig } from '../config.js';
import type { Event } from '../events.js';
import { initialState, nextDeadline, step } from '../instance.js';
import type { InstanceState } from '../state.js';
import { sampleInstanceConfig } from '../../testing/index.js';

/** A v3, IPv4, 1 s instance at priority 100 with primary address 192.0.2.10. */
export const config = sampleInstanceConfig;

/** An advert that matches `config()` unless overridden. */
export function advert(over: Partial<Advert> = {}): Advert {
  return { version: 3, vrid: 51, priority: 100, advertIntervalMs: 1000, addresses: ['192.0.2.100'], ...over };
}

export function heard(over: Partial<Advert> = {}, src = '192.0.2.20'): Event {
  return { type: 'advert-received', advert: advert(over), src };
}

/** A master at `priority` heard once a second, at 1 s, 2 s … `seconds` s. */
export function heardEverySecond(priority: number, seconds: number): [Event, number][] {
  return Array.from({ length: seconds }, (_, i) => [heard({ priority }), (i + 1) * 1000]);
}

export type Run = { state: InstanceState; actions: Action[] };

/** Step through events at the given times; returns the last state and all actions in order. */
export function run(state: InstanceState, events: readonly (readonly [Event, number])[]): Run {
  let s = state;
  const all: Action[] = [];
  for (const [e, now] of events) {
    const r = step(s, e, now);
    s = r.state;
    all.push(...r.actions);
  }
  return { state: s, actions: all };
}

/** Started at `now` (Backup, or Master for an owner). */
export function started(over: Partial<InstanceConfig> = {}, now = 0): InstanceState {
  return step(initialState(config(over)), { type: 'startup' }, now).state;
}

/** Started, then left alone until the Master_Down_Timer made it Master; returns the time too. */
export function asMaster(over: Partial<InstanceConfig> = {}): { state: InstanceState; now: number } {
  const s = started(over);
  if (s.vrrpState === 'master') return { state: s, now: 0 };
  const at = nextDeadline(s);
  if (at === null) throw new Error('no deadline');
  const r = step(s, { type: 'tick' }, at);
  if (r.state.vrrpState !== 'master') throw new Error(`not master: ${r.state.vrrpState}`);
  return { state: r.state, now: at };
}

export function types(actions: readonly Action[]): string[] {
  return actions.map((a) => (a.type === 'send-advert' ? `send-advert ${a.priority}` : a.type));
}
