//! Every type the UI sends to or gets from the app's commands and event Channel, as the UI declares it:
//! `ui/src/generated/*.ts` is exactly what ts-rs generates from the app's types and the engine's (no file
//! more — `UPDATE_GOLDEN=1` rewrites them and removes stale ones). The engine checks its own in `tests/ts_types.rs`.

#[path = "../../tests/support/typescript.rs"]
mod typescript;

use kafka_wizard::security::ca_info::CaInfo;
use kafka_wizard_app::commands::connection::ConnectionReport;
use kafka_wizard_app::commands::dialogs::PickRequest;
use kafka_wizard_app::commands::operate::{Migrate, RunOptions, Verb};
use kafka_wizard_app::commands::preflight::{FixReport, PreflightReport};
use kafka_wizard_app::commands::project::{MigratedProject, OpenedProject, ReleaseInfo};
use kafka_wizard_app::commands::reassign::{ReassignOutcome, ReassignRequest};
use kafka_wizard_app::commands::review::{ExportFormat, Review};
use kafka_wizard_app::commands::runs::RunEntry;
use kafka_wizard_app::commands::smoke::SmokeRequest;
use kafka_wizard_app::commands::support::BundleSummary;
use kafka_wizard_app::commands::trust::{ImportPreview, TrustedSigners};
use kafka_wizard_app::error::AppError;
use std::path::Path;
use ts_rs::{Config, ExportError, TS};

fn export_app_types(cfg: &Config) -> Result<(), ExportError> {
    AppError::export_all(cfg)?;
    OpenedProject::export_all(cfg)?;
    MigratedProject::export_all(cfg)?;
    ReleaseInfo::export_all(cfg)?;
    Review::export_all(cfg)?;
    ExportFormat::export_all(cfg)?;
    ConnectionReport::export_all(cfg)?;
    RunOptions::export_all(cfg)?;
    Migrate::export_all(cfg)?;
    Verb::export_all(cfg)?;
    PickRequest::export_all(cfg)?;
    SmokeRequest::export_all(cfg)?;
    CaInfo::export_all(cfg)?;
    BundleSummary::export_all(cfg)?;
    RunEntry::export_all(cfg)?;
    ReassignRequest::export_all(cfg)?;
    ReassignOutcome::export_all(cfg)?;
    TrustedSigners::export_all(cfg)?;
    ImportPreview::export_all(cfg)?;
    PreflightReport::export_all(cfg)?;
    FixReport::export_all(cfg)?;
    Ok(())
}

#[test]
fn the_uis_generated_types_are_the_apps_and_the_engines() {
    let files = typescript::generate(|cfg| {
        typescript::export_engine_types(cfg)?;
        export_app_types(cfg)
    });
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/generated");
    typescript::assert_committed(&committed, &files, true, "-p kafka-wizard-app --test ts_types");
}
