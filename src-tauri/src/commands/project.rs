//! Project commands: new / open / save the project TOML (the same file the CLI takes), live validation with the
//! engine's own rules, the field schema, the release catalog, a fresh KRaft cluster id, recent projects, and the
//! file rewritten to KRaft mode after Manage's Finalize migration.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::recent;
use kafka_wizard::apply::MigrationReport;
use kafka_wizard::catalog::{self, Release};
use kafka_wizard::project::draft::to_toml;
use kafka_wizard::project::schema::{self, FieldInfo};
use kafka_wizard::project::spec::MigrationStage;
use kafka_wizard::project::{checks, file, parse, template, validate, Problem, ProjectDraft};
use kafka_wizard::release_index;
use kafka_wizard::verify::apache_keys;
use serde::Serialize;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Manager, Runtime};
use ts_rs::TS;

/// A project read from disk.
#[derive(Debug, Serialize, TS)]
pub struct OpenedProject {
    pub path: String,
    pub draft: ProjectDraft,
    pub problems: Vec<Problem>,
    pub recent: Vec<String>,
}

/// The project after Manage's Finalize migration: its file rewritten to KRaft mode and read again, and the hosts
/// that left it (ZooKeeper was their only role).
#[derive(Debug, Serialize, TS)]
pub struct MigratedProject {
    pub project: OpenedProject,
    pub dropped: Vec<String>,
}

/// One catalog entry for the Version step.
#[derive(Debug, Serialize, TS)]
pub struct ReleaseInfo {
    #[serde(flatten)]
    pub release: &'static Release,
    /// `"kraft"` / `"zookeeper"` when the release decides; `null` when both are possible and the user chooses.
    #[ts(type = r#""kraft" | "zookeeper" | null"#)]
    pub default_mode: Option<&'static str>,
    /// A ZooKeeper-mode cluster on this release can move to KRaft with the wizard (hosts given the role
    /// "controller"; `project::validate::MIGRATION_MIN_VERSION`): the Hosts step offers that role in ZooKeeper mode.
    pub migrates_to_kraft: bool,
    /// Whose key, pinned in this build, signed it (`verify::apache_keys`); `null`: its signer is not pinned, so
    /// Install refuses the release until the user trusts that key (Trusted release signers…).
    pub signer: Option<&'static str>,
}

fn recent_dir<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    app.path().app_config_dir().ok()
}

/// A new, empty project (the engine's `project::template::new_project`, also `kafka-wizard init`): the newest
/// release, no hosts yet, secured (TLS + SASL/SCRAM, the wizard's own CA) and monitored (the JMX exporter on).
#[tauri::command]
pub fn new_project() -> ProjectDraft {
    template::new_project()
}

/// "This machine" (the empty Hosts step): a one-node KRaft cluster on the machine the app runs on — the engine's
/// `project::template::this_machine`, the very project `kafka-wizard init --here` writes.
#[tauri::command]
pub fn this_machine_project() -> ProjectDraft {
    template::this_machine()
}

pub fn read_project(path: &Path) -> AppResult<(ProjectDraft, Vec<Problem>)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot read {}: {e}", path.display())))?;
    let draft = parse(&text).map_err(|e| AppError::new(ErrorCode::Parse, format!("{}: {e}", path.display())))?;
    let problems = validate(&draft).problems;
    Ok((draft, problems))
}

#[tauri::command]
pub fn open_project<R: Runtime>(app: AppHandle<R>, path: String) -> AppResult<OpenedProject> {
    reopen(&app, &absolute(&path)?)
}

/// The project at `path` (absolute) read as Open reads it, and remembered as recent: also how a project whose file
/// a run rewrote (a decommission) comes back to the UI.
pub(crate) fn reopen<R: Runtime>(app: &AppHandle<R>, path: &Path) -> AppResult<OpenedProject> {
    let (draft, problems) = read_project(path)?;
    let recent = recent::add(recent_dir(app), path);
    Ok(OpenedProject { path: path.to_string_lossy().into_owned(), draft, problems, recent })
}

