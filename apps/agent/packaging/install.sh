#!/bin/sh
# Installs keepwatch-agent from this unpacked package. The host needs Node.js 20 or newer and
# nothing else (the agent and its dependencies are one bundled file; the addon is prebuilt).
#
#   ./install.sh [--prefix DIR]           where to install (default /opt/keepwatch-agent)
#                [--config FILE]          the agent's config (default /etc/keepwatch/agent.json
#                                         for the default prefix, else PREFIX/etc/agent.json)
#                [--state-dir DIR]        written into the config (default: the agent's own,
#                                         /var/lib/keepwatch, for the default prefix, else PREFIX/state)
#                [--server URL --node NAME [--token TOKEN]]
#                                         write (or update) the config's control plane: the
#                                         dashboard's ws:// / wss:// URL, this node's name in its
#                                         cluster, and a one-time enrollment token
#                [--no-systemd]           never install a systemd unit
#                [--start]                without systemd: start the agent now, supervised
#                                         (bin/keepwatch-agent-supervise, pid file PREFIX/run/)
#                [--node-bin PATH]        the Node.js binary to use (default: `node` on PATH)
#
# With systemd running (and no --no-systemd) the units are installed for this prefix and config,
# enabled, and (re)started when a config exists. Otherwise it prints how to start the agent, or
# starts it with --start. Re-running it upgrades in place. The last line of output says what it
# did: `keepwatch-agent: installed …`, `… started (systemd)`, `… started (supervised, pid N)`.
set -eu

DEFAULT_PREFIX=/opt/keepwatch-agent
prefix=$DEFAULT_PREFIX
config=
state_dir=
server=
token=
node_name=
no_systemd=0
start=0
node_bin=

die() { echo "install.sh: $*" >&2; exit 1; }
need_arg() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"; }

while [ $# -gt 0 ]; do
  case $1 in
    --prefix) need_arg "$@"; prefix=$2; shift 2 ;;
    --config) need_arg "$@"; config=$2; shift 2 ;;
    --state-dir) need_arg "$@"; state_dir=$2; shift 2 ;;
    --server) need_arg "$@"; server=$2; shift 2 ;;
    --token) need_arg "$@"; token=$2; shift 2 ;;
    --node) need_arg "$@"; node_name=$2; shift 2 ;;
    --no-systemd) no_systemd=1; shift ;;
    --start) start=1; shift ;;
    --node-bin) need_arg "$@"; node_bin=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
