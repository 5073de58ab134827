#!/usr/bin/env bash
# tests/world/prepare.sh — make this machine ready for the end-to-end suite (as root; idempotent).
# Owns: nothing of its own; it installs the missing Debian packages (apt-get update first,
# --no-install-recommends, only when something is missing), builds the cached test-host rootfs
# (build-rootfs.sh), assembles the cached Kafka releases (assemble-kafka.sh), makes the mirror's
# release-signing key once (signing-key.sh), installs kafka-python
# and the graduation judges (../judges/prepare.sh: ansible-core, Strimzi's CRD schemas)
# into a venv for the load test, and removes the
# leftovers of a crashed run (world.sh clean). Warm, it takes a few seconds.
# Note: installing systemd-container on a machine whose PID 1 is not systemd is fine, but it
# may upgrade the machine's systemd packages.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$HERE/lib.sh"
kw_need_root "$@"
RELEASES=${KW_RELEASES:-"3.8.1 3.9.1 3.9.2 4.0.1 4.1.1"}
KW_PY_CLIENT=${KW_PY_CLIENT:-kafka-python==2.3.3}

need=()
want() { command -v "$1" >/dev/null 2>&1 || need+=("$2"); }
want debootstrap debootstrap
want systemd-nspawn systemd-container
want ip iproute2
want unshare util-linux
want nsenter util-linux
want flock util-linux
want ssh openssh-client
want scp openssh-client
want ssh-keygen openssh-client
want python3 python3
python3 -c 'import ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
want mvn maven
want curl curl
want java openjdk-17-jdk-headless
want sha512sum coreutils
# the mirror signs its releases like Apache (signing-key.sh, mirror.py publish --sign-with)
want gpg gnupg
want gpgconf gnupg
want gzip gzip
want pgrep procps
want script bsdutils
# building the wizard itself: ssh2 (libssh2) and reqwest's TLS link OpenSSL
want cc build-essential
want pkg-config pkg-config
dpkg -s libssl-dev >/dev/null 2>&1 || need+=(libssl-dev)
if [ ${#need[@]} -gt 0 ]; then
    mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
    echo "prepare: installing ${need[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
else
    echo "prepare: all host tools present"
fi

# a real third-party Kafka client for the load test (tests/world/roll_load.py): kafka-python, pinned, in a venv
venv="$KW_CACHE/py-client"
if [ "$(cat "$venv/.pinned" 2>/dev/null)" != "$KW_PY_CLIENT" ] || ! "$venv/bin/python" -c 'import kafka' 2>/dev/null; then
    echo "prepare: installing $KW_PY_CLIENT into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "$KW_PY_CLIENT"
    echo "$KW_PY_CLIENT" >"$venv/.pinned"
else
    echo "prepare: $KW_PY_CLIENT present in $venv"
fi

# the third-party judges of export --as ansible|strimzi (tests/graduation_judges.rs): ansible-core, jsonschema and
# Strimzi's own CRD schemas (tests/judges/prepare.sh)
bash "$HERE/../judges/prepare.sh"

# leftovers of a crashed run (waiting for any other test run on this machine to finish first)
flock -w "$KW_SESSION_WAIT" "$KW_SESSION_LOCK" "$HERE/world.sh" clean
"$HERE/build-rootfs.sh"
echo "prepare: release-signing key $("$HERE/signing-key.sh" | tail -n1)"
# the Prometheus JMX exporter jar the catalog pins (src/catalog/agent.rs, the one home of its version), into the
# Maven cache the mirror serves it from (tests/support/world/mirror.rs, serve_java_agent)
agent_version=$(sed -n 's/^    version: "\(.*\)",$/\1/p' "$HERE/../../src/catalog/agent.rs")
agent="io.prometheus.jmx:jmx_prometheus_javaagent:$agent_version"
if [ ! -f "$KW_CACHE/m2/io/prometheus/jmx/jmx_prometheus_javaagent/$agent_version/jmx_prometheus_javaagent-$agent_version.jar" ]; then
    mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$KW_CACHE/m2" dependency:get -Dartifact="$agent" -Dtransitive=false
fi
echo "prepare: $agent in $KW_CACHE/m2"
for v in $RELEASES; do
    t0=$(date +%s)
    path=$("$HERE/assemble-kafka.sh" "$v" | tail -n1)
    echo "prepare: release $v -> $path ($(( $(date +%s) - t0 ))s)"
done
