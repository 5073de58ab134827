#!/usr/bin/env bash
# tests/world/world.sh — the test hosts: N Debian bookworm hosts (systemd-nspawn, real systemd + sshd + Java 17).
# Owns: bridge $KW_BRIDGE ($KW_SUBNET.1/24), hosts h1..hN at $KW_SUBNET.11.., their runtime
# state under $KW_RUN (overlay upper dirs, netns files, pid files, console logs), their
# cgroups /sys/fs/cgroup/{systemd,unified}/$KW_CG/hX, veths kw-hX, and the files tests read
# in $KW_STATE: inventory.json, known_hosts, ssh_config, hosts (a hosts-file snippet; the
# machine's /etc/hosts is never touched).
#
# usage: world.sh up N          boot h1..hN (1..KW_MAX_HOSTS, 24), wait for SSH + systemd; idempotent (running hosts stay)
#        world.sh down          stop every host, remove everything, verify nothing is left (exit 1 if so)
#        world.sh clean         the same, for the leftovers of a crashed run (also finds orphans by name)
#        world.sh stop hX       clean halt of one host; its files (incl. host keys) are kept
#        world.sh start hX      boot a stopped host again (same files, same keys)
#        world.sh cut hX        cut hX off the network (its veth goes down; the guest sees NO-CARRIER)
#        world.sh restore hX    undo cut
#        world.sh drop hX PORT  drop every TCP packet to hX's PORT that the bridge sends it (a firewall's DROP: no answer)
#        world.sh undrop hX     undo every drop on hX
#        world.sh status        one line per host; exit 0
#        world.sh cpu [ms]      the CPU seconds (milliseconds with `ms`) the hosts used so far, together (nothing
#                               if unknown; a host stopped and started again counts from its start)
#        world.sh ssh hX [CMD]  convenience: ssh as root with the world's key and known_hosts
# Each host: overlayfs root (lower: the cached rootfs, upper: $KW_RUN/hX/upper) mounted by
# nspawn in its own mount namespace; its own network namespace (a file made with unshare),
# veth to the bridge, no default route (hosts reach only $KW_SUBNET.0/24); its own cgroup
# when PID 1 of the machine is not systemd (nspawn --keep-unit --register=no).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$HERE/lib.sh"

CMD=${1:-}
[ -n "$CMD" ] || { sed -n '2,20p' "$0" >&2; exit 2; }
shift
kw_need_root "$CMD" "$@"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-120}
STOP_TIMEOUT=${STOP_TIMEOUT:-30}
T0=$(kw_now_ms)
elapsed() { local ms=$(( $(kw_now_ms) - T0 )); printf '%d.%01d' $((ms / 1000)) $(((ms % 1000) / 100)); }
CGROOTS=""
kw_machine_has_systemd || CGROOTS=$(kw_cgroup_roots)
read -r -a SSH_OPTS <<< "$(kw_ssh_opts)"

lock() { exec 9>"$KW_LOCK"; flock -w 300 9 || kw_die "another world.sh holds $KW_LOCK for 300 s"; }

