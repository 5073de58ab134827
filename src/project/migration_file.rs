//! The project file at a migration's end (`apply::migrate`): rewritten to KRaft mode once the migration was
//! finalized (the CLI's `migrate --finalize`, the app's Finalize migration), or rid of its KRaft controllers once it
//! was rolled back (`migrate --rollback`). Each result is checked valid before it is written, atomically; comments,
//! order and formatting of everything else are kept.

use super::draft;
use super::file::write_atomically;
use super::validate::validate;
use std::io;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The project text of a cluster whose migration to KRaft was finalized (`apply::migrate`): `kafka.mode = "kraft"`,
/// `kraft.cluster_id` the running cluster's id, no `[zookeeper]` section, "zookeeper" taken out of every host's
/// roles (with its `zookeeper_id`) and a host left without a role dropped — comments and formatting of everything
/// else kept. Returns the text and the names of the hosts dropped; None when the text is not a project.
pub fn rewrite_as_kraft(text: &str, cluster_id: &str) -> Option<(String, Vec<String>)> {
    let mut doc: toml_edit::DocumentMut = text.parse().ok()?;
    doc.get_mut("kafka")?.as_table_like_mut()?.insert("mode", toml_edit::value("kraft"));
    if !doc.contains_key("kraft") {
        doc["kraft"] = toml_edit::table();
    }
    doc["kraft"]["cluster_id"] = toml_edit::value(cluster_id);
    doc.remove("zookeeper");
    let hosts = doc.get_mut("hosts")?.as_array_of_tables_mut()?;
    let dropped = take_role(hosts, "zookeeper", |host, _| {
        host.remove("zookeeper_id");
    });
    Some((doc.to_string(), dropped))
}

/// Takes `role` out of every host's roles, then lets `forget` remove what went with it (told whether the host had
/// the role), and drops a host left without a role; returns the names of the hosts dropped.
fn take_role(
    hosts: &mut toml_edit::ArrayOfTables,
    role: &str,
    forget: impl Fn(&mut toml_edit::Table, bool),
) -> Vec<String> {
    let mut dropped = Vec::new();
    let mut keep = Vec::new();
    for host in hosts.iter_mut() {
        let (mut had, mut left) = (false, 0);
        if let Some(roles) = host.get_mut("roles").and_then(|r| r.as_array_mut()) {
            let before = roles.len();
            roles.retain(|r| r.as_str() != Some(role));
            (had, left) = (roles.len() < before, roles.len());
        }
        forget(host, had);
        if left == 0 {
            dropped.push(host.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_string());
        }
        keep.push(left > 0);
    }
    let mut index = 0;
    hosts.retain(|_| {
        index += 1;
        keep[index - 1]
    });
    dropped
}

/// What [`rewrite_file_as_kraft`] did: the hosts that left the project (ZooKeeper was their only role), and whether
/// the file changed (false when it already said KRaft mode with that id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KraftRewrite {
    pub dropped: Vec<String>,
    pub changed: bool,
}

/// The project file of a finalized migration could not be rewritten: its message names the file, why and what to
/// set by hand.
#[derive(Debug, Error)]
#[error(
    "the migration is finalized, but {} could not be rewritten to KRaft mode: {why} — set kafka.mode = \"kraft\" \
     and kraft.cluster_id = \"{cluster_id}\", remove [zookeeper] and the role \"zookeeper\" yourself",
    path.display()
)]
pub struct KraftRewriteError {
    pub path: PathBuf,
    pub cluster_id: String,
    pub why: KraftRewriteFailure,
}

#[derive(Debug, Error)]
pub enum KraftRewriteFailure {
    #[error("cannot read it: {0}")]
    Read(io::Error),
    #[error("it is not a project file any more")]
    NotAProject,
    #[error("the rewritten file would be invalid: {}", .0.join("; "))]
    Invalid(Vec<String>),
    #[error("cannot write it: {0}")]
    Write(io::Error),
}

/// Rewrites the project file at `path` to KRaft mode after its migration was finalized ([`rewrite_as_kraft`]):
/// the result is checked valid before it is written (atomically, [`write_atomically`]); an invalid result leaves
/// the file as it was.
pub fn rewrite_file_as_kraft(path: &Path, cluster_id: &str) -> Result<KraftRewrite, KraftRewriteError> {
    let failed = |why| KraftRewriteError { path: path.to_path_buf(), cluster_id: cluster_id.to_string(), why };
    checked_rewrite(path, |text| rewrite_as_kraft(text, cluster_id)).map_err(failed)
}

/// The project text of a cluster whose migration to KRaft was rolled back: "controller" taken out of every host's
/// roles (with the controller's `id`, since no broker shares a host with a migration's controller), a host left
/// without a role dropped, and the `[kraft]` section (the controllers' port) removed. Returns the text and the
/// names of the hosts dropped; None when the text is not a project.
pub fn without_controllers(text: &str) -> Option<(String, Vec<String>)> {
    let mut doc: toml_edit::DocumentMut = text.parse().ok()?;
    doc.remove("kraft");
    let hosts = doc.get_mut("hosts")?.as_array_of_tables_mut()?;
    let dropped = take_role(hosts, "controller", |host, had| {
        let broker = host
            .get("roles")
            .and_then(|r| r.as_array())
            .is_some_and(|r| r.iter().any(|r| r.as_str() == Some("broker")));
        if had && !broker {
            host.remove("id");
        }
    });
    Some((doc.to_string(), dropped))
}

