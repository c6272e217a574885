#!/usr/bin/env bash
# Installs the Debian packages Keepwatch needs, when they are missing. Idempotent: prints what it
# installs and does nothing when everything is there. Needs root only when something is missing.
# Services Debian starts on install (nginx on :80, PostgreSQL, sshd) are stopped again: the tests
# and the demo start their own instances.
#
# Exit status: 0 when everything is installed at the end (whatever the starting state), 1 naming
# the packages when it could not install them (not root, or apt-get failed, or a package did not
# provide what it should).
#
# KEEPWATCH_SETUP_ROOT (tests only): a folder that stands for `/` for every path this script checks
# or writes (the binaries it looks for, /usr/sbin/policy-rc.d). apt-get, dpkg-query and service are
# found through PATH, so a test can put recording stand-ins first and touch nothing on the host.
set -euo pipefail

root=${KEEPWATCH_SETUP_ROOT:-}

# command-or-file to check  →  Debian package that provides it
declare -A NEED=(
  [/usr/sbin/nginx]=nginx
  [/usr/sbin/keepalived]=keepalived
  [/usr/bin/ip]=iproute2            # /bin/ip is a symlink on merged-/usr systems
  [/usr/bin/ping]=iputils-ping
  [/usr/bin/arping]=iputils-arping  # not Debian's "arping" package: it conflicts
  [/usr/bin/tcpdump]=tcpdump
  [/usr/lib/postgresql/15/bin/postgres]=postgresql
  [/usr/bin/chromium]=chromium
  [/usr/sbin/sshd]=openssh-server
  [/usr/bin/curl]=curl
  [/usr/bin/openssl]=openssl        # test certificates for the agent's wss:// channel
  [/usr/bin/make]=make
  [/usr/bin/g++]=g++
  [/usr/bin/python3]=python3
  [/usr/bin/lintian]=lintian        # the agent's .deb is checked with it
  [/usr/bin/rpmbuild]=rpm           # the agent's .rpm is built with it
  [/usr/bin/readelf]=binutils       # the agent executable: strip, and its glibc check
  [/usr/bin/strace]=strace          # the agent executable's test: how it unpacks its addon
  [/usr/bin/script]=bsdutils        # a console for systemd in the unit tests
  [/lib/systemd/systemd]=systemd    # PID 1 of the lab's systemd containers (Debian's images lack it)
  # keepalived 2.4.3 (auth_hmac interop) is built from source on the test path:
  [/usr/share/build-essential/list]=build-essential
  [/usr/bin/autoconf]=autoconf
  [/usr/bin/automake]=automake
  [/usr/bin/pkg-config]=pkg-config
  [/usr/include/openssl/ssl.h]=libssl-dev
  [/usr/lib/python3/dist-packages/scapy/__init__.py]=python3-scapy  # adverts built outside the codec
  [/usr/bin/pebble]=pebble          # the ACME test CA (with pebble-challtestsrv) of the ACME lab test
)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing_packages() {
  local path pkg
  for path in "${!NEED[@]}"; do
    pkg=${NEED[$path]}
    if [ ! -x "$root$path" ] && ! installed "$pkg"; then echo "$pkg"; fi
  done
  # iputils-arping vs arping: the binary path is the same, so check the package too.
  if installed arping; then echo iputils-arping; fi
}

mapfile -t missing < <(missing_packages | sort -u)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if installed arping; then
  echo "setup: Debian's 'arping' package is installed; Keepwatch needs 'iputils-arping' (they conflict)." >&2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: these Debian packages are missing: ${missing[*]}" >&2
  echo "setup: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Keep Debian from starting services during the install (policy-rc.d), so nothing binds :80. A
# policy-rc.d that was there before (Debian's container images ship one) is left as it was.
policy=$root/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  mkdir -p "$(dirname "$policy")"
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  created_policy=1
fi
# An EXIT trap's last command sets the script's status: it must be one that succeeds either way.
cleanup() {
  if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi
}
trap cleanup EXIT

status=0
apt-get update -qq || status=$?
if [ "$status" -eq 0 ]; then
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
fi
# Services that still came up (no systemd here, or an init script that ignored the policy).
for svc in nginx postgresql ssh keepalived; do
  if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done

mapfile -t still < <(missing_packages | sort -u)
if [ ${#still[@]} -ne 0 ]; then
  echo "setup: could not install: ${still[*]} (apt-get exited $status)" >&2
  exit 1
fi
echo "setup: installed ${missing[*]}"
exit 0