# ---------------------------------------------------------------------------------------------
pid_of() {   # $1 host, $2 pidfile, $3 expected comm -> PID if that process is alive
    local f="$KW_RUN/$1/$2" p
    [ -f "$f" ] || return 1
    p=$(cat "$f")
    [ -n "$p" ] && kw_alive "$p" && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$3" ] && echo "$p"
}
super_pid()  { pid_of "$1" supervisor.pid supervise.sh; }
nspawn_pid() { pid_of "$1" nspawn.pid systemd-nspawn; }
is_running() { super_pid "$1" >/dev/null || nspawn_pid "$1" >/dev/null; }
cg_pids() {  # every live PID in the host's cgroup sub-trees
    local r p
    for r in $CGROOTS; do
        [ -d "$r/$KW_CG/$1" ] && find "$r/$KW_CG/$1" -name cgroup.procs -exec cat {} + 2>/dev/null
    done | sort -un | while read -r p; do kw_alive "$p" && echo "$p"; done
    return 0
}
container_init() {   # PID of the guest's systemd = the process whose innermost NSpid is 1
    local p
    for p in $(cg_pids "$1"); do
        [ "$(awk '/^NSpid:/{print $NF}' "/proc/$p/status" 2>/dev/null)" = 1 ] && { echo "$p"; return 0; }
    done
    return 1
}
orphan_nspawns() {   # nspawn processes booted from our rootfs cache whatever their state files say
    local p
    for p in $(pgrep -x systemd-nspawn || true); do
        tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q -- "-D $KW_CACHE/rootfs-" && echo "$p"
    done
    return 0
}
known_hosts_list() {  # hosts with any trace: run dirs, cgroups, veths
    {
        for d in "$KW_RUN"/h*/; do [ -d "$d" ] && basename "$d"; done
        for r in $CGROOTS; do for d in "$r/$KW_CG"/h*/; do [ -d "$d" ] && basename "$d"; done; done
        ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed -n "s/^${KW_VETH_PREFIX}\(h[0-9]*\).*/\1/p"
    } | sort -u
}

guest_init() {   # PID of the guest's systemd: nspawn's child whose innermost NSpid is 1 (else through the cgroup)
    local n c
    if n=$(nspawn_pid "$1"); then
        for c in $(ps -o pid= --ppid "$n"); do
            [ "$(awk '/^NSpid:/{print $NF}' "/proc/$c/status" 2>/dev/null)" = 1 ] && { echo "$c"; return 0; }
        done
    fi
    container_init "$1"
}

