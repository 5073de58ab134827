#!/usr/bin/env bash
# tests/run-all.sh — the project's test command (README; CI runs it through .ci/run). As root.
# Owns: the order of the test phases and the teardown of the test world on exit (trap), even
# when tests fail. Phases, each timed:
#   1. prepare   Debian packages that are missing, cached test-host rootfs, cached Kafka releases
#   2. lint      `cargo fmt --all --check` (the whole workspace, rustfmt.toml) and, for the engine crate,
#                `cargo clippy --locked --all-targets --features e2e -- -D warnings` (any warning fails the phase;
#                both always run, so one report shows every problem). The app's crates: tests-app/run.sh's lint step
#   3. mirror    the mirror's own tests (python3 unittest, incl. the gpg --print-md emulator)
#   4. unit      the engine's unit and integration tests: its library, binary and every tests/*.rs that is not
#                tests/e2e_*.rs (the desktop app's two crates: phase app)
#   5. e2e       tests/e2e_*.rs (real hosts, real Kafka, the mirror). Both phases build with `--features e2e`, so the
#                engine compiles once for the two (the feature only gates the tests/e2e_*.rs files). Once the
#                end-to-end tests are compiled, the app phase's compiling and the release build of its packages run
#                in the background (below). Both with --no-fail-fast: a failing test file does not hide the results
#                of the ones after it
#   6. app       tests-app/run.sh: the desktop app — clippy on its crates, command tests, UI type check + logic +
#                browser tests, the real window under Xvfb (open/fix/review/export like the CLI; install onto the
#                test hosts, stop/start), then the packages (the builds started in phase e2e, then
#                packaging/build.sh --skip-build: the RPM and the AppImage), the CLI in them, the RPM against the
#                .deb and the AppImage as the application
#   7. teardown  world.sh down + a check that nothing is left (mounts, netns, cgroups, veths, bridge, processes)
# Developers: `cargo test` runs the unit tests alone; as root, after `tests/world/prepare.sh`,
# `cargo test --features e2e` runs the end-to-end suite; the two lint commands above run as anyone.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORLD="$ROOT/tests/world"
# shellcheck source=SCRIPTDIR/world/lib.sh
. "$WORLD/lib.sh"

if [ "$(id -u)" != 0 ]; then
    echo "run-all: root is required (the end-to-end suite boots test hosts with systemd-nspawn in network namespaces)." >&2
    echo "run-all: as a normal user, 'cargo test' runs the unit tests." >&2
    exit 1
fi
# rustup's cargo, not a distribution one
if [ -x "$HOME/.cargo/bin/cargo" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
command -v cargo >/dev/null || { echo "run-all: cargo not found (install Rust with rustup)" >&2; exit 1; }
case "$(command -v cargo)" in
    */.cargo/bin/cargo) ;;
    *) echo "run-all: warning: cargo is $(command -v cargo), not rustup's" >&2 ;;
esac

