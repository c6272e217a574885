import WebSocket from 'ws';
import { waitFor } from '@keepwatch/lab';
import { helloMessage } from '@keepwatch/shared';

export type ReportedTransition = {
  seq: number;
  at: number;
  from: string;
  to: string;
  priority: number;
  reason: string;
};

/**
 * A minimal agent on the real hub protocol (@keepwatch/shared's messages): enroll with a one-time
 * token, hello with the credential, then report VRRP transitions of VI_1 (VRID 51) and wait for
 * each ack — so pages have stored reports to show without a lab.
 */
export async function reportTransitions(
  wsUrl: string,
  node: string,
  token: string,
  transitions: ReportedTransition[],
): Promise<void> {
  const ws = new WebSocket(wsUrl);
  const inbox: { type: string; seq?: number; credential?: string }[] = [];
  ws.on('message', (d) => inbox.push(JSON.parse(d.toString()) as { type: string }));
  await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
  const next = (type: string, pred: (m: { seq?: number; credential?: string }) => boolean = () => true) =>
    waitFor(
      () =>
        inbox.find((m) => m.type === type && pred(m)) ??
        (inbox.find((m) => m.type === 'error') ? Promise.reject(new Error(JSON.stringify(inbox))) : undefined),
      { timeoutMs: 10_000, intervalMs: 20, what: `${type} from the hub` },
    );
  try {
    ws.send(JSON.stringify({ v: 1, type: 'enroll', node, token, agentVersion: '0.1.0' }));
    const { credential } = await next('enrolled');
    if (!credential) throw new Error(`'enrolled' without a credential: ${JSON.stringify(inbox)}`);
    ws.send(
      JSON.stringify(helloMessage({ node, credential, agentVersion: '0.1.0', appliedRevision: null, lastSeq: null })),
    );
    await next('welcome');
    for (const t of transitions) {
      ws.send(JSON.stringify({ v: 1, type: 'state-transition', instance: 'VI_1', vrid: 51, ...t }));
      await next('ack', (m) => m.seq === t.seq);
    }
  } finally {
    ws.close();
  }
}

/**
 * The reference cluster's last reports without a lab: lb1 went backup 45 s ago and master 42 s ago,
 * lb2 backup 45 s ago — each enrolled with a fresh token and reported over the hub at `base`.
 */
export async function reportReferenceHolders(
  api: { query<T>(path: string, input: unknown): Promise<T>; mutate<T>(path: string, input: unknown): Promise<T> },
  base: string,
  clusterId: string,
): Promise<void> {
  const nodes = await api.query<{ id: string; node: { name: string } }[]>('nodes.list', { clusterId });
  const now = Date.now();
  for (const [name, to, priority] of [
    ['lb1', 'master', 100],
    ['lb2', 'backup', 80],
  ] as const) {
    const { token } = await api.mutate<{ token: string }>('nodes.issueEnrollToken', {
      id: nodes.find((n) => n.node.name === name)!.id,
    });
    await reportTransitions(`${base.replace(/^http/, 'ws')}/agent`, name, token, [
      { seq: 1, at: now - 45_000, from: 'initialize', to: 'backup', priority, reason: 'startup' },
      ...(to === 'master'
        ? [{ seq: 2, at: now - 42_000, from: 'backup', to: 'master', priority, reason: 'master-down-timer' }]
        : []),
    ]);
  }
}