# stop hosts "$@" and remove their runtime pieces; KEEP=1 keeps their upper dirs. POWER_OFF=1 pulls the plug
# instead of a clean halt: SIGKILL to the guest's systemd (PID 1 of its PID namespace, so the kernel kills every
# process of the guest at once) after the supervisor was told to stop. For `down`, whose hosts are thrown away: a
# clean halt waits for every service's stop (a ZooKeeper-mode broker whose ZooKeeper halts beside it sits out its
# whole stop timeout: 30 s per teardown, measured).
halt_hosts() {
    local H p pids deadline D r
    [ $# -gt 0 ] || return 0
    for H in "$@"; do
        if p=$(super_pid "$H"); then kill -TERM "$p"; echo "$H: halting (supervisor $p)"
        elif p=$(nspawn_pid "$H"); then kill -TERM "$p"; echo "$H: halting (nspawn $p)"
        elif p=$(container_init "$H"); then kill -s RTMIN+3 "$p"; echo "$H: nspawn gone; SIGRTMIN+3 to guest systemd $p"
        fi
        if [ "${POWER_OFF:-0}" = 1 ] && p=$(guest_init "$H"); then kill -KILL "$p" 2>/dev/null || true; fi
    done
    deadline=$(( $(date +%s) + STOP_TIMEOUT ))
    for H in "$@"; do
        while super_pid "$H" >/dev/null || nspawn_pid "$H" >/dev/null || [ -n "$(cg_pids "$H")" ]; do
            [ "$(date +%s)" -lt "$deadline" ] || break
            sleep 0.2
        done
        pids="$(super_pid "$H" || true) $(nspawn_pid "$H" || true) $(cg_pids "$H")"
        if [ -n "${pids// /}" ]; then
            echo "$H: did not halt in ${STOP_TIMEOUT}s; SIGKILL $pids" >&2
            # shellcheck disable=SC2086
            kill -KILL $pids 2>/dev/null || true
            sleep 0.5
        fi
        D="$KW_RUN/$H"
        for r in $CGROOTS; do
            [ -d "$r/$KW_CG/$H" ] && find "$r/$KW_CG/$H" -depth -type d -exec rmdir {} \; 2>/dev/null
        done
        # the veth first (deleting one end deletes both), while its netns still exists: once the
        # netns is unmounted the kernel destroys it, and the veth with it, asynchronously
        ip link del "$KW_VETH_PREFIX$H" 2>/dev/null || true
        if grep -q " $D/netns " /proc/self/mountinfo; then umount "$D/netns"; fi
        rm -f "$D/netns" "$D/supervisor.pid" "$D/nspawn.pid" "$D/cut"
        # nspawn cannot remove this on a /run that is not a tmpfs
        rmdir "/run/systemd/nspawn/propagate/$H" 2>/dev/null || true
        [ "${KEEP:-0}" = 1 ] || rm -rf "$D"
    done
}

write_state() {   # $1 = N: inventory.json, known_hosts, ssh_config, hosts for h1..hN
    local n=$1 i H IP t
    mkdir -p "$KW_STATE"
    {
        printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
        printf '%s\tgateway\n' "$KW_SUBNET.1"
        for i in $(seq 1 "$n"); do printf '%s\t%s\n' "$(kw_host_ip "$i")" "$(kw_host_name "$i")"; done
    } > "$KW_RUN/hosts"
    # the snippet for the main namespace: only our names (append to /etc/hosts yourself if you must)
    { echo "# kafka-wizard test world (world.sh); not installed in /etc/hosts"; tail -n +4 "$KW_RUN/hosts"; } > "$KW_STATE/hosts.new"
    : > "$KW_STATE/known_hosts.new"
    for i in $(seq 1 "$n"); do
        H=$(kw_host_name "$i"); IP=$(kw_host_ip "$i")
        for t in ed25519 ecdsa rsa; do
            echo "$H,$IP $(cut -d' ' -f1,2 "$KW_RUN/$H/upper/etc/ssh/ssh_host_${t}_key.pub")" >> "$KW_STATE/known_hosts.new"
        done
    done
    {
        for i in $(seq 1 "$n"); do
            printf 'Host %s %s\n  HostName %s\n' "$(kw_host_name "$i")" "$(kw_host_ip "$i")" "$(kw_host_ip "$i")"
        done
        printf 'Host *\n  User root\n  IdentityFile %s\n  IdentitiesOnly yes\n' "$KW_SSH_KEY"
        printf '  UserKnownHostsFile %s\n  GlobalKnownHostsFile /dev/null\n' "$KW_STATE/known_hosts"
        printf '  StrictHostKeyChecking yes\n  BatchMode yes\n  ConnectTimeout 5\n  LogLevel ERROR\n'
    } > "$KW_STATE/ssh_config.new"
    python3 - "$n" "$KW_RUN" "$KW_SUBNET" "$KW_SSH_KEY" "$KW_STATE" > "$KW_STATE/inventory.json.new" <<'PY'
import json, subprocess, sys
n, run, subnet, key, state = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
hosts = []
for i in range(1, n + 1):
    name = f"h{i}"
    fps = {}
    for t in ("ed25519", "ecdsa", "rsa"):
        pub = f"{run}/{name}/upper/etc/ssh/ssh_host_{t}_key.pub"
        algo = open(pub).read().split()[0]
        out = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", pub], check=True,
                             capture_output=True, text=True).stdout.split()
        fps[algo] = out[1]
    hosts.append({"name": name, "ip": f"{subnet}.{10 + i}", "users": ["root", "deploy"],
                  "host_key_fingerprints": fps})
json.dump({"hosts": hosts, "identity_file": key, "identity_file_rsa": key.rsplit("/", 1)[0] + "/id_rsa",
           "known_hosts": f"{state}/known_hosts", "ssh_config": f"{state}/ssh_config",
           "hosts_file": f"{state}/hosts", "gateway_ip": f"{subnet}.1", "bridge": "kwbr0"},
          sys.stdout, indent=2)
print()
PY
    for f in hosts known_hosts ssh_config inventory.json; do mv "$KW_STATE/$f.new" "$KW_STATE/$f"; done
    echo "$KW_STATE" > "$KW_RUN/state-dir"
}

