# shellcheck shell=bash disable=SC2034
# tests/world/lib.sh — settings and helpers shared by every test-world script.
# Owns: the names, addresses and paths of the test world (bridge, subnet, cgroup
# names, cache and state directories). Sourced, never run. Every value can be
# overridden from the environment (KW_*), but the defaults are what the Rust
# test support (tests/support/world.rs) expects.

KW_WORLD_DIR=${KW_WORLD_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
# Long-lived caches: rootfs (keyed by package-list hash), Maven repo, Kafka releases, client keys.
KW_CACHE=${KW_CACHE:-/var/cache/kafka-wizard-tests}
# Runtime state of running hosts: overlay upper dirs, netns files, pid files, console logs.
# Machine-wide (the bridge and subnet are machine-wide too), so `clean` finds the
# leftovers of a crashed run from any checkout.
KW_RUN=${KW_RUN:-/tmp/kafka-wizard-world}
# What tests read: inventory.json, known_hosts, ssh_config, hosts (in this checkout).
KW_STATE=${KW_STATE:-$KW_WORLD_DIR/state}

KW_SUITE=${KW_SUITE:-bookworm}
KW_SUBNET=${KW_SUBNET:-10.77.0}          # a /24: the main namespace is .1, host hN is .(10+N)
KW_BRIDGE=${KW_BRIDGE:-kwbr0}
KW_VETH_PREFIX=${KW_VETH_PREFIX:-kw-}    # main-namespace end of host hN's veth: kw-hN
KW_CG=${KW_CG:-kafka-wizard-tests}       # cgroup sub-tree (only used when PID 1 is not systemd)
KW_MAX_HOSTS=${KW_MAX_HOSTS:-24}   # bench/ boots 24 (hosts without JVMs are cheap); the Rust `World` takes up to 12
KW_SSH_KEY=${KW_SSH_KEY:-$KW_CACHE/ssh/id_ed25519}
KW_LOCK=${KW_LOCK:-/tmp/kafka-wizard-world.lock}
# Held (flock) for a whole test session that uses the world — a Rust `World`, run-all's phases —
# so that two test runs on one machine (the world is machine-wide) take turns instead of
# tearing down each other's hosts. world.sh itself never takes it (it takes $KW_LOCK per command).
KW_SESSION_LOCK=${KW_SESSION_LOCK:-/tmp/kafka-wizard-world.session.lock}
KW_SESSION_WAIT=${KW_SESSION_WAIT:-1800}

# Packages baked into the base rootfs (besides debootstrap's minbase). The rootfs
# cache key is a hash of this list (plus KW_ROOTFS_REV, bumped when the
# customisation in build-rootfs.sh changes).
KW_PACKAGES=${KW_PACKAGES:-systemd,systemd-sysv,dbus,libpam-systemd,openssh-server,openssh-sftp-server,sudo,openjdk-17-jre-headless,iproute2,procps,python3,iputils-ping,netcat-openbsd,less,tar,gzip}
KW_ROOTFS_REV=1

kw_rootfs_key() { printf '%s|%s|%s' "$KW_SUITE" "$KW_PACKAGES" "$KW_ROOTFS_REV" | sha256sum | cut -c1-16; }
KW_BASE=${KW_BASE:-$KW_CACHE/rootfs-$(kw_rootfs_key)}

kw_host_ip()   { echo "$KW_SUBNET.$((10 + $1))"; }
kw_host_name() { echo "h$1"; }
kw_host_index() {   # h3 -> 3; fails for anything that is not one of our names
    local n=${1#h}
    [[ "$1" == h* && "$n" =~ ^[0-9]+$ && "$n" -ge 1 && "$n" -le $KW_MAX_HOSTS ]] || return 1
    echo "$n"
}

kw_die() { echo "world: $*" >&2; exit 1; }
kw_need_root() {
    [ "$(id -u)" = 0 ] || kw_die "root is required (systemd-nspawn, network namespaces, cgroups, bridges); run as root, e.g. sudo $0 $*"
}

# SSH options the scripts themselves use (strict host-key checking against our known_hosts).
kw_ssh_opts() {
    echo -i "$KW_SSH_KEY" -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes \
        -o UserKnownHostsFile="$KW_STATE/known_hosts" -o GlobalKnownHostsFile=/dev/null \
        -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=3
}

# cgroup hierarchies in which each container gets its own sub-cgroup when the
# machine is not booted with systemd (nspawn --keep-unit keeps the cgroup it was
# started in; without this all containers would share /payload).
kw_cgroup_roots() {
    if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
        echo /sys/fs/cgroup
    else
        local d
        for d in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
            grep -q " $d " /proc/self/mounts && echo "$d"
        done
    fi
    return 0
}
kw_machine_has_systemd() { [ -d /run/systemd/system ]; }

kw_alive() {   # $1 PID exists and is not a zombie (this machine's PID 1 reaps orphans late)
    local st
    st=$(awk '/^State:/{print $2}' "/proc/$1/status" 2>/dev/null)
    [ -n "$st" ] && [ "$st" != Z ]
}

kw_now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
