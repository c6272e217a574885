#!/usr/bin/env bash
# Installs the Debian packages Keepwatch needs, when they are missing. Idempotent: prints what it
# installs and does nothing when everything is there. Needs root only when something is missing.
# Services Debian starts on install (nginx on :80, PostgreSQL, sshd) are stopped again: the tests
# and the demo start their own instances.
set -euo pipefail

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
  [/usr/bin/make]=make
  [/usr/bin/g++]=g++
  [/usr/bin/python3]=python3
)

missing=()
for path in "${!NEED[@]}"; do
  pkg=${NEED[$path]}
  if [ ! -x "$path" ] && ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
# iputils-arping vs arping: the binary path is the same, so check the package too.
if dpkg-query -W -f='${Status}' arping 2>/dev/null | grep -q 'install ok installed'; then
  echo "setup: Debian's 'arping' package is installed; Keepwatch needs 'iputils-arping' (they conflict)." >&2
  missing+=(iputils-arping)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: these Debian packages are missing: ${missing[*]}" >&2
  echo "setup: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Keep Debian from starting services during the install (policy-rc.d), so nothing binds :80.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created_policy=1
fi
cleanup() { [ "$created_policy" = 1 ] && rm -f "$policy"; }
trap cleanup EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Services that still came up (no systemd here, or an init script that ignored the policy).
for svc in nginx postgresql ssh keepalived; do
  if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done
echo "setup: installed ${missing[*]}"