/// After a migration run (`report`, the deploy summary's `migration`): when it was finalized, the project file at
/// `path` rewritten to KRaft mode with the cluster's id — checked valid before it is written, as the CLI's
/// `migrate --finalize` does (`file::rewrite_file_as_kraft`) —, when it was rolled back, the file rid of its
/// controllers (`file::rewrite_file_without_controllers`, as `migrate --rollback`), and read again; `null` when the
/// run stopped before either (nothing to rewrite). A failed rewrite is `migration_rewrite`, its message saying what
/// to change by hand.
#[tauri::command]
pub fn finish_migration<R: Runtime>(
    app: AppHandle<R>,
    path: String,
    report: MigrationReport,
) -> AppResult<Option<MigratedProject>> {
    let done = match (report.rolled_back, report.stage) {
        (true, _) => file::rewrite_file_without_controllers(&absolute(&path)?)?,
        (false, MigrationStage::Finalized) => file::rewrite_file_as_kraft(&absolute(&path)?, &report.cluster_id)?,
        (false, _) => return Ok(None),
    };
    let path = absolute(&path)?;
    let (draft, problems) = read_project(&path)?;
    let recent = recent::add(recent_dir(&app), &path);
    let project = OpenedProject { path: path.to_string_lossy().into_owned(), draft, problems, recent };
    Ok(Some(MigratedProject { project, dropped: done.dropped }))
}

/// Writes the draft as TOML. Over an existing project file only what changed is rewritten — its comments, key
/// order and formatting stay (the engine's `file::merge_into`). An existing file that is not a project is replaced
/// only when `replace` (the user confirmed it), never merged into. Written atomically (`file::write_atomically`: a
/// random `O_EXCL` temp file renamed over the target, mode kept). Secrets never reach it: the draft has no password
/// field.
pub fn write_project(path: &Path, draft: &ProjectDraft, replace: bool) -> AppResult<()> {
    let text = match std::fs::read_to_string(path) {
        Ok(existing) if parse(&existing).is_ok() => file::merge_into(&existing, draft),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => to_toml(draft),
        Err(e) if e.kind() != std::io::ErrorKind::InvalidData => {
            return Err(AppError::new(ErrorCode::Io, format!("cannot save {}: {e}", path.display())))
        }
        _ if replace => to_toml(draft),
        _ => {
            return Err(AppError::new(
                ErrorCode::NotAProjectFile,
                format!("{} exists and is not a kafka-wizard project — saving replaces it", path.display()),
            ))
        }
    };
    file::write_atomically(path, &text)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot save {}: {e}", path.display())))
}

/// Save / Save As: returns the absolute path saved to and the updated recent list. A file that is not a project is
/// replaced only with `replace` (the UI asks first, on the `not_a_project_file` error).
#[tauri::command]
pub fn save_project<R: Runtime>(
    app: AppHandle<R>,
    path: String,
    draft: ProjectDraft,
    replace: Option<bool>,
) -> AppResult<(String, Vec<String>)> {
    let path = absolute(&path)?;
    write_project(&path, &draft, replace.unwrap_or(false))?;
    let recent = recent::add(recent_dir(&app), &path);
    Ok((path.to_string_lossy().into_owned(), recent))
}

/// Every problem of the draft (errors and warnings), each naming its field — called as the user types.
#[tauri::command]
pub fn validate_project(draft: ProjectDraft) -> Vec<Problem> {
    validate(&draft).problems
}

/// The catalog, newest first, with the patch releases of known lines that the last `kafka-wizard versions
/// --refresh` discovered (its cache; validation warns about them): the Version step lists those too.
#[tauri::command]
pub fn releases() -> Vec<ReleaseInfo> {
    let cached = release_index::cache_file().and_then(|file| release_index::load(&file).ok().flatten());
    let discovered = cached.map(|d| d.parsed()).unwrap_or_default();
    let mut all: Vec<&'static Release> = catalog::RELEASES.iter().collect();
    all.extend(discovered.into_iter().filter(|v| catalog::find(*v).is_none()).filter_map(catalog::release_for));
    all.sort_by_key(|r| std::cmp::Reverse(r.version));
    all.into_iter()
        .map(|r| ReleaseInfo {
            release: r,
            default_mode: r.default_mode_is_kraft().map(|kraft| if kraft { "kraft" } else { "zookeeper" }),
            migrates_to_kraft: r.zookeeper && r.version >= kafka_wizard::project::validate::MIGRATION_MIN_VERSION,
            signer: apache_keys::signer_of(&r.version.to_string()).map(|k| k.owner),
        })
        .collect()
}

/// The example projects shipped inside the app (the same files as the repository's `examples/`), so a new user can
/// start from the guide's cluster wherever the app was installed.
const EXAMPLES: [(&str, &str); 2] = [
    ("seed-cluster", include_str!("../../../examples/seed-cluster.toml")),
    ("kraft-cluster", include_str!("../../../examples/kraft-cluster.toml")),
];