start_host() {   # $1 = index: set up files, netns, veth, cgroups; launch supervise.sh (no wait)
    local i=$1 H IP D t k r
    H=$(kw_host_name "$i"); IP=$(kw_host_ip "$i"); D="$KW_RUN/$H"
    if is_running "$H"; then echo "$H: already running"; return 0; fi
    KEEP=1 halt_hosts "$H" >/dev/null   # leftovers of a crashed host, keeping its files
    mkdir -p "$D/upper/etc/ssh"
    echo "$H" > "$D/upper/etc/hostname"
    [ -f "$KW_RUN/hosts" ] && cp "$KW_RUN/hosts" "$D/upper/etc/hosts"
    [ -s "$D/upper/etc/machine-id" ] || tr -d '-' < /proc/sys/kernel/random/uuid > "$D/upper/etc/machine-id"
    for t in rsa ecdsa ed25519; do
        k="$D/upper/etc/ssh/ssh_host_${t}_key"
        [ -f "$k" ] || ssh-keygen -q -t "$t" -N '' -C "root@$H" -f "$k"
    done
    touch "$D/netns"
    unshare --net="$D/netns" true
    # fixed MACs, like a real host's NIC: after stop/start the neighbour caches of the machine and
    # of the other hosts stay right (a new random MAC left them sending to the old one for ~30 s)
    ip link add "$KW_VETH_PREFIX$H" address "$(printf '02:77:01:00:00:%02x' "$i")" type veth \
        peer name eth0 address "$(printf '02:77:00:00:00:%02x' "$i")" netns "$D/netns"
    ip link set "$KW_VETH_PREFIX$H" master "$KW_BRIDGE" up
    nsenter --net="$D/netns" sh -ec "ip link set lo up; ip addr add $IP/24 dev eth0; ip link set eth0 up"
    for r in $CGROOTS; do mkdir -p "$r/$KW_CG/$H"; done
    # setsid: own session, so the host outlives the command that started it. Every inherited descriptor above 2 is
    # closed first: world.sh's lock (fd 9), and whatever its caller left open — a `flock LOCK world.sh up` passes
    # the session lock's descriptor down, which a host would otherwise hold until it is halted.
    (
        for fd in /proc/$BASHPID/fd/*; do
            fd=${fd##*/}
            [ "$fd" -gt 2 ] && eval "exec $fd>&-"
        done 2>/dev/null
        exec setsid "$HERE/supervise.sh" "$H" > "$D/console.log" 2>&1 < /dev/null
    ) &
    for _ in $(seq 1 150); do   # until the supervisor has written both pid files (bounded: 30 s: 20+ hosts booting)
        super_pid "$H" >/dev/null && nspawn_pid "$H" >/dev/null && break
        sleep 0.2
    done
    is_running "$H" || kw_die "$H: supervise.sh did not start nspawn (console: $D/console.log)"
    echo "$H: booting ($IP)"
}

wait_ssh() {   # $@ = host indexes; wait until each accepts SSH and systemd has finished booting
    local i H IP st deadline
    deadline=$(( $(date +%s) + BOOT_TIMEOUT ))
    for i in "$@"; do
        H=$(kw_host_name "$i"); IP=$(kw_host_ip "$i")
        until ssh "${SSH_OPTS[@]}" "root@$IP" true 2>/dev/null; do
            if ! is_running "$H"; then
                tail -n 20 "$KW_RUN/$H/console.log" >&2 || true
                kw_die "$H: nspawn exited (console: $KW_RUN/$H/console.log)"
            fi
            [ "$(date +%s)" -lt "$deadline" ] || kw_die "$H: no SSH after ${BOOT_TIMEOUT}s (console: $KW_RUN/$H/console.log)"
            sleep 0.3
        done
        st=$(ssh "${SSH_OPTS[@]}" "root@$IP" timeout 60 systemctl is-system-running --wait 2>/dev/null || true)
        echo "$H: ssh ok, systemd $st at +$(elapsed)s"
        case "$st" in running|degraded) ;; *) kw_die "$H: systemd is '$st'" ;; esac
    done
}

ensure_bridge() {
    if ! ip link show "$KW_BRIDGE" >/dev/null 2>&1; then
        # a fixed MAC: otherwise the bridge takes the lowest port's and changes it as hosts come and go
        ip link add "$KW_BRIDGE" address 02:77:ff:00:00:01 type bridge
        ip addr add "$KW_SUBNET.1/24" dev "$KW_BRIDGE"
        ip link set "$KW_BRIDGE" up
    fi
}

