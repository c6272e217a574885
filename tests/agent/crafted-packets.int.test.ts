import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  agentConfig,
  LabAgent,
  LabKeepalived,
  LabNginx,
  REF,
  referenceLab,
  referenceSpec,
  waitFor,
  type Lab,
} from '@keepwatch/lab';
import { ClusterSpecSchema, renderKeepalivedConfig } from '@keepwatch/shared';
import { metricValue } from '../support/frames.js';

const CRAFT = fileURLToPath(new URL('../support/craft-vrrp.py', import.meta.url));

/**
 * Issue #15 finding 6: adverts built by scapy (Debian's python3-scapy, not Keepwatch's codec) sent
 * from the client to the reference cluster (VRRPv2, PASS, 1 s) run first by keepalived 2.2.7 and
 * then by keepwatch-agent, the same packets to both. Each hostile packet claims priority 254: were
 * it accepted, lb1 would step down at once. The agent keeps the VIP and counts each by reason;
 * the control — a correct priority-254 advert — moves it on both, so the harness sees a move.
 */
const HOSTILE = [
  { name: 'wrong-password', reason: 'auth-failed' },
  { name: 'no-password', reason: 'auth-failed' },
  { name: 'ttl-254', reason: 'bad-ttl' },
  { name: 'bad-checksum', reason: 'bad-checksum' },
  { name: 'wrong-address-list', reason: 'address-list-mismatch' },
  { name: 'empty-address-list', reason: 'address-list-mismatch' },
  { name: 'count-255', reason: 'address-list-mismatch' },
  { name: 'unicast-to-multicast-instance', reason: 'destination-mismatch' },
  { name: 'wrong-vrid', reason: 'vrid-mismatch' },
  { name: 'truncated', reason: 'too-short' },
] as const;

type Impl = 'keepalived 2.2.7' | 'keepwatch-agent';
type Daemon = { start(): Promise<unknown>; stop(): Promise<void> };

