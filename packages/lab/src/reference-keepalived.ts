import { readFileSync } from 'node:fs';
import type { Lab } from './lab.js';
import type { LabNginx } from './nginx.js';
import { LabKeepalived } from './keepalived.js';
import { assetPath } from './assets.js';
import { mapTutorialAddresses } from './reference-topology.js';

/** A file of the reference scenario, unchanged (the lab's `assets/seed/`: the tutorial's own files). */
export function seedFixture(name: string): string {
  return readFileSync(assetPath(`seed/${name}`), 'utf8');
}

/** The reference `lb.conf` with the lab's backend addresses: the site config for nginx on both LBs. */
export function referenceNginxSite(): string {
  return mapTutorialAddresses(seedFixture('lb.conf'));
}

/**
 * The reference `check_nginx.sh`, adapted to a lab host. The tutorial's script counts nginx with
 * `ps -C nginx`, starts it with systemctl and stops keepalived with systemctl; in the lab every
 * namespace shares one process table and there is no systemd, so this one finds its own host's
 * nginx by pid file (a zombie counts as dead), starts it with the host's nginx command, and stops
 * its own keepalived by pid file. What it does is the tutorial's: when nginx is not running, start
 * it; when that fails too, stop keepalived so that the VIP moves.
 */
export function checkNginxScript(nginx: LabNginx, keepalived: LabKeepalived, logPath: string): string {
  return `#!/bin/bash
# check_nginx.sh (reference scenario), adapted to lab host ${nginx.host}
PIDFILE=${nginx.pidPath}
KEEPALIVED_PIDFILE=${keepalived.pidPath}
LOG=${logPath}
running() {
  [ -f "$PIDFILE" ] || return 1
  local pid state
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  [ -r "/proc/$pid/stat" ] || return 1
  state=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f1)
  [ "$state" != Z ] && [ "$(cat /proc/$pid/comm 2>/dev/null)" = nginx ]
}
if ! running; then
  echo "$(date +%T.%N) nginx is not running: starting it" >> "$LOG"
  ${nginx.startCommand()} >> "$LOG" 2>&1
  for i in 1 2 3 4 5 6 7 8 9 10; do running && break; sleep 0.1; done
  if ! running; then
    echo "$(date +%T.%N) nginx could not be started: stopping keepalived" >> "$LOG"
    kill -TERM "$(cat "$KEEPALIVED_PIDFILE")"
    exit 1
  fi
  echo "$(date +%T.%N) nginx started again" >> "$LOG"
fi
exit 0
`;
}

/**
 * The reference keepalived.conf (master or backup), adapted to the lab: the interface becomes
 * the lab's eth0, the tutorial's VIP its RFC 5737 one, the check script this host's copy. With
 * `fast`, VRRPv3 at a 0.1 s advert interval (the same rules, ten times quicker; keepalived then
 * ignores the `authentication` block). `lvs_sync_daemon_interface` is dropped: it configures IPVS
 * connection sync (deprecated in keepalived 2), which this deployment does not use — nginx balances.
 */
export function referenceKeepalivedConf(
  role: 'master' | 'backup',
  scriptPath: string,
  opts: { fast: boolean; checkIntervalS?: number },
): string {
  let conf = mapTutorialAddresses(seedFixture(`keepalived-${role}.conf`));
  conf = conf.replace(/\binterface ens160\b/, 'interface eth0');
  conf = conf.replace(/^\s*lvs_sync_daemon_interface ens192\n/m, '');
  conf = conf.replace(
    'script "/etc/keepalived/check_nginx.sh"',
    `script "${scriptPath}"\n  interval ${opts.checkIntervalS ?? 1}\n  timeout 3`,
  );
  if (opts.fast) {
    conf = conf.replace(/(router_id \S+)/, '$1\n   vrrp_version 3');
    conf = conf.replace(/advert_int 1\b/, 'advert_int 0.1');
  }
  return conf;
}

/** Sets up keepalived with the reference config and check script on one LB host. */
export function referenceKeepalived(
  lab: Lab,
  nginx: LabNginx,
  role: 'master' | 'backup',
  opts: { fast: boolean; checkIntervalS?: number },
): { keepalived: LabKeepalived; checkLog: string } {
  const host = nginx.host;
  const keepalived = new LabKeepalived(lab, host);
  const checkLog = `${lab.host(host).dir}/check_nginx.log`;
  const script = lab.writeFile(host, 'check_nginx.sh', checkNginxScript(nginx, keepalived, checkLog), 0o755);
  keepalived.configure(referenceKeepalivedConf(role, script, opts));
  return { keepalived, checkLog };
}
