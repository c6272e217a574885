import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootSystemd, isAlive, Lab, REF, type SystemdContainer } from '@keepwatch/lab';

/**
 * The lab's systemd container (packages/lab/src/systemd.ts): a real systemd as PID 1 of a lab
 * host, over an overlay root that keeps the host's files untouched, powered off cleanly.
 */
describe('systemd container on a lab host', () => {
  let lab: Lab;
  let box: SystemdContainer;

  beforeAll(async () => {
    lab = await Lab.create({ hosts: [{ name: 'lb1', ipv4: [`${REF.lb1}/24`] }] });
    box = await bootSystemd(lab, { host: 'lb1', binds: [lab.dir] });
  });
  afterAll(async () => {
    await lab?.teardown();
  });

  it('runs systemd as PID 1 with the host name and the lab host network', async () => {
    expect((await box.exec(['cat', '/proc/1/comm'])).stdout.trim()).toBe('systemd');
    expect((await box.exec(['hostname'])).stdout.trim()).toBe('lb1');
    expect((await box.systemctl('is-system-running')).stdout.trim()).toBe('running');
    expect((await box.exec(['ip', '-o', 'addr', 'show', 'eth0'])).stdout).toContain(`${REF.lb1}/24`);
  });

  it('starts none of the host enabled units', async () => {
    const r = await box.systemctl('list-units', '--type=service', '--state=active', '--plain', '--no-legend');
    const units = r.stdout
      .split('\n')
      .map((l) => l.split(' ')[0])
      .filter(Boolean);
    expect(units.filter((u) => /nginx|postgres|ssh|keepalived|cron/.test(u ?? ''))).toEqual([]);
  });

  it('keeps writes inside the container', async () => {
    const path = `/etc/keepwatch-lab-probe-${lab.runId}`;
    box.writeFile(path, 'inside\n');
    expect((await box.exec(['cat', path])).stdout).toBe('inside\n');
    expect(existsSync(path)).toBe(false);
  });

  it('sees the host folders it was given as binds', async () => {
    writeFileSync(join(lab.dir, 'from-host'), 'host\n');
    expect((await box.exec(['cat', join(lab.dir, 'from-host')])).stdout).toBe('host\n');
    await box.exec(['sh', '-c', `echo inside > ${join(lab.dir, 'from-container')}`]);
    expect(readFileSync(join(lab.dir, 'from-container'), 'utf8')).toBe('inside\n');
  });

  it('powers off cleanly and leaves no cgroup behind', async () => {
    const pid1 = box.pid1;
    const { cleanMs } = await box.poweroff();
    expect(cleanMs).not.toBeNull();
    expect(isAlive(pid1)).toBe(false);
    expect(existsSync(box.cgroup)).toBe(false);
  });
});
