'use client';
/** The SSH bootstrap page's host-key check (fingerprint, confirmation, a changed key) and its job log. */
import type { RouterOutputs } from '~/trpc/client';
import { Badge, Banner, Button } from '../../../_components/ui';

export type Probe = RouterOutputs['bootstrap']['probe'];
type Job = RouterOutputs['bootstrap']['job'];

export function HostKeyPanel({
  probe,
  confirmed,
  onConfirm,
  onForget,
  installDisabled,
}: {
  probe: Probe;
  confirmed: boolean;
  onConfirm: (on: boolean) => void;
  onForget: () => void;
  installDisabled: boolean;
}) {
  return (
    <div
      className="space-y-2 rounded-lg border border-slate-300 p-3 sm:col-span-2 dark:border-slate-600"
      aria-live="polite"
    >
      <div className="text-sm">
        Host key ({probe.keyType}):{' '}
        <code data-testid="ssh-fingerprint" className="font-mono">
          {probe.fingerprint}
        </code>
      </div>
      {probe.matchesStored === false && probe.stored && (
        <Banner tone="error" role="alert">
          HOST KEY CHANGED: this node&apos;s confirmed key is <code>{probe.stored.fingerprint}</code> (
          {probe.stored.keyType}), but the host now presents <code>{probe.fingerprint}</code>. Nothing will be sent to
          it. Someone may be intercepting the connection, or the host was reinstalled. Check on the host&apos;s console,
          then{' '}
          <Button tone="danger" onClick={onForget}>
            Forget the stored key
          </Button>
        </Banner>
      )}
      {probe.matchesStored === true && <Badge tone="master">matches the confirmed key</Badge>}
      {!probe.stored && (
        <label className="flex items-start gap-2 text-sm">
          <input
            type="checkbox"
            checked={confirmed}
            onChange={(e) => onConfirm(e.target.checked)}
            data-testid="ssh-confirm"
          />
          <span>
            I compared it with the host&apos;s own fingerprint (
            <code>ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub</code> on its console) and they are the same.
          </span>
        </label>
      )}
      <Button tone="primary" type="submit" disabled={installDisabled}>
        Install and start the agent
      </Button>
    </div>
  );
}

/** The install's progress, line by line as the job reports it. */
export function JobLog({ job }: { job: Job }) {
  return (
    <section aria-labelledby="ssh-progress" className="mt-4 max-w-3xl space-y-2">
      <h2 id="ssh-progress" className="text-base font-semibold">
        {job.node} on {job.target}:{' '}
        <Badge tone={job.state === 'succeeded' ? 'master' : job.state === 'failed' ? 'fault' : 'backup'}>
          {job.state}
        </Badge>
      </h2>
      <ol
        data-testid="ssh-log"
        className="max-h-96 overflow-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-800"
      >
        {job.lines.map((l, i) => (
          <li
            key={i}
            className={
              l.level === 'error'
                ? 'text-red-700 dark:text-red-300'
                : l.level === 'step' || l.level === 'done'
                  ? 'font-semibold'
                  : ''
            }
          >
            {l.level === 'output' ? '  ' : ''}
            {l.text}
          </li>
        ))}
      </ol>
      {job.state === 'succeeded' && <Banner tone="ok">The node is online.</Banner>}
      {job.state === 'failed' && (
        <Banner tone="error" role="alert">
          {job.error}
        </Banner>
      )}
    </section>
  );
}