/// An example project as a draft (not saved anywhere yet: the first Save asks where).
#[tauri::command]
pub fn example_project(name: String) -> AppResult<ProjectDraft> {
    let (_, text) = EXAMPLES
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| AppError::new(ErrorCode::Io, format!("there is no example {name:?}")))?;
    parse(text).map_err(|e| AppError::new(ErrorCode::Parse, format!("example {name}: {e}")))
}

/// Every project field's wizard step, default and example (the engine's schema: the UI's placeholders and the
/// step a problem belongs to come from here).
#[tauri::command]
pub fn field_schema() -> Vec<FieldInfo> {
    schema::fields()
}

/// A new random KRaft cluster id (the UI puts it into `kraft.cluster_id`; saved with the project).
#[tauri::command]
pub fn new_cluster_id() -> String {
    checks::new_cluster_id().as_str().to_string()
}

/// The project named on the command line (`kafka-wizard-app cluster.toml`, a file manager's "Open with", the
/// .desktop file's `%f`), opened at start. Flags (`--…`) are skipped; a relative path is taken from where the
/// user started the app — `$OWD` inside an AppImage, whose runtime changes the working directory.
#[tauri::command]
pub fn startup_project() -> Option<String> {
    let arg = first_operand(std::env::args_os().skip(1))?;
    crate::paths::user_path(&arg).ok().map(|p| p.to_string_lossy().into_owned())
}

/// The first argument that is not a flag (`--automation` and the like are skipped).
pub fn first_operand(args: impl IntoIterator<Item = std::ffi::OsString>) -> Option<String> {
    args.into_iter().map(|a| a.to_string_lossy().into_owned()).find(|a| !a.is_empty() && !a.starts_with('-'))
}

#[tauri::command]
pub fn recent_projects<R: Runtime>(app: AppHandle<R>) -> Vec<String> {
    recent_dir(&app).map(|d| recent::load(&d)).unwrap_or_default()
}