host_arg() {  # validate hX and that it is one of ours
    kw_host_index "${1:-}" >/dev/null || kw_die "expected a host name h1..h$KW_MAX_HOSTS, got '${1:-}'"
    echo "$1"
}

# ---------------------------------------------------------------------------------------------
# Every guest's systemd, journald, logind and friends each hold inotify instances, all counted against root's
# fs.inotify.max_user_instances (128 by default, the guests share this kernel and uid 0): about 22 hosts used them all
# up and the 23rd's nspawn died at once ("supervise.sh did not start nspawn"). Raised to 16 per host plus the
# default when lower, never lowered.
raise_inotify_instances() {   # raise_inotify_instances N
    local want=$(( 128 + 16 * $1 )) have
    have=$(cat /proc/sys/fs/inotify/max_user_instances 2>/dev/null || echo 0)
    if [ "$have" -lt "$want" ]; then
        echo "$want" > /proc/sys/fs/inotify/max_user_instances \
            || echo "world: cannot raise fs.inotify.max_user_instances ($have) to $want: more than ~20 hosts may not start" >&2
    fi
}

cmd_up() {
    local n=${1:-}
    if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt $KW_MAX_HOSTS ]; then kw_die "usage: world.sh up N (1..$KW_MAX_HOSTS)"; fi
    [ -f "$KW_BASE/.ok" ] || "$HERE/build-rootfs.sh"
    for tool in systemd-nspawn unshare nsenter ip ssh ssh-keygen python3 flock; do
        command -v "$tool" >/dev/null || kw_die "$tool is missing; run tests/world/prepare.sh"
    done
    lock
    mkdir -p "$KW_RUN"
    ensure_bridge
    raise_inotify_instances "$n"
    # hosts file first, so that booting hosts get the full list
    {
        printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
        printf '%s\tgateway\n' "$KW_SUBNET.1"
        for i in $(seq 1 "$n"); do printf '%s\t%s\n' "$(kw_host_ip "$i")" "$(kw_host_name "$i")"; done
    } > "$KW_RUN/hosts"
    local i started=()
    for i in $(seq 1 "$n"); do
        start_host "$i"
        started+=("$i")
    done
    write_state "$n"
    wait_ssh "${started[@]}"
    for i in $(seq 1 "$n"); do
        ssh "${SSH_OPTS[@]}" "root@$(kw_host_ip "$i")" 'cat > /etc/hosts' < "$KW_RUN/hosts"
    done
    echo "up: $n hosts ready in $(elapsed)s; inventory: $KW_STATE/inventory.json; try: $0 ssh h1"
}

