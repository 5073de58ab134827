#!/bin/bash
# tests/world/supervise.sh HOST — run one test host's systemd-nspawn; restart it when the guest reboots.
# Owns: the nspawn process of HOST and the pid files $KW_RUN/HOST/{supervisor,nspawn}.pid.
# Started by world.sh under setsid (stdout/stderr -> $KW_RUN/HOST/console.log). A guest
# `reboot` makes nspawn exit 133 and is restarted (like systemd-nspawn@.service); SIGTERM
# is forwarded to nspawn, which halts the guest cleanly (SIGRTMIN+3 to its systemd).
# Never SIGKILL nspawn: the guest would keep running.
set -uo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
H=$1
D="$KW_RUN/$H"
CGROOTS=""
kw_machine_has_systemd || CGROOTS=$(kw_cgroup_roots)

args=(-D "$KW_BASE" --overlay="$KW_BASE:$D/upper:/"
      --machine="$H" --register=no
      --network-namespace-path="$D/netns"
      --link-journal=no --resolv-conf=off --timezone=off
      --console=read-only -b
      --capability=CAP_NET_ADMIN)
# no systemd on the machine: nspawn cannot create a scope unit ("Failed to open system bus"),
# so it must keep the cgroup it was started in (one per host, made by world.sh)
[ -n "$CGROOTS" ] && args=(--keep-unit "${args[@]}")
# CAP_NET_ADMIN + writable /proc/sys/net inside (both per network namespace): what nspawn
# does by itself for --private-network, but not for --network-namespace-path
export SYSTEMD_NSPAWN_API_VFS_WRITABLE=network
# best effort (needs CAP_SYS_RESOURCE, which this machine lacks: guests get 20000)
ulimit -Hn 1048576 2>/dev/null && ulimit -Sn 1048576 2>/dev/null

echo $$ > "$D/supervisor.pid"
stop=0
child=""
trap 'stop=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM INT HUP
while :; do
    (
        # join this host's own cgroups, then become nspawn (keeps the PID)
        for r in $CGROOTS; do echo "$BASHPID" > "$r/$KW_CG/$H/cgroup.procs"; done
        exec systemd-nspawn "${args[@]}"
    ) < /dev/null &
    child=$!
    echo "$child" > "$D/nspawn.pid"
    wait "$child"
    rc=$?
    while kill -0 "$child" 2>/dev/null; do wait "$child"; rc=$?; done   # wait was interrupted by a signal
    echo "=== supervise.sh: nspawn exited rc=$rc $(date -u +%FT%TZ)"
    if [ "$stop" != 0 ] || [ "$rc" != 133 ]; then break; fi
    rmdir "/run/systemd/nspawn/propagate/$H" 2>/dev/null
    echo "=== supervise.sh: guest rebooted, starting it again"
done
rm -f "$D/supervisor.pid" "$D/nspawn.pid"
