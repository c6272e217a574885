/**
 * The steps of "Move VIP to <node>" as the agents' reports show them (pure): the command to the
 * target (pending → sent → accepted → completed, or refused with the agent's reason), the target
 * reporting MASTER, the previous holder letting go. Used by components/cluster/move-progress.tsx.
 */
import type { VrrpState } from '@keepwatch/shared';
import { z } from 'zod';

export interface MoveRequest {
  instance: string;
  target: string;
  /** Who last reported holding it when the move was asked for. */
  previous: string | null;
  requestedAt: number;
}

/** The part of `failover.status` this view reads; parsed, since that router evolves on its own. */
const CommandsSchema = z.object({
  commands: z.array(
    z.looseObject({
      kind: z.string(),
      instance: z.string().nullable().optional(),
      node: z.string().optional(),
      status: z.string(),
      reason: z.string().nullable().optional(),
      createdAt: z.coerce.date(),
    }),
  ),
});

export interface Report {
  node: string;
  instance: string;
  to: VrrpState;
  reason: string | null;
  at: Date;
}

export type Step = { label: string; state: 'done' | 'active' | 'waiting' | 'failed'; detail?: string };

const SKEW_MS = 2000;

/** The steps and whether the move is done (the target is master) or refused. */
export function moveSteps(
  req: MoveRequest,
  transitions: readonly Report[],
  status: unknown,
  liveMaster: (node: string) => boolean | null,
): { steps: Step[]; done: boolean; refused: string | null } {
  const after = (t: Report) => t.instance === req.instance && t.at.getTime() >= req.requestedAt - SKEW_MS;
  const targetMaster = transitions.find((t) => after(t) && t.node === req.target && t.to === 'master');
  const targetIsMaster = liveMaster(req.target) === true || targetMaster !== undefined;
  const prevLetGo =
    req.previous === null ||
    req.previous === req.target ||
    transitions.some((t) => after(t) && t.node === req.previous && t.to !== 'master') ||
    liveMaster(req.previous) === false;
  const parsed = CommandsSchema.safeParse(status);
  const command = parsed.success
    ? parsed.data.commands
        .filter(
          (c) =>
            c.kind === 'promote' &&
            (c.instance ?? null) === req.instance &&
            (c.node === undefined || c.node === req.target) &&
            c.createdAt.getTime() >= req.requestedAt - SKEW_MS,
        )
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0]
    : undefined;
  const refused =
    command?.status === 'refused' || command?.status === 'failed'
      ? (command.reason ?? 'refused without a reason')
      : null;
  const steps: Step[] = [
    { label: 'Recorded by the dashboard (audit log)', state: 'done' },
    {
      label: `Command delivered to ${req.target}'s agent`,
      state: refused
        ? 'failed'
        : command && ['accepted', 'completed'].includes(command.status)
          ? 'done'
          : targetIsMaster
            ? 'done'
            : 'active',
      detail: refused ? `refused: ${refused}` : command ? command.status : undefined,
    },
    {
      label: `${req.target} reports MASTER (takes the VIP before the old holder lets go)`,
      state: targetIsMaster ? 'done' : refused ? 'waiting' : 'active',
      detail: targetMaster?.reason ?? undefined,
    },
  ];
  if (req.previous && req.previous !== req.target) {
    steps.push({
      label: `${req.previous} gives the VIP up`,
      state: prevLetGo ? 'done' : targetIsMaster ? 'active' : 'waiting',
    });
  }
  return { steps, done: targetIsMaster, refused };
}
