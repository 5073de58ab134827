//! The commands the UI invokes: small functions delegating to the engine, grouped by wizard area.
//! Every command returns `Result<_, AppError>` (`{code, message}` at the boundary).

mod batch;
pub mod connection;
pub mod dialogs;
pub mod operate;
pub mod preflight;
pub mod project;
pub mod reassign;
pub mod review;
pub mod runs;
pub mod security;
pub mod smoke;
pub mod support;
pub mod system;
pub mod trust;

use crate::error::{AppError, AppResult, ErrorCode};
use kafka_wizard::project::{validate, ClusterSpec, ProjectDraft};

/// The validated spec of a draft, or `invalid_project` naming how many errors stand in the way.
pub(crate) fn spec_of(draft: &ProjectDraft) -> AppResult<ClusterSpec> {
    let validation = validate(draft);
    match validation.spec {
        Some(spec) => Ok(spec),
        None => {
            let n = validation.errors().count();
            Err(AppError::new(
                ErrorCode::InvalidProject,
                format!("the project has {n} error(s) — fix the fields marked in red first"),
            ))
        }
    }
}
