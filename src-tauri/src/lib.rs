//! Kafka Cluster Wizard's desktop shell (Tauri 2): the only crate that knows Tauri. It registers the commands
//! (thin delegations to the `kafka_wizard` engine, see [`commands`]), manages the one piece of state
//! ([`state::Jobs`]), registers the dialog plugin (native file choosers, shown from Rust by
//! [`commands::dialogs`]) and serves the front end from `ui/public`. Generic over [`Runtime`] so
//! `tauri::test::mock_builder()` can exercise the commands without a window.

pub mod commands;
pub mod error;
pub mod paths;
pub mod recent;
pub mod state;

use tauri::{Builder, Runtime};

/// The app's commands and state on any runtime (the real one, or the mock one in tests).
pub fn builder<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    use commands::{
        connection, dialogs, operate, preflight, project, reassign, review, runs, security, smoke, support, system,
        trust,
    };
    builder.plugin(tauri_plugin_dialog::init()).manage(state::Jobs::default()).invoke_handler(tauri::generate_handler![
        project::new_project,
        project::this_machine_project,
        project::open_project,
        project::save_project,
        project::finish_migration,
        project::validate_project,
        project::releases,
        project::new_cluster_id,
        project::field_schema,
        project::recent_projects,
        project::startup_project,
        project::example_project,
        review::review,
        review::export_files,
        review::preview_deploy,
        preflight::preflight_check,
        preflight::preflight_fix,
        security::cluster_ca,
        security::client_config,
        connection::test_connection,
        operate::deploy,
        operate::operate,
        operate::cluster_status,
        operate::cancel_job,
        reassign::preview_reassign,
        reassign::reassign,
        smoke::smoke_test,
        support::support_bundle_name,
        support::support_bundle,
        runs::run_logs,
        runs::save_run_log,
        system::system_locale,
        dialogs::pick_path,
        trust::trusted_signers,
        trust::preview_signer_import,
        trust::import_signers,
        trust::remove_signer,
    ])
}

/// Starts the desktop app.
pub fn run() {
    let app = builder(tauri::Builder::default()).run(tauri::generate_context!());
    if let Err(e) = app {
        eprintln!("kafka-wizard-app: cannot start: {e}");
        std::process::exit(1);
    }
}