pub(crate) fn absolute(path: &str) -> AppResult<PathBuf> {
    let trimmed = path.trim();
    if trimmed.is_empty() {
        return Err(AppError::new(ErrorCode::Io, "enter a file path"));
    }
    crate::paths::user_path(trimmed).map_err(|e| AppError::new(ErrorCode::Io, format!("{trimmed}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_project_reads_back_as_the_same_draft() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        let (draft, _) =
            read_project(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/seed-cluster.toml"))).unwrap();
        write_project(&path, &draft, false).unwrap();
        let (again, problems) = read_project(&path).unwrap();
        assert_eq!(again, draft);
        assert!(problems.iter().all(|p| !p.is_error()), "{problems:?}");
    }

    #[test]
    fn saving_an_edited_example_keeps_its_comments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        let original =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/seed-cluster.toml")).unwrap();
        std::fs::write(&path, &original).unwrap();
        let (mut draft, _) = read_project(&path).unwrap();
        draft.name = Some("renamed".into());
        write_project(&path, &draft, false).unwrap();
        let saved = std::fs::read_to_string(&path).unwrap();
        let first_comment = original.lines().next().unwrap();
        assert!(first_comment.starts_with('#') && saved.starts_with(first_comment), "{saved}");
        assert_eq!(saved.replace("name = \"renamed\"", "name = \"peter-kafka\""), original);
    }

    #[test]
    fn saving_a_security_edit_over_a_file_keeps_its_comments_and_reads_back_as_the_draft() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        let original =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/kraft-secure.toml"))
                .unwrap();
        std::fs::write(&path, &original).unwrap();
        let (mut draft, _) = read_project(&path).unwrap();
        let security = draft.security.as_mut().unwrap();
        security.users = Some(vec!["orders-app".into(), "billing".into()]);
        security.acls[0].operations = Some(vec!["write".into()]);
        security.acls.push(kafka_wizard::project::draft::AclDraft {
            user: Some("billing".into()),
            resource: Some("group".into()),
            name: Some("billing-".into()),
            pattern: Some("prefixed".into()),
            operations: Some(vec!["read".into()]),
        });
        write_project(&path, &draft, false).unwrap();
        let saved = std::fs::read_to_string(&path).unwrap();
        assert!(saved.starts_with(original.lines().next().unwrap()), "the header comment stays:\n{saved}");
        let first_acl = saved.find("name = \"orders\"").unwrap();
        assert!(saved.find("name = \"billing-\"").is_some_and(|new| new > first_acl), "appended:\n{saved}");
        let (again, problems) = read_project(&path).unwrap();
        assert_eq!(again, draft);
        assert!(problems.iter().all(|p| !p.is_error()), "{problems:?}");
    }

    #[test]
    fn a_jump_host_ssh_config_and_a_hosts_no_jump_are_saved_over_the_example_and_read_back_unchanged() {
        use kafka_wizard::project::draft::SshDraft;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/seed-cluster.toml"), &path).unwrap();
        let (mut draft, _) = read_project(&path).unwrap();
        let ssh = &mut draft.ssh;
        ssh.jump = Some("ops@bastion.example.com:2222".into());
        ssh.use_ssh_config = Some(true);
        draft.hosts[1].ssh =
            Some(SshDraft { jump: Some("none".into()), use_ssh_config: Some(false), ..SshDraft::default() });
        write_project(&path, &draft, false).unwrap();
        let (again, problems) = read_project(&path).unwrap();
        assert_eq!(again, draft);
        assert!(problems.iter().all(|p| !p.is_error()), "{problems:?}");

        draft.hosts[2].ssh = Some(SshDraft { jump: Some("ops@bastion:2o".into()), ..SshDraft::default() });
        let problems = validate_project(draft);
        assert!(problems.iter().any(|p| p.is_error() && p.field == "hosts[2].ssh.jump"), "{problems:?}");
    }

    #[test]
    fn save_as_over_a_file_that_is_not_a_project_asks_first_and_then_replaces_it_without_merging() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.toml");
        std::fs::write(&path, "[package]\nname = \"mine\"\n").unwrap();
        let (draft, _) =
            read_project(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/seed-cluster.toml"))).unwrap();
        let err = write_project(&path, &draft, false).unwrap_err();
        assert_eq!(err.code, ErrorCode::NotAProjectFile, "{}", err.message);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "[package]\nname = \"mine\"\n");
        write_project(&path, &draft, true).unwrap();
        let saved = std::fs::read_to_string(&path).unwrap();
        assert!(!saved.contains("[package]"), "{saved}");
        assert_eq!(read_project(&path).unwrap().0, draft);
    }

    #[test]
    fn the_first_argument_that_is_not_a_flag_is_the_project_to_open() {
        let args = |v: &[&str]| v.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        assert_eq!(first_operand(args(&["--automation", "prod.toml"])).as_deref(), Some("prod.toml"));
        assert_eq!(first_operand(args(&["/etc/kafka/p.toml", "other.toml"])).as_deref(), Some("/etc/kafka/p.toml"));
        assert_eq!(first_operand(args(&["--automation"])), None);
        assert_eq!(first_operand(args(&[])), None);
    }

    #[test]
    fn every_shipped_example_opens_as_a_valid_project() {
        for (name, _) in EXAMPLES {
            let draft = example_project(name.to_string()).unwrap();
            let problems = validate_project(draft);
            assert!(problems.iter().all(|p| !p.is_error()), "{name}: {problems:?}");
        }
        assert_eq!(example_project("nope".into()).unwrap_err().code, ErrorCode::Io);
    }

    #[test]
    fn a_new_project_names_the_newest_release_and_asks_for_hosts() {
        let problems = validate_project(new_project());
        assert!(problems.iter().any(|p| p.is_error() && p.field.starts_with("hosts")), "{problems:?}");
        assert!(!problems.iter().any(|p| p.field == "kafka.version"), "{problems:?}");
    }

    #[test]
    fn this_machine_is_a_valid_one_node_kraft_project_on_the_local_connection() {
        let draft = this_machine_project();
        let problems = validate_project(draft.clone());
        assert!(problems.iter().all(|p| !p.is_error()), "{problems:?}");
        assert!(problems.iter().any(|p| p.message.contains("a single broker")), "{problems:?}");
        assert_eq!(draft.hosts.len(), 1);
        assert_eq!(draft.hosts[0].connection.as_deref(), Some("local"));
        assert_eq!(draft.kafka.mode.as_deref(), Some("kraft"));
        assert!(draft.kraft.and_then(|k| k.cluster_id).is_some());
    }

    #[test]
    fn a_file_with_a_misspelt_key_is_refused_with_the_parse_code() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "format = 1\nname = \"x\"\n[kafka]\nversoin = \"3.9.1\"\n").unwrap();
        let err = read_project(&path).unwrap_err();
        assert_eq!(err.code, ErrorCode::Parse);
        assert!(err.message.contains("kafka.versoin"), "{}", err.message);
    }
}
