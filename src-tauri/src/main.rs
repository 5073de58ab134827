//! The `kafka-wizard-app` binary: everything lives in the library (`run`).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    kafka_wizard_app::run()
}