declare -a SUMMARY=()
FAILED=0
T_ALL=$(date +%s)
machine_cpu() {   # the machine's busy and idle CPU time so far, in clock ticks: "BUSY IDLE" (/proc/stat, all cores)
    awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6; exit}' /proc/stat
}
phase() {   # phase NAME CMD...: run, time, record; a failing phase does not stop the run
    local name=$1 t0 rc cpu0 cpu1 hz
    shift
    echo
    echo "=== run-all: $name: $*"
    t0=$(date +%s)
    cpu0=$(machine_cpu)
    set +e
    "$@"
    rc=$?
    set -e
    cpu1=$(machine_cpu)
    hz=$(getconf CLK_TCK)
    # the machine's CPU during the phase (whoever used it: the phase, the background build, the test hosts): the
    # figure that says whether a phase waited on the CPU (idle near 0) or on something else
    SUMMARY+=("$(printf '%-9s %5ss  cpu busy %5ss idle %5ss  %s' "$name" "$(( $(date +%s) - t0 ))" \
        "$(( (${cpu1% *} - ${cpu0% *}) / hz ))" "$(( (${cpu1#* } - ${cpu0#* }) / hz ))" \
        "$([ $rc = 0 ] && echo ok || echo "FAILED (exit $rc)")")")
    [ $rc = 0 ] || FAILED=1
    return 0
}
teardown() {
    local rc=$?
    echo
    echo "=== run-all: teardown"
    local t0 left=0
    t0=$(date +%s)
    # a background release build still running (a failed or interrupted run): its whole session
    if [ -n "${PREBUILD_PID:-}" ] && kill -0 "$PREBUILD_PID" 2>/dev/null; then
        kill -- "-$PREBUILD_PID" 2>/dev/null || true
    fi
    # under the session lock: never tear down the hosts of another test run on this machine
    flock -w "$KW_SESSION_WAIT" "$KW_SESSION_LOCK" bash "$WORLD/world.sh" down || left=1
    if pgrep -f "$WORLD/mirror.py serve" >/dev/null; then
        echo "run-all: LEFT: mirror.py processes $(pgrep -f "$WORLD/mirror.py serve" | tr '\n' ' ')" >&2
        left=1
    fi
    SUMMARY+=("$(printf '%-9s %5ss  %s' teardown "$(( $(date +%s) - t0 ))" "$([ $left = 0 ] && echo 'ok: nothing left' || echo 'FAILED: leftovers')")")
    echo
    echo "=== run-all: summary (total $(( $(date +%s) - T_ALL ))s)"
    printf '  %s\n' "${SUMMARY[@]}"
    if [ $rc = 0 ] && { [ $FAILED = 1 ] || [ $left = 1 ]; }; then rc=1; fi
    exit $rc
}
trap teardown EXIT
trap 'exit 130' INT TERM

phase prepare bash "$WORLD/prepare.sh"
lint() {   # both gates run even when the first fails
    local rc=0
    echo "--- lint: cargo fmt --all --check"
    cargo fmt --all --check || rc=1
    echo "--- lint: cargo clippy --locked --all-targets --features e2e -- -D warnings"
    cargo clippy --locked --all-targets --features e2e -- -D warnings || rc=1
    return $rc
}
phase lint lint
phase mirror python3 -m unittest discover -s "$WORLD" -p 'test_*.py' -v
# tests/e2e_*.rs are the end-to-end suite; every other tests/*.rs runs with the unit tests
UNIT_TARGETS=()
E2E_TARGETS=()
for f in tests/*.rs; do
    t=$(basename "$f" .rs)
    case "$t" in
        e2e_*) E2E_TARGETS+=(--test "$t") ;;
        *) UNIT_TARGETS+=(--test "$t") ;;
    esac
done
phase unit cargo test --locked --no-fail-fast --features e2e --lib --bins "${UNIT_TARGETS[@]}"

# The app phase's compiling (clippy, its test binaries) and the release build of its packages
# (~6-12 min of both cores, cold) need no test host, so they run while the end-to-end tests do, on the CPU they leave
# idle (tests-app/prebuild.sh: its own session and autogroup at nice 19, idle I/O). They start once the end-to-end
# tests are compiled (the two would take turns at cargo's build lock). Phase app then finds its builds done, waits for
# the job (tests-app/run.sh, KW_RELEASE_PREBUILD) and only makes the RPM and the AppImage. KW_APP_PACKAGE=0 skips it.
PREBUILD=$ROOT/target/prebuild
PREBUILD_PID=
start_prebuild() {
    rm -rf "$PREBUILD"
    mkdir -p "$PREBUILD"
    setsid bash "$ROOT/tests-app/prebuild.sh" "$PREBUILD" </dev/null >/dev/null 2>&1 &
    PREBUILD_PID=$!
    echo "run-all: the app's builds run in the background at the lowest priority (pid $PREBUILD_PID, log $PREBUILD/log)"
    export KW_RELEASE_PREBUILD=$PREBUILD KW_RELEASE_PREBUILD_PID=$PREBUILD_PID
}
e2e() {   # compile, start the background builds, run
    cargo test --locked --no-fail-fast --features e2e "${E2E_TARGETS[@]}" --no-run || return
    if [ "${KW_APP_PACKAGE:-1}" = 1 ]; then start_prebuild; fi
    cargo test --locked --no-fail-fast --features e2e "${E2E_TARGETS[@]}"
}
# Each test that held the test world writes how long it did (tests/support/world/hosts.rs); printed after the phase.
export KW_E2E_TIMINGS=$ROOT/target/e2e-timings.txt
rm -f "$KW_E2E_TIMINGS"
phase e2e e2e
if [ -s "$KW_E2E_TIMINGS" ]; then
    echo "--- e2e: the test world held per test (seconds, longest first)"
    sort -rn "$KW_E2E_TIMINGS"
fi
phase app bash "$ROOT/tests-app/run.sh"