/// The project file of a rolled-back migration could not be rewritten: its message names the file, why and what
/// to change by hand.
#[derive(Debug, Error)]
#[error(
    "the migration was rolled back, but {} could not be rewritten: {why} — remove the hosts whose only role is \
     \"controller\", that role from the others, and the [kraft] section yourself",
    path.display()
)]
pub struct RollbackRewriteError {
    pub path: PathBuf,
    pub why: KraftRewriteFailure,
}

/// Removes the controllers from the project file at `path` after its migration was rolled back
/// ([`without_controllers`]), checked and written like [`rewrite_file_as_kraft`]: the hosts dropped, whether it
/// changed.
pub fn rewrite_file_without_controllers(path: &Path) -> Result<KraftRewrite, RollbackRewriteError> {
    let failed = |why| RollbackRewriteError { path: path.to_path_buf(), why };
    checked_rewrite(path, without_controllers).map_err(failed)
}

/// Reads `path`, rewrites it, checks the result is a valid project and writes it when it differs.
fn checked_rewrite(
    path: &Path,
    rewrite: impl Fn(&str) -> Option<(String, Vec<String>)>,
) -> Result<KraftRewrite, KraftRewriteFailure> {
    let text = std::fs::read_to_string(path).map_err(KraftRewriteFailure::Read)?;
    let (after, dropped) = rewrite(&text).ok_or(KraftRewriteFailure::NotAProject)?;
    let draft = draft::parse(&after).map_err(|_| KraftRewriteFailure::NotAProject)?;
    let validation = validate(&draft);
    if validation.spec.is_none() {
        return Err(KraftRewriteFailure::Invalid(validation.errors().map(|p| p.to_string()).collect()));
    }
    let changed = text != after;
    if changed {
        write_atomically(path, &after).map_err(KraftRewriteFailure::Write)?;
    }
    Ok(KraftRewrite { dropped, changed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::load;

    const MIGRATING: &str = include_str!("../../tests/fixtures/zookeeper-migrating.toml");

    #[test]
    fn a_finalized_migrations_file_is_rewritten_to_a_valid_kraft_project_with_the_clusters_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("migrating.toml");
        std::fs::write(&path, MIGRATING).unwrap();
        let done = rewrite_file_as_kraft(&path, "MkU3OEVBNTcwNTJENDM2Qk").unwrap();
        assert_eq!(done, KraftRewrite { dropped: vec![], changed: true });
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.draft.kafka.mode.as_deref(), Some("kraft"));
        assert_eq!(loaded.draft.kraft.unwrap().cluster_id.as_deref(), Some("MkU3OEVBNTcwNTJENDM2Qk"));
        assert!(loaded.draft.zookeeper.is_none());
        // a second run finds it done and writes nothing
        assert!(!rewrite_file_as_kraft(&path, "MkU3OEVBNTcwNTJENDM2Qk").unwrap().changed);
    }

    #[test]
    fn a_file_that_cannot_be_rewritten_is_left_alone_and_the_error_says_what_to_set_by_hand() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken.toml");
        std::fs::write(&path, "format = 1\n[kafka]\nmode = \"zookeeper\"\n").unwrap();
        let e = rewrite_file_as_kraft(&path, "MkU3OEVBNTcwNTJENDM2Qk").unwrap_err();
        assert!(matches!(e.why, KraftRewriteFailure::NotAProject), "{e}");
        let message = e.to_string();
        assert!(
            message.contains("broken.toml") && message.contains("kraft.cluster_id = \"MkU3OEVBNTcwNTJENDM2Qk\""),
            "{message}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "format = 1\n[kafka]\nmode = \"zookeeper\"\n");
    }

    #[test]
    fn a_rolled_back_migrations_file_loses_its_controllers_and_stays_a_valid_zookeeper_project() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("migrating.toml");
        // the fixture's controllers sit beside the ensemble members; one more on a host of its own
        let dedicated = "\n[[hosts]]\nname = \"ctl4\"\naddress = \"10.0.2.31\"\nroles = [\"controller\"]\nid = 104\n";
        std::fs::write(&path, format!("{MIGRATING}{dedicated}")).unwrap();
        let done = rewrite_file_without_controllers(&path).unwrap();
        assert_eq!(done, KraftRewrite { dropped: vec!["ctl4".into()], changed: true });
        let loaded = load(&path).unwrap();
        assert!(loaded.draft.hosts.iter().all(|h| !h.roles.iter().any(|r| r == "controller")));
        let members: Vec<_> = loaded.draft.hosts.iter().filter(|h| h.roles == ["zookeeper"]).collect();
        assert!(
            members.len() == 3 && members.iter().all(|h| h.id.is_none()),
            "the controllers' ids went with the role"
        );
        assert!(loaded.draft.kraft.is_none());
        assert_eq!(loaded.draft.kafka.mode.as_deref(), Some("zookeeper"));
        let spec = loaded.validation.spec.expect("valid");
        assert!(spec.migration().is_none());
        // the comments are kept, and a second run finds it done
        assert!(std::fs::read_to_string(&path).unwrap().starts_with(MIGRATING.lines().next().unwrap()));
        assert!(!rewrite_file_without_controllers(&path).unwrap().changed);
    }
}
