#!/bin/bash
# PID 1 of new PID, mount, UTS, IPC and cgroup namespaces (its network namespace is a lab host's):
# builds an overlay root over the host's / whose writes land in a tmpfs, then execs systemd.
# Usage: systemd-container.sh DIR HOSTNAME TARGET [BIND...]
#   DIR      this container's folder on the host (pid file; the tmpfs is mounted under it)
#   BIND     host paths bind-mounted at the same path inside (e.g. the lab's folder)
set -euo pipefail
D="$1"
NAME="$2"
TARGET="$3"
shift 3

# Our PID as the host sees it (the host's /proc is still mounted; `read` runs in this shell).
while read -r key first _; do
  if [ "$key" = "NSpid:" ]; then echo "$first" >"$D/pid1.tmp"; fi
done </proc/self/status
mv "$D/pid1.tmp" "$D/pid1"

CONSOLE="$(readlink /proc/self/fd/0)" # the pty `script` gives us: systemd logs to it
M="$D/mnt"
mkdir -p "$M"
mount -t tmpfs -o mode=755 tmpfs "$M"
mkdir -p "$M/upper" "$M/work" "$M/root"
R="$M/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$M/upper,workdir=$M/work" "$R"

mount -t proc proc "$R/proc"
mount --bind "$R/proc/sys" "$R/proc/sys"
mount -o remount,bind,ro "$R/proc/sys"
mount -t sysfs -o ro sysfs "$R/sys"
mount -t cgroup2 cgroup2 "$R/sys/fs/cgroup" # the cgroup namespace makes our subtree its root

mount -t tmpfs -o mode=755,nosuid tmpfs "$R/dev"
mkdir -p "$R/dev/pts" "$R/dev/shm" "$R/dev/mqueue"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$R/dev/pts"
ln -s pts/ptmx "$R/dev/ptmx"
for d in null zero full random urandom tty; do
  touch "$R/dev/$d"
  mount --bind "/dev/$d" "$R/dev/$d"
done
touch "$R/dev/console"
mount --bind "$CONSOLE" "$R/dev/console"
ln -s /proc/self/fd "$R/dev/fd"
ln -s /proc/self/fd/0 "$R/dev/stdin"
ln -s /proc/self/fd/1 "$R/dev/stdout"
ln -s /proc/self/fd/2 "$R/dev/stderr"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$R/run"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/tmp"

# Inside the overlay only: none of the host's enabled units (nginx, postgresql, ssh …) may start.
rm -rf "$R/etc/systemd/system"
mkdir -p "$R/etc/systemd/system" "$R/etc/systemd/system.conf.d"
# Units that touch the kernel, hardware or the host's disks, or that only cost time here.
for u in systemd-modules-load.service systemd-binfmt.service proc-sys-fs-binfmt_misc.automount \
  proc-sys-fs-binfmt_misc.mount sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
  sys-fs-fuse-connections.mount dev-hugepages.mount dev-mqueue.mount systemd-timesyncd.service getty.target \
  console-getty.service systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service \
  systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-sysctl.service systemd-remount-fs.service \
  systemd-firstboot.service systemd-journald-audit.socket systemd-hwdb-update.service systemd-random-seed.service \
  systemd-pstore.service systemd-repart.service swap.target cryptsetup.target veritysetup.target remote-fs.target \
  apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer man-db.timer dpkg-db-backup.timer \
  logrotate.timer; do
  ln -s /dev/null "$R/etc/systemd/system/$u"
done
# A minimal default target: system initialisation only; units are started on demand.
cat >"$R/etc/systemd/system/keepwatch-lab.target" <<UNIT
[Unit]
Description=Keepwatch lab container
Requires=sysinit.target
After=sysinit.target
AllowIsolate=yes
UNIT
# The bounding set here lacks CAP_SYS_RESOURCE: systemd must not try to raise hard limits.
hard_memlock="$(ulimit -Hl)"
[ "$hard_memlock" = unlimited ] && hard_memlock=infinity
cat >"$R/etc/systemd/system.conf.d/keepwatch-lab.conf" <<CONF
[Manager]
DefaultLimitNOFILE=1024:$(ulimit -Hn)
DefaultLimitMEMLOCK=$hard_memlock
CONF
: >"$R/etc/fstab"
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$R/etc/machine-id"
echo >>"$R/etc/machine-id"
echo "$NAME" >"$R/etc/hostname"
echo "$NAME" >/proc/sys/kernel/hostname # our UTS namespace

for b in "$@"; do
  mkdir -p "$R$b"
  mount --bind "$b" "$R$b"
done

mkdir -p "$R/.oldroot"
cd "$R"
pivot_root . .oldroot
umount -l /.oldroot
rmdir /.oldroot
exec env -i container=keepwatch-lab /lib/systemd/systemd --system --unit="$TARGET"
