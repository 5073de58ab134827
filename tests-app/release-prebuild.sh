#!/usr/bin/env bash
# tests-app/release-prebuild.sh — the release build of the app's packages as a low-priority background job
# (tests/run-all.sh starts it with setsid at the start of its e2e phase; tests-app/run.sh's `package` step waits for it).
# Owns: the job's priority and its record. It runs `packaging/build.sh --build-only` (the release build of the app and
# the CLI, and the .deb) on the CPU the end-to-end tests leave idle: started in a session of its own, it has a
# scheduler autogroup of its own (with autogroups the kernel shares the CPU between groups before a process's nice
# value counts; each service on the test hosts runs in its own), which it sets to nice 19, and it runs at nice 19 and
# idle I/O priority. It never lowers its caller's priority: outside a session of its own it leaves the autogroup alone.
# Writes DIR/log (the build's output), DIR/seconds, and DIR/rc last (its exit status: the sign that it ended).
# Usage: setsid bash tests-app/release-prebuild.sh DIR
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:?usage: setsid bash tests-app/release-prebuild.sh DIR}
mkdir -p "$DIR"
if [ "$(ps -o sid= -p $$ | tr -d ' ')" = "$$" ] && [ -w /proc/self/autogroup ]; then
    echo 19 > /proc/self/autogroup || true
fi
t0=$(date +%s)
(cd "$ROOT" && exec nice -n 19 ionice -c 3 bash packaging/build.sh --build-only) > "$DIR/log" 2>&1
rc=$?
echo $(( $(date +%s) - t0 )) > "$DIR/seconds"
echo "$rc" > "$DIR/rc"
exit "$rc"
