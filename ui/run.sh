#!/usr/bin/env bash
# ui/run.sh — the README's run command: starts the desktop wizard on a fresh Debian/Ubuntu machine.
# Owns: installing what is missing (Debian packages via src-tauri/packages.sh, npm packages from the lockfile),
# building the front end and the app (debug build, ~3 min the first time, seconds after), and starting it.
# Arguments are passed to the app. KW_XVFB=1 runs it on a virtual display (no desktop; for a screenshot).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../src-tauri/packages.sh
. "$ROOT/src-tauri/packages.sh"
require_tools
install_missing_packages "${APP_BUILD_PACKAGES[@]}"
build_ui
(cd "$ROOT" && cargo build -q -p kafka-wizard-app)
APP="$ROOT/target/debug/kafka-wizard-app"
if [ "${KW_XVFB:-0}" = 1 ]; then
    install_missing_packages xvfb xauth
    exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "$APP" "$@"
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "ui/run.sh: no display (DISPLAY/WAYLAND_DISPLAY unset): run it in a desktop session, or KW_XVFB=1 for a virtual one" >&2
    exit 1
fi
exec "$APP" "$@"
