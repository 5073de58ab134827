# tests-app/cargo-commands.sh — the one home of the cargo commands of the app's test phase (sourced by
# tests-app/run.sh, which runs them, and tests-app/prebuild.sh, which compiles what they need ahead of time in the
# background: the same command lines, so cargo finds its work done and the app phase only runs the tests).
# Separate `-p` runs on purpose: --workspace would rebuild tauri with the e2e crate's features (+2 min).
# shellcheck shell=bash

# The WebDriver server of the window tests (installed once into ~/.cargo/bin).
TAURI_DRIVER_INSTALL=(cargo install tauri-driver@2.1.0 --locked --quiet)
# The app's window tests reach the test hosts (app_install, app_password_cancel) only as root.
APP_E2E_FEATURES=()
[ "$(id -u)" = 0 ] && [ "${KW_APP_WORLD:-1}" = 1 ] && APP_E2E_FEATURES=(--features world)
# The CLI the app's tests compare against (target/debug/kafka-wizard). No build of the app here: the window tests run
# target/debug/kafka-wizard-app as APP_COMMAND_TESTS builds it (cargo builds a package's binary for its integration
# tests, with the tests' features: tauri's `test` on, which only adds the mock runtime), so tauri is compiled twice in
# debug (clippy's check, the tests) rather than three times, and the window tests need not wait for the release build.
APP_BUILD_CLI=(cargo build --locked -p kafka-wizard)
# The benchmark's helper (bench/, kw-bench) is linted with the app's crates: no other step compiles it.
APP_LINT=(cargo clippy --locked -p kafka-wizard-app -p kafka-wizard-app-e2e --features kafka-wizard-app-e2e/world
    -p kw-bench --all-targets -- -D warnings)
APP_COMMAND_TESTS=(cargo test --locked -p kafka-wizard-app)
APP_WINDOW_TESTS=(cargo test --locked -p kafka-wizard-app-e2e "${APP_E2E_FEATURES[@]}" --tests)
APP_APPIMAGE_TEST=(cargo test --locked -p kafka-wizard-app-e2e --test app_appimage)
