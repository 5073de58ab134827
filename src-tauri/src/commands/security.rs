//! The Security step's and "Client config…"'s commands: the cluster's CA as it may be shown (subject, SHA-256
//! fingerprint, validity — never a key or a password), and a user's `client.properties` + `ca.pem` written into a
//! folder the user chose (the engine's `client-config`, 0600). Passwords stay in the engine and on disk; none
//! crosses to the UI.

use super::spec_of;
use crate::error::{AppError, AppResult, ErrorCode};
use kafka_wizard::project::ProjectDraft;
use kafka_wizard::security::ca_info::{self, CaInfo};
use kafka_wizard::security::client_config::write_client_config;

/// The secured cluster's CA: the generated one once the secrets store has it (after the first deploy), or the
/// provided `security.ca_cert`; `null` for a plaintext project or before the first deploy.
#[tauri::command]
pub fn cluster_ca(draft: ProjectDraft) -> AppResult<Option<CaInfo>> {
    let spec = spec_of(&draft)?;
    Ok(ca_info::ca_info(&spec)?)
}

/// Writes `<directory>/client.properties` and `<directory>/ca.pem` (0600) for `user`; returns both paths.
#[tauri::command]
pub fn client_config(draft: ProjectDraft, user: String, directory: String) -> AppResult<Vec<String>> {
    let spec = spec_of(&draft)?;
    let directory = directory.trim();
    if directory.is_empty() {
        return Err(AppError::new(ErrorCode::Io, "choose the folder to write the client configuration to"));
    }
    let dir =
        crate::paths::user_path(directory).map_err(|e| AppError::new(ErrorCode::Io, format!("{directory}: {e}")))?;
    let written = write_client_config(&spec, &user, &dir)?;
    Ok(written.iter().map(|p| p.to_string_lossy().into_owned()).collect())
}
