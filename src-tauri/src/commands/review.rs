//! Review and export: every generated file per host, the plan and all problems for the Review step; what a deploy
//! would change on the hosts (the rows of `kafka-wizard deploy --dry-run`, diffs included); export to a folder or a
//! zip (the same entries as `kafka-wizard export`).

use super::operate::RunOptions;
use super::spec_of;
use crate::error::{AppError, AppResult, ErrorCode};
use kafka_wizard::apply::{self, PreviewRow};
use kafka_wizard::export;
use kafka_wizard::plan::{self, Plan};
use kafka_wizard::project::{validate, Problem, ProjectDraft};
use kafka_wizard::render::{self, HostFiles};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Serialize, TS)]
pub struct Review {
    pub problems: Vec<Problem>,
    /// Empty while the project has errors.
    pub hosts: Vec<HostFiles>,
    pub plan: Option<Plan>,
    /// Set when the files cannot be rendered although the project is valid (a KRaft project without cluster id).
    pub render_error: Option<AppError>,
}

#[tauri::command]
pub fn review(draft: ProjectDraft) -> Review {
    let validation = validate(&draft);
    let Some(spec) = validation.spec else {
        return Review { problems: validation.problems, hosts: Vec::new(), plan: None, render_error: None };
    };
    match render::render_cluster(&spec) {
        Ok(hosts) => Review { problems: validation.problems, hosts, plan: Some(plan::plan(&spec)), render_error: None },
        Err(e) => Review { problems: validation.problems, hosts: Vec::new(), plan: None, render_error: Some(e.into()) },
    }
}

/// What a deploy would change on every host, as `deploy --dry-run` decides it: connects with the run's options,
/// reads each host's facts and decides every step without acting. A generated file that would change comes with
/// its unified diff; a service that would restart says why.
#[tauri::command]
pub async fn preview_deploy(draft: ProjectDraft, options: RunOptions) -> AppResult<Vec<PreviewRow>> {
    let spec = spec_of(&draft)?;
    Ok(apply::preview(&spec, &options.to_deploy_options(), kafka_wizard::events::discard()).await?)
}

/// How to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Folder,
    Zip,
}

/// Writes every generated file (and INDEX.md) to `target`: a folder (new, empty, or an earlier export when
/// `replace`) or a zip file (new, or an earlier export's zip when `replace`; never through a symlink) — the rules
/// of `kafka-wizard export [--force]`. Returns the absolute path written and the number of entries.
#[tauri::command]
pub fn export_files(
    draft: ProjectDraft,
    target: String,
    format: ExportFormat,
    replace: bool,
) -> AppResult<(String, usize)> {
    let spec = spec_of(&draft)?;
    let entries = export::entries(&spec)?;
    let target = target.trim();
    if target.is_empty() {
        return Err(AppError::new(ErrorCode::Io, "enter the folder or zip file to export to"));
    }
    let path = crate::paths::user_path(target).map_err(|e| AppError::new(ErrorCode::Io, format!("{target}: {e}")))?;
    match format {
        ExportFormat::Folder => export::write_dir(&entries, &path, replace)?,
        ExportFormat::Zip => export::write_zip(&entries, &path, replace)?,
    }
    Ok((path.to_string_lossy().into_owned(), entries.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_wizard::project::parse;

    fn seed() -> ProjectDraft {
        parse(include_str!("../../../examples/seed-cluster.toml")).unwrap()
    }

    #[test]
    fn the_guides_cluster_renders_a_broker_server_properties_with_the_chroot() {
        let r = review(seed());
        let broker = r.hosts.iter().find(|h| h.host == "peter-kafka001").unwrap();
        let props = broker.files.iter().find(|f| f.path == "/etc/kafka/server.properties").unwrap();
        assert!(props.content.contains("broker.id=1"), "{}", props.content);
        assert!(props.content.contains("/peter-kafka"), "{}", props.content);
        assert!(r.plan.is_some());
    }

    #[test]
    fn an_invalid_project_shows_its_problems_and_no_files() {
        let mut draft = seed();
        draft.hosts[4].id = Some(1);
        let r = review(draft);
        assert!(r.hosts.is_empty());
        assert!(r.problems.iter().any(|p| p.is_error() && p.field.starts_with("hosts[")), "{:?}", r.problems);
    }

    #[test]
    fn exporting_into_a_non_empty_folder_is_refused_with_its_code() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mine.txt"), "keep").unwrap();
        let err = export_files(seed(), dir.path().to_string_lossy().into(), ExportFormat::Folder, false).unwrap_err();
        assert_eq!(err.code, ErrorCode::ExportFolderNotEmpty);
    }
}