cmd_down() {
    lock
    local hosts p left=0 owner r
    mapfile -t hosts < <(known_hosts_list)
    POWER_OFF=1 halt_hosts "${hosts[@]}"
    # nspawns from our rootfs that no state file knows (a run whose $KW_RUN was deleted)
    for p in $(orphan_nspawns); do echo "orphan nspawn $p: SIGTERM"; kill -TERM "$p" 2>/dev/null || true; done
    for _ in $(seq 1 50); do [ -z "$(orphan_nspawns)" ] && break; sleep 0.2; done
    for p in $(orphan_nspawns); do echo "orphan nspawn $p: SIGKILL" >&2; kill -KILL "$p" 2>/dev/null || true; done
    # stray netns mounts below $KW_RUN
    awk -v run="$KW_RUN/" 'index($5, run) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do umount "$m" || true; done
    for r in $CGROOTS; do [ -d "$r/$KW_CG" ] && { find "$r/$KW_CG" -depth -type d -exec rmdir {} \; 2>/dev/null || true; }; done
    ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed -n "s/^\(${KW_VETH_PREFIX}h[0-9]*\)@.*/\1/p" \
        | while read -r v; do ip link del "$v" 2>/dev/null || true; done
    if ip link show "$KW_BRIDGE" >/dev/null 2>&1; then ip link del "$KW_BRIDGE"; fi
    rmdir /run/systemd/nspawn/propagate /run/systemd/nspawn/locks /run/systemd/nspawn 2>/dev/null || true
    owner=$(cat "$KW_RUN/state-dir" 2>/dev/null || true)
    for d in "$KW_STATE" ${owner:+"$owner"}; do
        rm -f "$d"/{inventory.json,known_hosts,ssh_config,hosts}
    done
    rm -rf "$KW_RUN"
    # verify (network namespaces are destroyed asynchronously: give their veths a moment to go)
    for _ in $(seq 1 25); do ip -o link show | grep -q " ${KW_VETH_PREFIX}h[0-9]*@" || break; sleep 0.2; done
    if awk -v run="$KW_RUN/" 'index($5, run) == 1' /proc/self/mountinfo | grep -q .; then echo "LEFT: mounts below $KW_RUN" >&2; left=1; fi
    if [ -n "$(orphan_nspawns)" ]; then echo "LEFT: nspawn processes $(orphan_nspawns)" >&2; left=1; fi
    if pgrep -f "$HERE/supervise.sh" >/dev/null; then echo "LEFT: supervise.sh processes" >&2; left=1; fi
    if ip -o link show | grep -q " ${KW_VETH_PREFIX}h[0-9]*@"; then echo "LEFT: veths ${KW_VETH_PREFIX}h*" >&2; left=1; fi
    if ip link show "$KW_BRIDGE" >/dev/null 2>&1; then echo "LEFT: bridge $KW_BRIDGE" >&2; left=1; fi
    for r in $CGROOTS; do [ -d "$r/$KW_CG" ] && { echo "LEFT: cgroup $r/$KW_CG" >&2; left=1; }; done
    [ -e "$KW_RUN" ] && { echo "LEFT: $KW_RUN" >&2; left=1; }
    [ $left = 0 ] && echo "down: nothing left (no hosts, mounts, netns, cgroups, veths, bridge) in $(elapsed)s"
    return $left
}

cmd_stop() {
    local H; H=$(host_arg "${1:-}")
    lock
    KEEP=1 halt_hosts "$H"
    echo "$H: stopped (files kept; world.sh start $H boots it again)"
}

cmd_start() {
    local H i; H=$(host_arg "${1:-}"); i=$(kw_host_index "$H")
    [ -d "$KW_RUN/$H/upper" ] || kw_die "$H was never brought up (use world.sh up N)"
    lock
    ensure_bridge
    start_host "$i"
    wait_ssh "$i"
}

cmd_cut() {
    local H; H=$(host_arg "${1:-}")
    ip link show "$KW_VETH_PREFIX$H" >/dev/null 2>&1 || kw_die "$H is not running"
    ip link set "$KW_VETH_PREFIX$H" down
    touch "$KW_RUN/$H/cut"
    echo "$H: network cut"
}

cmd_restore() {
    local H; H=$(host_arg "${1:-}")
    ip link show "$KW_VETH_PREFIX$H" >/dev/null 2>&1 || kw_die "$H is not running"
    ip link set "$KW_VETH_PREFIX$H" master "$KW_BRIDGE" up
    rm -f "$KW_RUN/$H/cut"
    echo "$H: network restored"
}

cmd_drop() {   # on the host's veth (this namespace's end: what the bridge sends the host): an htb root whose default
    # class passes everything, and a class whose pfifo holds 0 packets (so drops all) that a u32 filter sends PORT to
    # (this kernel has neither the prio qdisc nor tc's drop action)
    local H port dev; H=$(host_arg "${1:-}"); port=${2:-}; dev=$KW_VETH_PREFIX$H
    [[ "$port" =~ ^[0-9]+$ ]] || kw_die "usage: world.sh drop hX PORT"
    ip link show "$dev" >/dev/null 2>&1 || kw_die "$H is not running"
    if ! tc qdisc show dev "$dev" | grep -q '^qdisc htb 1: root'; then
        tc qdisc replace dev "$dev" root handle 1: htb default 1
        tc class add dev "$dev" parent 1: classid 1:1 htb rate 10gbit 2>/dev/null
        tc class add dev "$dev" parent 1: classid 1:99 htb rate 8bit ceil 8bit 2>/dev/null
        tc qdisc add dev "$dev" parent 1:99 handle 99: pfifo limit 0
    fi
    tc filter add dev "$dev" parent 1: protocol ip prio 1 u32 \
        match ip protocol 6 0xff match ip dport "$port" 0xffff flowid 1:99
    echo "$H: TCP port $port dropped"
}

