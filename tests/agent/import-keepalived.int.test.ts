import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LabKeepalived, REF, referenceLab, run, type Lab, AGENT_BIN, LabAgent } from '@keepwatch/lab';

const exec = promisify(execFile);

/**
 * Adopting the agent one host at a time: a keepalived.conf that keepalived accepts, using only
 * supported keywords (vrrp_version, script with arguments, enable_script_security/script_user,
 * unicast_peer, garp_master_*, track_interface, a weighted track_script), is imported with
 * `keepwatch-agent import-keepalived` and run by the agent on lb1, next to real keepalived on lb2
 * with the same kind of file. The behaviour is keepalived's.
 */
function conf(o: { router: string; priority: number; src: string; peer: string; healthyFile?: string }): string {
  return `global_defs {
   router_id ${o.router}
   enable_script_security
   script_user root
   vrrp_version 3
}
${
  o.healthyFile
    ? `vrrp_script chk_file {
   script "/usr/bin/test -f ${o.healthyFile}"
   interval 1
   weight -30
   fall 1
   rise 1
}
`
    : ''
}vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority ${o.priority}
    advert_int 0.1
    unicast_src_ip ${o.src}
    unicast_peer {
        ${o.peer}
    }
    garp_master_delay 1
    garp_master_repeat 2
    virtual_ipaddress {
        ${REF.vip}/32
    }
${
  o.healthyFile
    ? `    track_interface {
        trk0
    }
    track_script {
        chk_file
    }
`
    : ''
}}
`;
}

describe('an imported keepalived.conf runs under the agent next to keepalived', () => {
  let lab: Lab;
  let agent: LabAgent;
  let healthy = '';
  let importStderr = '';

  beforeAll(async () => {
    lab = await referenceLab();
    // A second link on lb1 to track (a veth pair inside its namespace: no dummy module here).
    for (const args of [
      ['link', 'add', 'trk0', 'type', 'veth', 'peer', 'name', 'trk0p'],
      ['link', 'set', 'trk0p', 'up'],
      ['link', 'set', 'trk0', 'up'],
    ]) {
      const r = await lab.exec('lb1', 'ip', args);
      expect(r.code, r.stderr).toBe(0);
    }
    healthy = join(lab.host('lb1').dir, 'healthy');
    writeFileSync(healthy, 'ok\n');
    const lb1Conf = lab.writeFile(
      'lb1',
      'keepalived.conf',
      conf({ router: 'lb1', priority: 100, src: REF.lb1, peer: REF.lb2, healthyFile: healthy }),
    );
    // keepalived itself accepts the file the agent imports.
    const check = await run('ip', ['netns', 'exec', lab.host('lb1').ns, 'keepalived', '-t', '-f', lb1Conf]);
    expect(check.code, check.stderr).toBe(0);
    const imported = await exec(process.execPath, [AGENT_BIN, 'import-keepalived', lb1Conf]);
    importStderr = imported.stderr;
    const cfg = JSON.parse(imported.stdout) as Record<string, unknown>;
    // Local facts of the lab host: its own state folder (never the system's), metrics on its address.
    cfg.stateDir = join(lab.host('lb1').dir, 'agent-state');
    cfg.metrics = { address: REF.lb1, port: 9623 };
    agent = new LabAgent(lab, 'lb1', cfg as never);
    const ka = new LabKeepalived(lab, 'lb2');
    ka.configure(conf({ router: 'lb2', priority: 80, src: REF.lb2, peer: REF.lb1 }));
    await ka.start();
    await agent.start();
  });
  afterAll(async () => {
    await lab?.teardown();
  });

  it('imports without any unsupported keyword', () => {
    expect(importStderr).not.toMatch(/not supported/);
  });

  it('the agent (priority 100) is the only master', async () => {
    await lab.waitForHolders(REF.vip, ['lb1'], 5000);
  });

  it('a failing script with weight -30 (100 → 70) hands the VIP to keepalived (80)', async () => {
    rmSync(healthy);
    await lab.waitForHolders(REF.vip, ['lb2'], 5000);
  });

  it('the script recovering makes the agent preempt back', async () => {
    writeFileSync(healthy, 'ok\n');
    await lab.waitForHolders(REF.vip, ['lb1'], 5000);
  });

  it('a tracked interface going down puts the agent in Fault and keepalived takes over', async () => {
    await lab.exec('lb1', 'ip', ['link', 'set', 'trk0', 'down']);
    await lab.waitForHolders(REF.vip, ['lb2'], 5000);
    expect(
      agent.lines().some((l) => l.msg === 'vrrp transition' && l.state === 'fault' && l.reason === 'interface-down'),
    ).toBe(true);
  });

  it('the tracked interface coming back lets the agent preempt again', async () => {
    await lab.exec('lb1', 'ip', ['link', 'set', 'trk0', 'up']);
    await lab.waitForHolders(REF.vip, ['lb1'], 5000);
  });
});
