//! The UI's TypeScript types against the Rust types they mirror: ts-rs generates `ui/src/generated/<Type>.ts`
//! from every type the desktop app sends to its UI or takes from it, and the committed files must equal that
//! output (run with `UPDATE_GOLDEN=1` to rewrite them after an intended change, then review the diff).
//! Shared by `tests/ts_types.rs` (the engine's types) and `src-tauri/tests/ts_types.rs` (the app's, with the
//! engine's: every file), each including it by `#[path]`.
#![allow(dead_code)]

use kafka_wizard::apply::status::ClusterStatus;
use kafka_wizard::apply::{DeploySummary, PreviewRow};
use kafka_wizard::catalog::Release;
use kafka_wizard::events::Event;
use kafka_wizard::plan::Plan;
use kafka_wizard::project::schema::FieldInfo;
use kafka_wizard::project::{Problem, ProjectDraft};
use kafka_wizard::reassign::ReassignPlan;
use kafka_wizard::render::HostFiles;
use kafka_wizard::smoke::SmokeReport;
use std::collections::BTreeMap;
use std::path::Path;
use ts_rs::{Config, ExportError, TS};

/// The engine's types the UI exchanges with the app; each is written with every type it names.
pub fn export_engine_types(cfg: &Config) -> Result<(), ExportError> {
    ProjectDraft::export_all(cfg)?;
    Problem::export_all(cfg)?;
    FieldInfo::export_all(cfg)?;
    Release::export_all(cfg)?;
    HostFiles::export_all(cfg)?;
    Plan::export_all(cfg)?;
    Event::export_all(cfg)?;
    DeploySummary::export_all(cfg)?;
    PreviewRow::export_all(cfg)?;
    ClusterStatus::export_all(cfg)?;
    SmokeReport::export_all(cfg)?;
    ReassignPlan::export_all(cfg)?;
    Ok(())
}

/// The files `export` writes, by file name: every integer a TypeScript `number` (the draft's `i64`s included, so
/// that a negative id still reaches validation), imports written as the UI writes them (`./Problem.js`).
pub fn generate(export: impl FnOnce(&Config) -> Result<(), ExportError>) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config::new().with_large_int("number").with_import_extension(Some("js")).with_out_dir(dir.path());
    export(&cfg).unwrap();
    ts_files(dir.path())
}

/// Every `.ts` file directly in `dir`, by name (the folder also holds `field-schema.json`, another test's).
fn ts_files(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return BTreeMap::new() };
    entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "ts"))
        .map(|path| (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&path).unwrap()))
        .collect()
}

/// Asserts `committed` (the UI's `generated/` folder) holds exactly `files`; with `complete`, no other `.ts` file
/// either (stale ones are removed by `UPDATE_GOLDEN=1`).
pub fn assert_committed(committed: &Path, files: &BTreeMap<String, String>, complete: bool, test: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(committed).unwrap();
        if complete {
            for stale in ts_files(committed).keys().filter(|name| !files.contains_key(*name)) {
                std::fs::remove_file(committed.join(stale)).unwrap();
            }
        }
        for (name, text) in files {
            std::fs::write(committed.join(name), text).unwrap();
        }
    }
    let fix = format!("run `UPDATE_GOLDEN=1 cargo test {test}` and review the diff");
    let on_disk = ts_files(committed);
    for (name, text) in files {
        let want = on_disk.get(name).map(String::as_str).unwrap_or_default();
        assert!(want == text, "{}/{name} is stale — {fix}:\n{text}", committed.display());
    }
    if complete {
        let stale: Vec<&String> = on_disk.keys().filter(|name| !files.contains_key(*name)).collect();
        assert!(stale.is_empty(), "{} holds files no Rust type generates: {stale:?} — {fix}", committed.display());
    }
}