describe('crafted VRRPv2 packets (scapy): keepalived 2.2.7 and keepwatch-agent receive the same', () => {
  let lab: Lab;
  let lb1Mac = '';
  let crafter: ChildProcessWithoutNullStreams | null = null;
  let replies: AsyncIterator<string>;
  const outcome: Record<Impl, Record<string, 'kept' | 'moved'>> = { 'keepalived 2.2.7': {}, 'keepwatch-agent': {} };
  const spec = referenceSpec({ name: 'crafted', version: 2, check: null, pools: false });

  /** Sends `count` packets of `name` from the client and waits until they are out. */
  async function send(name: string, count = 3): Promise<void> {
    crafter!.stdin.write(`${name} ${count}\n`);
    const reply = await replies.next();
    expect(reply.value).toBe(`sent ${count} ${name}`);
  }

  beforeAll(async () => {
    lab = await referenceLab();
    lb1Mac = await lab.mac('lb1');
    const clientMac = await lab.mac('client');
    crafter = spawn('ip', [
      'netns',
      'exec',
      lab.host('client').ns,
      '/usr/bin/python3',
      CRAFT,
      REF.client,
      clientMac,
      REF.vip,
      REF.lb1,
      lb1Mac,
    ]);
    lab.track(crafter.pid!, 'client:craft-vrrp', crafter);
    replies = createInterface({ input: crafter.stdout })[Symbol.asyncIterator]();
    expect((await replies.next()).value).toBe('ready');
  });
  afterAll(async () => {
    crafter?.stdin.end();
    await lab?.teardown();
  });

  for (const impl of ['keepalived 2.2.7', 'keepwatch-agent'] as const) {
    describe(impl, () => {
      const daemons: Daemon[] = [];
      let transitions: () => number = () => 0;
      const dropped = async (reason: string) =>
        metricValue(
          (await lab.httpGet('client', `http://${REF.lb1}:9623/metrics`)) ?? '',
          'keepwatch_vrrp_packets_dropped_total',
          {
            instance: 'VI_1',
            reason,
          },
        );

      beforeAll(async () => {
        const parsed = ClusterSpecSchema.parse(spec);
        for (const lb of ['lb1', 'lb2'] as const) {
          if (impl === 'keepwatch-agent') {
            const cfg = agentConfig(lab, new LabNginx(lab, lb), spec);
            daemons.push(new LabAgent(lab, lb, lb === 'lb1' ? cfg : { ...cfg, metrics: undefined }));
          } else {
            const ka = new LabKeepalived(lab, lb);
            ka.configure(renderKeepalivedConfig(parsed, lb).text);
            daemons.push(ka);
          }
        }
        transitions = () =>
          daemons
            .map((d) =>
              d instanceof LabAgent
                ? d.lines().filter((l) => l.msg === 'vrrp transition').length
                : ((d as LabKeepalived).log().match(/Entering (MASTER|BACKUP|FAULT) STATE/g) ?? []).length,
            )
            .reduce((a, b) => a + b, 0);
        for (const d of daemons) await d.start();
        await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
        // A settled cluster: lb2's first transitions (to Backup) are behind us.
        await new Promise((r) => setTimeout(r, 300));
      });
      afterAll(async () => {
        for (const d of daemons) await d.stop().catch(() => undefined);
      });

      it.each(HOSTILE)('$name: what it does (the agent: dropped, counted, nothing moves)', async ({ name, reason }) => {
        const before = transitions();
        const counted = impl === 'keepwatch-agent' ? await dropped(reason) : 0;
        await send(name);
        // An accepted priority-254 advert makes lb1 step down at once; wait a few of its effects' worth.
        await new Promise((r) => setTimeout(r, 400));
        const kept = (await lab.holders(REF.vip)).join() === 'lb1' && transitions() === before;
        outcome[impl][name] = kept ? 'kept' : 'moved';
        if (impl === 'keepwatch-agent') {
          expect(kept, `${name} moved the VIP or caused a transition`).toBe(true);
          await waitFor(async () => (await dropped(reason)) >= counted + 3 || undefined, {
            timeoutMs: 2000,
            what: `the agent to count 3 drops as ${reason}`,
          });
        }
      });

      if (impl === 'keepwatch-agent')
        it('answers a flood of 300 priority-0 adverts with a handful (keepalived answers each), and no backup takes over', async () => {
          const before = await dropped('answer-rate-limited');
          const transitionsBefore = transitions();
          await send('priority-0', 300);
          await new Promise((r) => setTimeout(r, 1500)); // longer than lb2's Skew_Time and a master-down interval
          expect(await dropped('answer-rate-limited')).toBeGreaterThanOrEqual(before + 250);
          expect(await lab.holders(REF.vip)).toEqual(['lb1']);
          expect(transitions()).toBe(transitionsBefore);
        });

      it('the control, a correct priority-254 advert, moves the VIP off lb1', async () => {
        await send('valid');
        await waitFor(async () => !(await lab.holders(REF.vip)).includes('lb1') || undefined, {
          timeoutMs: 2000,
          what: 'lb1 to step down for the priority-254 advert',
        });
        outcome[impl].valid = 'moved';
      });
    });
  }

  // keepalived 2.2.7 drops each of these too, but the 255-address advert (after the count-0 one)
  // made its backup time out lb1 and take the VIP for a moment here (two of two runs): the agent is
  // stricter there. Asserted as "the agent keeps whatever keepalived keeps", not as equality, since
  // keepalived's lapse depends on timing.
  it('the agent is at keepalived 2.2.7’s level or stricter on every packet', () => {
    console.log('crafted packets, outcome by receiver:', JSON.stringify(outcome));
    expect(Object.keys(outcome['keepwatch-agent'])).toHaveLength(HOSTILE.length + 1);
    for (const { name } of HOSTILE) {
      expect(outcome['keepwatch-agent'][name], name).toBe('kept');
      expect(['kept', 'moved']).toContain(outcome['keepalived 2.2.7'][name]);
    }
    expect(outcome['keepalived 2.2.7'].valid).toBe('moved');
  });
});