[ -f "$here/lib/keepwatch-agent.mjs" ] || die "run install.sh from the unpacked package (no lib/keepwatch-agent.mjs beside it)"
case $prefix in /*) ;; *) die "--prefix must be an absolute path (got $prefix)" ;; esac
# The paths end up in a sed replacement and a unit file: keep them to plain characters.
for p in "$prefix" "${config:-/x}" "${state_dir:-/x}" "${node_bin:-/x}"; do
  case $p in *[!A-Za-z0-9._/+@-]*) die "path $p: only letters, digits and . _ / + @ - are accepted" ;; esac
done

[ "$(uname -s)" = Linux ] || die "this package is for Linux (this is $(uname -s))"
[ "$(uname -m)" = x86_64 ] || die "this package is for x86_64 (this is $(uname -m))"

if [ -z "$node_bin" ]; then
  node_bin=$(command -v node 2>/dev/null || true)
  [ -n "$node_bin" ] || die "Node.js 20 or newer is required and no \`node\` is on PATH; install it (e.g. apt-get install nodejs) or pass --node-bin PATH"
fi
node_version=$("$node_bin" --version 2>/dev/null) || die "$node_bin --version failed: is it a Node.js binary?"
node_major=${node_version#v}
node_major=${node_major%%.*}
case $node_major in ''|*[!0-9]*) die "$node_bin --version said \"$node_version\"; expected v20 or newer" ;; esac
[ "$node_major" -ge 20 ] || die "Node.js 20 or newer is required; $node_bin is $node_version"
node_bin=$(readlink -f "$node_bin")

if [ -z "$config" ]; then
  if [ "$prefix" = "$DEFAULT_PREFIX" ]; then config=/etc/keepwatch/agent.json; else config=$prefix/etc/agent.json; fi
fi
if [ -z "$state_dir" ] && [ "$prefix" != "$DEFAULT_PREFIX" ]; then state_dir=$prefix/state; fi

# Files: written beside their final name and renamed over it, so a re-install never leaves a
# half-written bundle for a restarting agent.
mkdir -p "$prefix/bin" "$prefix/lib" "$prefix/share/systemd" "$prefix/run" "$prefix/log"
put() { cp "$1" "$2.new" && chmod "$3" "$2.new" && mv -f "$2.new" "$2"; }
put "$here/lib/keepwatch-agent.mjs" "$prefix/lib/keepwatch-agent.mjs" 0644
put "$here/lib/keepwatch_net.node" "$prefix/lib/keepwatch_net.node" 0755
sed "s|@NODE@|$node_bin|" "$here/bin/keepwatch-agent" > "$prefix/bin/keepwatch-agent.new"
chmod 0755 "$prefix/bin/keepwatch-agent.new" && mv -f "$prefix/bin/keepwatch-agent.new" "$prefix/bin/keepwatch-agent"
put "$here/bin/keepwatch-agent-supervise" "$prefix/bin/keepwatch-agent-supervise" 0755
put "$here/VERSION" "$prefix/VERSION" 0644
for unit in "$here"/systemd/*.service; do
  sed -e "s|/usr/bin/env keepwatch-agent|$prefix/bin/keepwatch-agent|" -e "s|/etc/keepwatch/agent.json|$config|" "$unit" > "$prefix/share/systemd/$(basename "$unit")"
done
echo "keepwatch-agent $(cat "$here/VERSION") installed in $prefix (Node.js $node_version at $node_bin)"

# Config: created or updated with the control plane (the JSON is written by Node, so values are
# escaped properly; the agent validates the whole file at start and names any bad field).
if [ -n "$server" ]; then
  [ -n "$node_name" ] || die "--server needs --node NAME (this node's name in its cluster)"
  mkdir -p "$(dirname "$config")"
  umask 077
  "$node_bin" -e '
    const fs = require("node:fs");
    const [file, node, url, token, stateDir] = process.argv.slice(1);
    let cfg = {};
    try { cfg = JSON.parse(fs.readFileSync(file, "utf8")); } catch (e) { if (e.code !== "ENOENT") throw new Error(`${file}: ${e.message}`); }
    cfg.node = node;
    cfg.controlPlane = token ? { url, enrollToken: token } : { url };
    if (stateDir) cfg.stateDir = stateDir;
    fs.writeFileSync(file + ".new", JSON.stringify(cfg, null, 2) + "\n", { mode: 0o600 });
    fs.renameSync(file + ".new", file);
  ' "$config" "$node_name" "$server" "$token" "$state_dir"
  umask 022
  echo "config written: $config (node $node_name, dashboard $server)"
fi

if [ $no_systemd = 0 ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  cp "$prefix"/share/systemd/*.service /etc/systemd/system/
  systemctl daemon-reload
  if [ -f "$config" ]; then
    systemctl enable keepwatch-agent.service >/dev/null
    systemctl restart keepwatch-agent.service
    echo "keepwatch-agent: started (systemd, keepwatch-agent.service)"
  else
    echo "keepwatch-agent: installed; write $config, then: systemctl enable --now keepwatch-agent.service"
  fi
  exit 0
fi

pidfile=$prefix/run/keepwatch-agent.pid
logfile=$prefix/log/keepwatch-agent.log
if [ $start = 0 ]; then
  echo "keepwatch-agent: installed; start it with:"
  echo "  setsid $prefix/bin/keepwatch-agent-supervise --config $config --pid-file $pidfile >>$logfile 2>&1 </dev/null &"
  exit 0
fi
[ -f "$config" ] || die "--start: no config at $config (pass --server/--node/--token or write it first)"

# A supervisor from an earlier install is stopped first (by the pid in its pid file, and only
# when that pid still is our supervisor: a stale file must not make us signal a stranger).
if [ -f "$pidfile" ]; then
  old=$(cat "$pidfile" 2>/dev/null || true)
  case $old in ''|*[!0-9]*) old= ;; esac
  if [ -n "$old" ] && tr '\0' ' ' < "/proc/$old/cmdline" 2>/dev/null | grep -q keepwatch-agent-supervise; then
    kill -TERM "$old" 2>/dev/null || true
    i=0
    while [ $i -lt 100 ] && kill -0 "$old" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
    kill -0 "$old" 2>/dev/null && die "the running supervisor (pid $old) did not stop within 10 s"
  fi
  rm -f "$pidfile"
fi
setsid "$prefix/bin/keepwatch-agent-supervise" --config "$config" --pid-file "$pidfile" >>"$logfile" 2>&1 </dev/null &
i=0
while [ $i -lt 100 ] && [ ! -s "$pidfile" ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$pidfile" ] || die "the supervisor did not write $pidfile within 10 s (see $logfile)"
echo "keepwatch-agent: started (supervised, pid $(cat "$pidfile"), log $logfile)"
