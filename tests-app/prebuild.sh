#!/usr/bin/env bash
# tests-app/prebuild.sh — the app phase's compiling, done ahead as a low-priority background job (tests/run-all.sh
# starts it with setsid once the end-to-end tests are compiled, before they run; tests-app/run.sh's steps then find
# their work done, and its `package` step waits for this job).
# Owns: the job's priority, its order and its record. On the CPU the end-to-end tests leave idle it compiles, in the
# order the app phase needs them: the UI bundle, tauri-driver when missing, the app crates' clippy check, the
# command tests and the window tests (tests-app/cargo-commands.sh: the very command lines run.sh runs, with
# --no-run), then the release build of the packages (`packaging/build.sh --build-only`: the app and the CLI, and the
# .deb). No separate debug app: the window tests run the one the command tests build (tests-app/cargo-commands.sh).
# The debug CLI is left alone:
# target/debug/kafka-wizard is the binary the end-to-end tests are running. A failing debug step does not stop the job (run.sh runs the same command and reports it); the record is
# the release build's.
# Started in a session of its own it has a scheduler autogroup of its own (with autogroups the kernel shares the CPU
# between groups before a process's nice value counts; each service on the test hosts runs in its own), which it
# sets to nice 19, and it runs (itself and all it starts) at nice 19 and idle I/O priority. It never lowers its
# caller's priority: outside a session of its own it leaves the autogroup alone.
# Writes DIR/log (every step's output), DIR/seconds, DIR/debug-seconds (the debug steps), and DIR/rc last (the
# release build's exit status: the sign that the job ended).
# Usage: setsid bash tests-app/prebuild.sh DIR
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:?usage: setsid bash tests-app/prebuild.sh DIR}
mkdir -p "$DIR"
if [ "$(ps -o sid= -p $$ | tr -d ' ')" = "$$" ] && [ -w /proc/self/autogroup ]; then
    echo 19 > /proc/self/autogroup || true
fi
renice -n 19 -p $$ >/dev/null
ionice -c 3 -p $$
cd "$ROOT" || exit 1
# shellcheck source=../src-tauri/packages.sh
. "$ROOT/src-tauri/packages.sh"
# shellcheck source=cargo-commands.sh
. "$ROOT/tests-app/cargo-commands.sh"
t0=$(date +%s)
{
    echo "--- prebuild: the packages the app builds with, the UI bundle"
    install_missing_packages "${APP_BUILD_PACKAGES[@]}" && build_ui
    command -v tauri-driver >/dev/null || "${TAURI_DRIVER_INSTALL[@]}"
    for cmd in "${APP_LINT[*]}" "${APP_COMMAND_TESTS[*]} --no-run" \
        "${APP_WINDOW_TESTS[*]} --no-run" "${APP_APPIMAGE_TEST[*]} --no-run"; do
        echo "--- prebuild: $cmd"
        # shellcheck disable=SC2086 # the command lines hold no quoted words
        $cmd || echo "--- prebuild: that failed (exit $?); the app phase runs it again and reports it"
    done
} > "$DIR/log" 2>&1
echo $(( $(date +%s) - t0 )) > "$DIR/debug-seconds"
echo "--- prebuild: packaging/build.sh --build-only" >> "$DIR/log"
bash packaging/build.sh --build-only >> "$DIR/log" 2>&1
rc=$?
echo $(( $(date +%s) - t0 )) > "$DIR/seconds"
echo "$rc" > "$DIR/rc"
exit "$rc"
