//! Native file dialogs for Open, Save As and Export: tauri-plugin-dialog (GTK's file chooser on Linux) shown
//! from Rust, so the webview needs no dialog permission. The UI chooses the title (in its language), the filter
//! and where the dialog starts; the answer is the chosen absolute path, or `None` when the user cancelled.

use crate::error::{AppError, AppResult, ErrorCode};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use tauri::{Runtime, WebviewWindow};
use tauri_plugin_dialog::{DialogExt, FilePath};
use ts_rs::TS;

/// Which dialog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum PickMode {
    /// An existing file (Open).
    Open,
    /// A file to write, new or existing (Save As, Export as zip); the chooser asks before overwriting.
    Save,
    /// A folder (Export to a folder).
    Folder,
}

/// Files the dialog lists, e.g. `{"name": "Project files (*.toml)", "extensions": ["toml"]}`.
#[derive(Clone, Debug, Deserialize, TS)]
pub struct FileFilter {
    pub name: String,
    pub extensions: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, TS)]
#[ts(optional_fields)]
pub struct PickRequest {
    pub mode: PickMode,
    pub title: String,
    #[serde(default)]
    pub filter: Option<FileFilter>,
    /// The folder the dialog opens in (`~` allowed); a folder that does not exist starts at its nearest parent.
    #[serde(default)]
    pub directory: Option<String>,
    /// The suggested file name (Save).
    #[serde(default)]
    pub file_name: Option<String>,
}

/// The folder a dialog starts in: `dir` (tilde expanded, made absolute) or its nearest existing ancestor.
pub fn start_directory(dir: &str) -> Option<PathBuf> {
    let dir = dir.trim();
    if dir.is_empty() {
        return None;
    }
    let path = std::path::absolute(kafka_wizard::transport::ssh::expand_tilde(Path::new(dir))).ok()?;
    path.ancestors().find(|p| p.is_dir()).map(Path::to_path_buf)
}

/// Shows the dialog and waits for the user. `Ok(None)`: cancelled. `dialog_unavailable`: it could not be shown.
#[tauri::command]
pub async fn pick_path<R: Runtime>(window: WebviewWindow<R>, request: PickRequest) -> AppResult<Option<String>> {
    let mut dialog = window.dialog().file().set_title(&request.title).set_parent(&window);
    if let Some(filter) = &request.filter {
        let extensions: Vec<&str> = filter.extensions.iter().map(String::as_str).collect();
        dialog = dialog.add_filter(&filter.name, &extensions);
    }
    if let Some(dir) = request.directory.as_deref().and_then(start_directory) {
        dialog = dialog.set_directory(dir);
    }
    if let Some(name) = request.file_name.as_deref().filter(|n| !n.trim().is_empty()) {
        dialog = dialog.set_file_name(name);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let answer = move |picked: Option<FilePath>| {
        let _ = tx.send(picked);
    };
    match request.mode {
        PickMode::Open => dialog.pick_file(answer),
        PickMode::Save => dialog.save_file(answer),
        PickMode::Folder => dialog.pick_folder(answer),
    }
    // the plugin drops the callback unanswered only when the dialog could not be shown at all
    let picked =
        rx.await.map_err(|_| AppError::new(ErrorCode::DialogUnavailable, "the file dialog could not be shown"))?;
    picked
        .map(|p| match p.into_path() {
            Ok(path) => Ok(path.to_string_lossy().into_owned()),
            Err(e) => Err(AppError::new(ErrorCode::Io, format!("the chosen location is not a local path: {e}"))),
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dialog_starts_in_the_nearest_folder_that_exists() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_string_lossy().into_owned();
        assert_eq!(start_directory(&root).as_deref(), Some(dir.path()));
        assert_eq!(start_directory(&format!("{root}/not/yet/there")).as_deref(), Some(dir.path()));
        std::fs::write(dir.path().join("p.toml"), "").unwrap();
        assert_eq!(
            start_directory(&format!("{root}/p.toml")).as_deref(),
            Some(dir.path()),
            "a file starts in its folder"
        );
        assert_eq!(start_directory("  "), None);
    }

    #[test]
    fn a_request_from_the_ui_reads_with_optional_parts_left_out() {
        let r: PickRequest =
            serde_json::from_value(serde_json::json!({"mode": "folder", "title": "Export to"})).unwrap();
        assert_eq!(r.mode, PickMode::Folder);
        assert!(r.filter.is_none() && r.directory.is_none() && r.file_name.is_none());
        let r: PickRequest = serde_json::from_value(serde_json::json!({
            "mode": "save", "title": "Save as", "filter": {"name": "Project files", "extensions": ["toml"]},
            "directory": "/tmp", "file_name": "peter-kafka.toml"
        }))
        .unwrap();
        assert_eq!(r.filter.unwrap().extensions, ["toml"]);
        assert_eq!(r.file_name.as_deref(), Some("peter-kafka.toml"));
    }
}
