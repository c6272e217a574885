import { afterAll, beforeAll, expect, it } from 'vitest';
import { agentConfig, LabAgent, LabKeepalived, LabNginx, REF, referenceLab, type Lab } from '@keepwatch/lab';
import { ClusterSpecSchema, renderKeepalivedConfig, type ClusterSpecInput } from '@keepwatch/shared';

type Lb = 'lb1' | 'lb2';

/** One HA daemon on one LB, whichever implementation. */
type Daemon = { start(): Promise<unknown>; stop(): Promise<void> };

/** A reference lab with keepwatch-agent on one LB and real keepalived on the other. */
export type MixedCluster = {
  lab: Lab;
  agent: LabAgent;
  ka: LabKeepalived;
  /** The LB keepalived runs on. */
  kaOn: Lb;
  vip: string;
  /** The HA daemon on `lb`. */
  daemon(lb: Lb): Daemon;
  /** Resolves once exactly `holders` hold the VIP (within 4 advert intervals and 5 s). */
  wait(holders: string[]): Promise<void>;
  /** Writes keepalived's configuration: what Keepwatch exports for its LB from `spec` (it does not restart it). */
  configureKeepalived(spec: ClusterSpecInput): void;
};

/**
 * Registers the hooks of a mixed cluster: before the tests, the reference lab with keepwatch-agent
 * on `agentOn` and keepalived on the other LB, the keepalived side running the keepalived.conf
 * Keepwatch exports for it from the same `spec`; lb1's daemon started first. `keepalived` names
 * another build (keepalived24()) when called in the hook; `metrics: false` turns the agent's off.
 * The returned object is filled in when the hook has run.
 */
export function mixedClusterSuite(o: {
  spec: ClusterSpecInput;
  agentOn: Lb;
  family: 4 | 6;
  advertIntervalMs: number;
  metrics?: false;
  keepalived?: () => { name: string; binary: LabKeepalived['binary'] };
}): MixedCluster {
  const kaOn: Lb = o.agentOn === 'lb1' ? 'lb2' : 'lb1';
  const vip = o.family === 4 ? REF.vip : REF.vip6;
  const m = {
    kaOn,
    vip,
    daemon: (lb: Lb): Daemon => (lb === o.agentOn ? m.agent : m.ka),
    wait: (holders: string[]) => m.lab.waitForHolders(vip, holders, 4 * o.advertIntervalMs + 5000),
    configureKeepalived: (spec: ClusterSpecInput) =>
      m.ka.configure(renderKeepalivedConfig(ClusterSpecSchema.parse(spec), kaOn).text),
  } as MixedCluster;
  beforeAll(async () => {
    m.lab = await referenceLab();
    const config = agentConfig(m.lab, new LabNginx(m.lab, o.agentOn), o.spec);
    m.agent = new LabAgent(m.lab, o.agentOn, o.metrics === false ? { ...config, metrics: undefined } : config);
    const build = o.keepalived?.();
    m.ka = build ? new LabKeepalived(m.lab, kaOn, build.name, build.binary) : new LabKeepalived(m.lab, kaOn);
    m.configureKeepalived(o.spec);
    await m.daemon('lb1').start();
    await m.daemon('lb2').start();
  });
  afterAll(async () => {
    await m.lab?.teardown();
  });
  return m;
}

/** The failover tests every mixed cluster runs after lb1 was elected: takeover, then preemption. */
export function takeoverAndPreemptionTests(m: MixedCluster): void {
  it('lb2 takes over when lb1 stops', async () => {
    await m.daemon('lb1').stop();
    await m.wait(['lb2']);
  });

  it('lb1 preempts when it comes back', async () => {
    await m.daemon('lb1').start();
    await m.wait(['lb1']);
    expect(await m.lab.holders(m.vip)).toEqual(['lb1']);
  });
}
