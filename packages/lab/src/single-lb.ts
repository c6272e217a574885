import { writeFileSync } from 'node:fs';
import type { ClusterSpecInput } from '@keepwatch/shared';
import { agentConfig } from './agent.js';
import { startBackend } from './backend.js';
import { Lab } from './lab.js';
import { LabNginx } from './nginx.js';
import { REF } from './reference-topology.js';

/**
 * The smallest lab an agent can be master in: lb1 alone in front of web1 (a running backend), and
 * a client. lb1's nginx runs with a placeholder until the agent writes its config; the agent's
 * configuration for `spec` cut down to lb1 and web1 (no metrics listener) is written to
 * `configPath`. On failure the lab is torn down before the error is thrown.
 */
export async function startSingleLbLab(spec: ClusterSpecInput, configPath: string): Promise<Lab> {
  const lab = await Lab.create({
    hosts: [
      { name: 'lb1', ipv4: [`${REF.lb1}/24`] },
      { name: 'web1', ipv4: [`${REF.web1}/24`] },
      { name: 'client', ipv4: [`${REF.client}/24`] },
    ],
  });
  try {
    await startBackend(lab, 'web1', 'web1');
    const nginx = new LabNginx(lab, 'lb1');
    nginx.configure('# replaced by the agent\n');
    await nginx.start();
    const single: ClusterSpecInput = {
      ...spec,
      nodes: spec.nodes.filter((n) => n.name === 'lb1'),
      vrrpInstances: spec.vrrpInstances?.map((i) => ({ ...i, members: i.members.filter((m) => m.node === 'lb1') })),
      pools: [{ name: 'webs', servers: [{ address: REF.web1, port: 80 }] }],
    };
    writeFileSync(configPath, JSON.stringify({ ...agentConfig(lab, nginx, single), metrics: undefined }, null, 2));
    return lab;
  } catch (e) {
    await lab.teardown();
    throw e;
  }
}