cmd_undrop() {
    local H; H=$(host_arg "${1:-}")
    tc qdisc del dev "$KW_VETH_PREFIX$H" root 2>/dev/null || true
    echo "$H: nothing dropped"
}

cmd_slow() {   # on the host's veth (this namespace's end): everything the bridge sends the host limited to MBIT
    # (an htb root whose one class has that rate): an upload to the host then takes long enough to act during it
    local H mbit dev; H=$(host_arg "${1:-}"); mbit=${2:-}; dev=$KW_VETH_PREFIX$H
    [[ "$mbit" =~ ^[0-9]+$ ]] && [ "$mbit" -gt 0 ] || kw_die "usage: world.sh slow hX MBIT"
    ip link show "$dev" >/dev/null 2>&1 || kw_die "$H is not running"
    tc qdisc replace dev "$dev" root handle 1: htb default 1
    tc class add dev "$dev" parent 1: classid 1:1 htb rate "${mbit}mbit" ceil "${mbit}mbit"
    echo "$H: what is sent to it limited to $mbit Mbit/s"
}

cmd_status() {
    local H st net
    if ip link show "$KW_BRIDGE" >/dev/null 2>&1; then echo "bridge $KW_BRIDGE: up ($KW_SUBNET.1/24)"; else echo "bridge $KW_BRIDGE: absent"; fi
    for H in $(known_hosts_list); do
        if is_running "$H"; then st="running (nspawn $(nspawn_pid "$H" || echo ?))"; else st=stopped; fi
        net="ok"; if [ -f "$KW_RUN/$H/cut" ]; then net="cut"; fi
        echo "$H $(kw_host_ip "$(kw_host_index "$H")") $st network=$net"
    done
    [ -f "$KW_STATE/inventory.json" ] && echo "inventory: $KW_STATE/inventory.json"
    return 0
}

cmd_cpu() {   # the CPU seconds ($1 = ms: milliseconds) the running hosts used so far, all together (cgroups' cpu.stat)
    local H r f usec=0 found=0
    for H in $(known_hosts_list); do
        for r in $CGROOTS; do
            f="$r/$KW_CG/$H/cpu.stat"
            [ -f "$f" ] || continue
            usec=$(( usec + $(awk '$1 == "usage_usec" {print $2}' "$f") ))
            found=1
        done
    done
    # no per-host cgroups with CPU accounting (a machine whose systemd makes the hosts' scopes): nothing to say
    [ $found = 1 ] && if [ "${1:-}" = ms ]; then echo "$(( usec / 1000 ))"; else echo "$(( usec / 1000000 ))"; fi
    return 0
}

cmd_ssh() {
    local H; H=$(host_arg "${1:-}"); shift
    exec ssh "${SSH_OPTS[@]}" "root@$(kw_host_ip "$(kw_host_index "$H")")" "$@"
}

case "$CMD" in
    up) cmd_up "$@" ;;
    down|clean) cmd_down ;;
    stop) cmd_stop "$@" ;;
    start) cmd_start "$@" ;;
    cut) cmd_cut "$@" ;;
    restore) cmd_restore "$@" ;;
    drop) cmd_drop "$@" ;;
    undrop) cmd_undrop "$@" ;;
    slow) cmd_slow "$@" ;;
    status) cmd_status ;;
    cpu) cmd_cpu "$@" ;;
    ssh) cmd_ssh "$@" ;;
    *) kw_die "unknown command '$CMD' (up N | down | clean | stop hX | start hX | cut hX | restore hX | drop hX PORT | undrop hX | slow hX MBIT | status | cpu | ssh hX)" ;;
esac
