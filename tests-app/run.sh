#!/usr/bin/env bash
# tests-app/run.sh — the desktop app's test phase (tests/run-all.sh runs it as phase `app`; as root).
# Owns: installing what the app's tests need when missing (Debian packages, npm packages from the lockfile,
# tauri-driver 2.1.0), building the app and the CLI, then, each timed:
#   1. cargo test -p kafka-wizard-app          commands on tauri's mock runtime + unit tests
#   2. npm test (ui/)                          UI logic (node --test) + the wizard in headless Chromium (mock backend)
#   3. cargo test -p kafka-wizard-app-e2e      the REAL app window under Xvfb: app_e2e (open/fix/review/export vs
#                                              the CLI, Save As; GTK's file chooser answered with xdotool) and,
#                                              with --features world, app_install (install onto the test hosts,
#                                              stop/start from Manage)
# Screenshots: target/screenshots/. Separate `-p` runs on purpose: --workspace would rebuild tauri with the
# e2e crate's features (+2 min).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=../src-tauri/packages.sh
. "$ROOT/src-tauri/packages.sh"
require_tools
install_missing_packages "${APP_BUILD_PACKAGES[@]}" "${APP_TEST_PACKAGES[@]}"
command -v tauri-driver >/dev/null || cargo install tauri-driver@2.1.0 --locked --quiet
export XDG_DATA_HOME="$ROOT/target/xdg/data" XDG_CACHE_HOME="$ROOT/target/xdg/cache" XDG_CONFIG_HOME="$ROOT/target/xdg/config"
FEATURES=()
[ "$(id -u)" = 0 ] && [ "${KW_APP_WORLD:-1}" = 1 ] && FEATURES=(--features world)
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
step build cargo build --locked -p kafka-wizard-app -p kafka-wizard
step commands cargo test --locked -p kafka-wizard-app
step ui-tests bash -c 'cd ui && npx tsc --noEmit -p . && node --test test/'
step e2e xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" cargo test --locked -p kafka-wizard-app-e2e "${FEATURES[@]}" --tests -- --test-threads=1 --nocapture
printf '  %s\n' "${TIMES[@]}"
echo "screenshots: $ROOT/target/screenshots/"
