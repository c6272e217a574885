/**
 * Failover commands from the control plane (`command` frames): promote/release one instance,
 * maintenance on/off for every instance of the node. The VRRP machine decides (README of
 * @keepwatch/vrrp, admin semantics); this module routes the command to the instance runners,
 * turns the machine's answer into a `command-result`, and keeps the sticky part (a standing
 * promote, maintenance) in the state directory so that it survives an agent restart.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { AdminCommand } from '@keepwatch/vrrp';
import type { Command, CommandResultMessage } from '@keepwatch/shared';
import type { AdminResult } from '../vrrp/runner.js';
import { readOptional, writePrivate } from '../state/files.js';

/** An instance runner as far as commands go. */
export interface AdminTarget {
  readonly name: string;
  admin(command: AdminCommand): Promise<AdminResult>;
}

/** The outcome of a command, as the `command-result` frame carries it. */
export type CommandOutcome = Pick<CommandResultMessage, 'outcome' | 'reason'>;

/** Why the machine refused, in words for the operator; the refusal code comes first so the hub can read it. */
const REFUSAL_TEXT: Record<Extract<AdminResult, { accepted: false }>['reason'], string> = {
  'not-running': 'the instance is not running (still initializing or stopped)',
  fault: 'the instance is in Fault (interface down or a tracked check failed)',
  maintenance: 'the node is in maintenance; turn maintenance off first',
  'peer-priority': 'another router advertises priority 254 (promoted) or 255 (address owner); release it first',
  'not-promoted': 'the instance has no standing promote on this node',
};

/** `code: words`, e.g. `fault: the instance is in Fault (…)`. */
export function refusalReason(r: Extract<AdminResult, { accepted: false }>): string {
  return `${r.reason}: ${REFUSAL_TEXT[r.reason]}`;
}

/** Runs one command against this node's instance runners. Never throws for a refusal. */
export async function runCommand(command: Command, targets: readonly AdminTarget[]): Promise<CommandOutcome> {
  if (command.kind === 'maintenance') {
    const admin: AdminCommand = command.enabled ? 'maintenance-on' : 'maintenance-off';
    const results = await Promise.all(targets.map(async (t) => ({ name: t.name, r: await t.admin(admin) })));
    const refused = results.flatMap(({ name, r }) => (r.accepted ? [] : [`${name}: ${refusalReason(r)}`]));
    // No instance at all (no spec yet) is not a refusal: the persisted flag applies when they start.
    if (refused.length === 0) return { outcome: 'done' };
    return { outcome: 'refused', reason: refused.join('; ') };
  }
  const target = targets.find((t) => t.name === command.instance);
  if (!target)
    return { outcome: 'refused', reason: `unknown-instance: no instance "${command.instance}" runs on this node` };
  const r = await target.admin(command.kind);
  return r.accepted ? { outcome: 'done' } : { outcome: 'refused', reason: refusalReason(r) };
}

const AdminStateSchema = z.strictObject({
  promoted: z.array(z.string().max(64)).max(255),
  maintenance: z.boolean(),
});
/** The sticky part of the operator's commands, persisted in `stateDir/admin-state.json`. */
export type AdminState = z.infer<typeof AdminStateSchema>;

/** The state after a command's outcome (pure): what must survive a restart. */
export function nextAdminState(state: AdminState, command: Command, outcome: CommandOutcome): AdminState {
  if (command.kind === 'maintenance') {
    if (outcome.outcome !== 'done') return state;
    // Maintenance clears a standing promote (the machine does the same).
    return command.enabled ? { promoted: [], maintenance: true } : { ...state, maintenance: false };
  }
  if (command.kind === 'promote') {
    if (outcome.outcome !== 'done' || state.promoted.includes(command.instance)) return state;
    return { ...state, promoted: [...state.promoted, command.instance] };
  }
  // A release, accepted or refused as `not-promoted`, leaves no promote standing.
  const gone = outcome.outcome === 'done' || outcome.reason?.startsWith('not-promoted') === true;
  return gone ? { ...state, promoted: state.promoted.filter((i) => i !== command.instance) } : state;
}

/** Reads and writes the persisted admin state (mode 0600, atomic). An unreadable file counts as none. */
export class AdminStateFile {
  /** Read on first use (constructors do nothing but store). */
  private state: AdminState | null = null;

  constructor(
    private readonly stateDir: string,
    private readonly onError: (err: unknown, what: string) => void = () => {},
  ) {}

  private get path(): string {
    return join(this.stateDir, 'admin-state.json');
  }

  private read(): AdminState {
    const text = readOptional(this.path);
    if (text === null) return { promoted: [], maintenance: false };
    try {
      const r = AdminStateSchema.safeParse(JSON.parse(text));
      if (r.success) return r.data;
    } catch {
      // reported below
    }
    this.onError(new Error(`${this.path} is not valid admin state`), 'admin state ignored');
    return { promoted: [], maintenance: false };
  }

  get current(): AdminState {
    this.state ??= this.read();
    return this.state;
  }

  /** Replaces the state and writes it when it changed. */
  set(next: AdminState): void {
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.state = next;
    try {
      writePrivate(this.path, JSON.stringify(next));
    } catch (err) {
      this.onError(err, 'admin state not saved');
    }
  }
}
