#!/usr/bin/env bash
# tests-app/run.sh — the desktop app's test phase (tests/run-all.sh runs it as phase `app`; as root).
# Owns: installing what the app's tests need when missing (Debian packages, npm packages from the lockfile,
# tauri-driver 2.1.0), building the app and the CLI, then, each timed:
#   1. cargo clippy -p kafka-wizard-app -p kafka-wizard-app-e2e -p kw-bench --all-targets -- -D warnings
#                                              lint gate for the app's crates and the benchmark's helper (bench/),
#                                              every target, the e2e crate's `world`
#                                              feature on (so app_install and app_password_cancel are linted too);
#                                              any warning stops the run (the engine: run-all's lint phase)
#   2. cargo test -p kafka-wizard-app          commands on tauri's mock runtime + unit tests
#   3. tsc --noEmit + node --test (ui/)        the UI's type check, its logic + the wizard in headless Chromium
#                                              (mock backend)
#   4. cargo test -p kafka-wizard-app-e2e      the REAL app window under Xvfb — the debug app step 2 built (or
#                                              KW_APP_BIN): app_e2e (open/fix/review/export vs the CLI, Save As;
#                                              GTK's file chooser answered with xdotool) and, with --features world,
#                                              app_install (install onto the test hosts, stop/start from Manage) and
#                                              app_password_cancel (password login, Cancel in the download, Install
#                                              again); app_fleet (a 24-host install's responsiveness) is ignored:
#                                              by hand. The release app is tested as the AppImage (step 8)
#   5. packaging/build.sh                      the .deb, the RPM and the AppImage (release build: ~6-12 min cold). Under
#                                              tests/run-all.sh the compiling of steps 1, 2, 4, 7 and the release
#                                              build and the .deb were started in the background during its e2e
#                                              phase (KW_RELEASE_PREBUILD=DIR, tests-app/prebuild.sh): those steps
#                                              find their builds done, this step waits for that job (steps 3 and 4
#                                              ran meanwhile), shows its time, and makes only the RPM and the
#                                              AppImage (--skip-build)
#   6. tests-app/packaged-cli.sh               the CLI in both packages, with no display (seconds): the .deb's file
#                                              list (CLI, man page, completions), its CLI's --version and validate,
#                                              the AppImage's `--cli` and a `kafka-wizard` symlink to it
#   7. tests-app/packaged-rpm.sh               the RPM against the .deb (seconds): the same files at Fedora's paths,
#                                              byte-identical; Fedora's names of the .deb's dependencies and the
#                                              libraries the binaries link as requirements; its CLI's --version, --help
#   8. cargo test … --test app_appimage        the AppImage as the application under Xvfb; as root with the
#                                              machine's WebKitGTK hidden (tests-app/without-host-webkit.sh)
#   KW_APP_PACKAGE=0 skips 5 to 8.
# Screenshots: target/screenshots/. The cargo command lines: tests-app/cargo-commands.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=../src-tauri/packages.sh
. "$ROOT/src-tauri/packages.sh"
# shellcheck source=cargo-commands.sh
. "$ROOT/tests-app/cargo-commands.sh"
require_tools
PACKAGE=${KW_APP_PACKAGE:-1}
PKGS=("${APP_BUILD_PACKAGES[@]}" "${APP_TEST_PACKAGES[@]}")
[ "$PACKAGE" = 1 ] && PKGS+=("${APP_PACKAGE_PACKAGES[@]}")
install_missing_packages "${PKGS[@]}"
command -v tauri-driver >/dev/null || "${TAURI_DRIVER_INSTALL[@]}"
export XDG_DATA_HOME="$ROOT/target/xdg/data" XDG_CACHE_HOME="$ROOT/target/xdg/cache" XDG_CONFIG_HOME="$ROOT/target/xdg/config"
declare -a TIMES=()
step() {   # step NAME CMD...: run and time
    local name=$1 t0
    shift
    echo "--- app: $name: $*"
    t0=$(date +%s)
    "$@"
    TIMES+=("$(printf '%-8s %4ss' "$name" "$(( $(date +%s) - t0 ))")")
}
step ui-build build_ui
step build "${APP_BUILD_CLI[@]}"
step lint "${APP_LINT[@]}"
step commands "${APP_COMMAND_TESTS[@]}"
step ui-tests bash -c 'cd ui && npx tsc --noEmit -p . && node --test test/'
appimage_test() {   # the AppImage test: mounted with FUSE where this machine can, else extracted
    local ai
    ai=$(find "$ROOT/target/release/bundle/appimage" -name '*.AppImage' | head -1)
    [ -n "$ai" ] || { echo "app: no AppImage under target/release/bundle/appimage" >&2; return 1; }
    export KW_APPIMAGE=$ai
    if appimage_can_mount; then
        unset APPIMAGE_EXTRACT_AND_RUN
    else
        echo "app: no FUSE 2 here: the AppImage runs extracted (APPIMAGE_EXTRACT_AND_RUN=1)"
        export APPIMAGE_EXTRACT_AND_RUN=1
    fi
    "${APP_APPIMAGE_TEST[@]}" --no-run
    local run=(xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "${APP_APPIMAGE_TEST[@]}" -- --nocapture)
    if [ "$(id -u)" = 0 ]; then
        bash "$ROOT/tests-app/without-host-webkit.sh" "${run[@]}"
    else
        echo "app: not root: the machine's WebKitGTK stays visible to the AppImage (the test still checks the mapped libraries)"
        "${run[@]}"
    fi
}
package() {   # the packages: from the background release build when there is one, else built here
    local dir=${KW_RELEASE_PREBUILD:-} pid=${KW_RELEASE_PREBUILD_PID:-} waited=0
    if [ -z "$dir" ]; then
        bash packaging/build.sh
        return
    fi
    # rc is written last: until then the job runs (or it died without a record: its pid is gone)
    while [ ! -s "$dir/rc" ]; do
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && [ ! -s "$dir/rc" ]; then
            echo "app: the background release build (pid $pid) ended without a record; its log:" >&2
            cat "$dir/log" >&2 2>/dev/null || true
            return 1
        fi
        sleep 2
        waited=$((waited + 2))
    done
    echo "app: the background build took $(cat "$dir/seconds")s (its debug part $(cat "$dir/debug-seconds" 2>/dev/null)s; release exit $(cat "$dir/rc")); waited ${waited}s for it here"
    if [ "$(cat "$dir/rc")" != 0 ]; then
        cat "$dir/log" >&2
        return 1
    fi
    tail -3 "$dir/log"
    bash packaging/build.sh --skip-build
}
# the debug app the command tests built (cargo-commands.sh), while the background release build may still be running
step e2e xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "${APP_WINDOW_TESTS[@]}" -- --test-threads=1 --nocapture
if [ "$PACKAGE" = 1 ]; then
    step package package
    step pkg-cli bash tests-app/packaged-cli.sh
    step pkg-rpm bash tests-app/packaged-rpm.sh
    step appimage appimage_test
fi
printf '  %s\n' "${TIMES[@]}"
echo "screenshots: $ROOT/target/screenshots/"
