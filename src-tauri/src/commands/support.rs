//! Manage's "Support bundle…": the engine's support bundle (`kafka_wizard::collect`, the CLI's `collect`) written
//! to the zip file the user chose in the OS's save dialog — every host's generated files, logs, journals and facts,
//! the status, the project file and its newest run log, redacted — and what it holds, for Manage to show.

use super::operate::RunOptions;
use super::spec_of;
use crate::error::{AppError, AppResult, ErrorCode};
use kafka_wizard::collect::{self, LocalInputs, DEFAULT_LINES};
use kafka_wizard::project::ProjectDraft;
use serde::Serialize;
use ts_rs::TS;

/// What a support bundle holds, as Manage shows it.
#[derive(Clone, Debug, Serialize, TS)]
pub struct BundleSummary {
    /// The zip written.
    pub path: String,
    pub entries: u32,
    /// Bytes before compression.
    pub bytes: u64,
    /// Values redacted, and how the bundle was searched for secrets.
    pub redactions: u32,
    pub redaction: String,
    pub hosts: Vec<BundleHost>,
}

/// One host's part of the bundle.
#[derive(Clone, Debug, Serialize, TS)]
pub struct BundleHost {
    pub host: String,
    pub entries: u32,
    /// Files holding a private key: only their owner, mode and size are in the bundle.
    pub left_out: u32,
    /// Why the host could not be read (the bundle has the rest).
    pub error: Option<String>,
}

/// The name the save dialog suggests: `<project>-support-<UTC time>.zip`.
#[tauri::command]
pub fn support_bundle_name(draft: ProjectDraft) -> String {
    collect::default_file_name(draft.name.as_deref().unwrap_or("cluster"))
}

/// Collects the support bundle of the draft's cluster into `out` (a new file; never over an existing one).
/// `project_path`: the project's file, when it has one (its text goes into the bundle).
#[tauri::command]
pub async fn support_bundle(
    draft: ProjectDraft,
    options: RunOptions,
    project_path: Option<String>,
    out: String,
) -> AppResult<BundleSummary> {
    let spec = spec_of(&draft)?;
    let out = out.trim();
    if out.is_empty() {
        return Err(AppError::new(ErrorCode::Io, "choose the zip file to write the support bundle to"));
    }
    let file = crate::paths::user_path(out).map_err(|e| AppError::new(ErrorCode::Io, format!("{out}: {e}")))?;
    let project_file = project_path.as_deref().map(std::path::Path::new);
    let local = LocalInputs::gather(project_file, &spec.name);
    let bundle = collect::collect(&spec, &options.to_deploy_options(), local, DEFAULT_LINES).await;
    collect::write_zip(&bundle, &file).map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?;
    let m = &bundle.manifest;
    Ok(BundleSummary {
        path: file.to_string_lossy().into_owned(),
        entries: bundle.entries.len() as u32,
        bytes: bundle.entries.iter().map(|e| e.content.len() as u64).sum(),
        redactions: m.redactions() as u32,
        redaction: m.redaction.clone(),
        hosts: m
            .hosts
            .iter()
            .map(|h| BundleHost {
                host: h.host.clone(),
                entries: h.entries.len() as u32,
                left_out: h.omitted.len() as u32,
                error: h.error.clone(),
            })
            .collect(),
    })
}
