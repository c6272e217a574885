'use client';
/**
 * Live progress of "Move VIP to <node>" after the operator confirmed it: the request recorded,
 * the command to the target's agent (pending → sent → accepted → completed, or refused with the
 * agent's reason, verbatim), the target reporting MASTER, and the previous holder letting go.
 * Steps come from what the agents report (transitions, heartbeats, command results), never from
 * the request alone.
 */
import { moveSteps, type MoveRequest, type Report, type Step } from '../../_lib/move-steps';
import { ageText } from '../../_lib/vip-holders';
import { Badge, Banner, Button } from '../ui';

export type { MoveRequest };

const MARK: Record<Step['state'], string> = { done: '✓', active: '…', waiting: '○', failed: '✗' };

export function MoveProgress({
  req,
  transitions,
  status,
  liveMaster,
  now,
  onDismiss,
}: {
  req: MoveRequest;
  transitions: readonly Report[];
  status: unknown;
  liveMaster: (node: string) => boolean | null;
  now: number;
  onDismiss: () => void;
}) {
  const { steps, done, refused } = moveSteps(req, transitions, status, liveMaster);
  return (
    <Banner tone={refused ? 'error' : done ? 'ok' : 'info'} role="status">
      <div className="flex flex-wrap items-baseline gap-2" data-testid="move-progress">
        <p className="font-semibold">
          {refused
            ? `Moving ${req.instance} to ${req.target} was refused`
            : done
              ? `${req.target} now holds ${req.instance}`
              : `Moving ${req.instance} to ${req.target}…`}
        </p>
        <span className="text-xs">asked {ageText(new Date(req.requestedAt), now)}</span>
        {done && <Badge tone="warn">sticky until released</Badge>}
        <Button tone="ghost" className="ml-auto" onClick={onDismiss}>
          Dismiss
        </Button>
      </div>
      <ol className="mt-1 space-y-0.5">
        {steps.map((s) => (
          <li key={s.label}>
            <span aria-hidden="true" className="inline-block w-4 font-mono">
              {MARK[s.state]}
            </span>
            <span className="sr-only">{s.state}: </span>
            {s.label}
            {s.detail && (
              <span className={`ml-1 font-mono text-xs ${s.state === 'failed' ? 'font-semibold' : ''}`}>
                ({s.detail})
              </span>
            )}
          </li>
        ))}
      </ol>
    </Banner>
  );
}
