//! Project files on disk: loading (read → parse → validate), the one edit the engine makes itself — saving a
//! freshly generated KRaft cluster id, so it is generated once and kept — and saving an edited draft over the
//! user's own file (the desktop app's Save); the rewrites at a migration's end live in `migration_file.rs` (used
//! from here). All keep the file's comments, order and formatting.

use super::checks;
use super::draft::{self, ParseError, ProjectDraft};
use super::spec::ClusterId;
use super::validate::{validate, Validation};
use std::io;
use std::path::{Path, PathBuf};
use thiserror::Error;

pub use super::migration_file::{
    rewrite_as_kraft, rewrite_file_as_kraft, rewrite_file_without_controllers, without_controllers, KraftRewrite,
    KraftRewriteError, KraftRewriteFailure, RollbackRewriteError,
};

#[derive(Debug, Error)]
pub enum LoadError {
    #[error("cannot read project file {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("{path}: {source}")]
    Parse { path: PathBuf, source: ParseError },
    #[error("cannot save the new cluster id into {path}: {source}")]
    Save { path: PathBuf, source: io::Error },
}

/// A project file read from disk, with its validation.
#[derive(Debug)]
pub struct LoadedProject {
    pub path: PathBuf,
    pub text: String,
    pub draft: ProjectDraft,
    pub validation: Validation,
}

pub fn load(path: &Path) -> Result<LoadedProject, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read { path: path.to_owned(), source })?;
    let draft = draft::parse(&text).map_err(|source| LoadError::Parse { path: path.to_owned(), source })?;
    let validation = validate(&draft);
    Ok(LoadedProject { path: path.to_owned(), text, draft, validation })
}

/// What [`ensure_cluster_id`] saved into the project file.
#[derive(Debug, Default)]
pub struct Saved {
    /// `kraft.cluster_id`, generated.
    pub cluster_id: Option<ClusterId>,
    /// `kraft.bootstrap_controllers` of a dynamic quorum: the project's controllers now.
    pub bootstrap_controllers: Option<Vec<u32>>,
}

/// For a valid KRaft project without `kraft.cluster_id`: generates one; for a dynamic quorum without
/// `kraft.bootstrap_controllers`: its controllers now (docs/facts/kafka.md §36) — written into the file, which is
/// reloaded. Returns what was saved; other projects are returned unchanged.
pub fn ensure_cluster_id(project: LoadedProject) -> Result<(LoadedProject, Saved), LoadError> {
    let Some(spec) = project.validation.spec.as_ref() else { return Ok((project, Saved::default())) };
    let super::spec::Coordination::Kraft(k) = &spec.coordination else { return Ok((project, Saved::default())) };
    let cluster_id = k.cluster_id.is_none().then(checks::new_cluster_id);
    let bootstrap_controllers =
        (k.quorum == super::spec::Quorum::Dynamic && k.bootstrap_controllers.is_none()).then(|| {
            let mut ids: Vec<u32> = spec.controllers().filter_map(|h| h.node_id).collect();
            ids.sort();
            ids
        });
    if cluster_id.is_none() && bootstrap_controllers.is_none() {
        return Ok((project, Saved::default()));
    }
    let mut text = project.text.clone();
    if let Some(id) = &cluster_id {
        text = with_cluster_id(&text, id);
    }
    if let Some(ids) = &bootstrap_controllers {
        text = with_bootstrap_controllers(&text, ids);
    }
    let path = project.path;
    write_atomically(&path, &text).map_err(|source| LoadError::Save { path: path.clone(), source })?;
    Ok((load(&path)?, Saved { cluster_id, bootstrap_controllers }))
}

/// The project text with `kraft.cluster_id` set, everything else untouched.
pub fn with_cluster_id(text: &str, id: &ClusterId) -> String {
    let mut doc: toml_edit::DocumentMut = text.parse().expect("the text already parsed as TOML");
    if !doc.contains_key("kraft") {
        doc["kraft"] = toml_edit::table();
    }
    doc["kraft"]["cluster_id"] = toml_edit::value(id.as_str());
    doc.to_string()
}

/// The project text with `kraft.bootstrap_controllers` set to `ids`, everything else untouched.
pub fn with_bootstrap_controllers(text: &str, ids: &[u32]) -> String {
    let mut doc: toml_edit::DocumentMut = text.parse().expect("the text already parsed as TOML");
    if !doc.contains_key("kraft") {
        doc["kraft"] = toml_edit::table();
    }
    doc["kraft"]["bootstrap_controllers"] =
        toml_edit::value(ids.iter().map(|&id| i64::from(id)).collect::<toml_edit::Array>());
    doc.to_string()
}

/// The project text without controller `id` in `kraft.bootstrap_controllers` (a removed controller); when it was
/// the last one listed, the list becomes `remaining` (the controllers left). Unchanged when the key is absent or does
/// not list `id`.
pub fn without_bootstrap_controller(text: &str, id: u32, remaining: &[u32]) -> String {
    let Ok(mut doc) = text.parse::<toml_edit::DocumentMut>() else { return text.to_string() };
    let Some(list) =
        doc.get_mut("kraft").and_then(|k| k.get_mut("bootstrap_controllers")).and_then(|l| l.as_array_mut())
    else {
        return text.to_string();
    };
    let before = list.len();
    list.retain(|v| v.as_integer() != Some(i64::from(id)));
    if list.len() == before {
        return text.to_string();
    }
    if list.is_empty() {
        return with_bootstrap_controllers(&doc.to_string(), remaining);
    }
    doc.to_string()
}

/// The project text without host `name`'s broker role (a decommission): its whole `[[hosts]]` table when
/// `broker` was its only role, else `"broker"` taken out of its `roles` (with its `id` and `rack` when no controller
/// role is left) — comments and formatting of everything else kept. None when no host has that name.
pub fn without_broker(text: &str, name: &str) -> Option<String> {
    let mut doc: toml_edit::DocumentMut = text.parse().ok()?;
    let hosts = doc.get_mut("hosts")?.as_array_of_tables_mut()?;
    let index = hosts.iter().position(|h| h.get("name").and_then(|n| n.as_str()) == Some(name))?;
    let host = hosts.get_mut(index)?;
    let roles = host.get_mut("roles").and_then(|r| r.as_array_mut());
    let others = match roles {
        Some(roles) => {
            roles.retain(|r| r.as_str() != Some("broker"));
            roles.iter().filter_map(|r| r.as_str().map(str::to_string)).collect::<Vec<_>>()
        }
        None => Vec::new(),
    };
    if others.is_empty() {
        hosts.remove(index);
    } else {
        if !others.iter().any(|r| r == "controller") {
            host.remove("id");
        }
        host.remove("rack");
    }
    Some(doc.to_string())
}

/// The project text without host `name`'s whole `[[hosts]]` table (a removed controller), comments and formatting
/// of everything else kept. None when no host has that name.
pub fn without_host(text: &str, name: &str) -> Option<String> {
    let mut doc: toml_edit::DocumentMut = text.parse().ok()?;
    let hosts = doc.get_mut("hosts")?.as_array_of_tables_mut()?;
    let index = hosts.iter().position(|h| h.get("name").and_then(|n| n.as_str()) == Some(name))?;
    hosts.remove(index);
    Some(doc.to_string())
}

/// The text to save for `draft` over a file that held `original`: the original document with every value the draft
/// changed replaced, keys the draft dropped removed and new keys appended — so comments, key order and formatting of
/// everything unchanged survive. Falls back to a freshly written file when `original` is not TOML.
pub fn merge_into(original: &str, draft: &ProjectDraft) -> String {
    let fresh = draft::to_toml(draft);
    let (Ok(mut doc), Ok(new)) = (original.parse::<toml_edit::DocumentMut>(), fresh.parse::<toml_edit::DocumentMut>())
    else {
        return fresh;
    };
    merge_table_like(doc.as_table_mut(), new.as_table());
    doc.to_string()
}

fn merge_table_like(old: &mut dyn toml_edit::TableLike, new: &dyn toml_edit::TableLike) {
    let dropped: Vec<String> = old.iter().map(|(k, _)| k.to_string()).filter(|k| !new.contains_key(k)).collect();
    for key in dropped {
        old.remove(&key);
    }
    for (key, new_item) in new.iter() {
        match old.get_mut(key) {
            Some(old_item) => merge_item(old_item, new_item),
            None => {
                old.insert(key, detached(new_item));
            }
        }
    }
}

fn merge_item(old: &mut toml_edit::Item, new: &toml_edit::Item) {
    use toml_edit::Item;
    if let (Some(old_array), Some(new_array)) = (old.as_array_of_tables_mut(), new.as_array_of_tables()) {
        // Elements pair up by position: hosts keep their comments as long as they stay in place.
        let kept = old_array.len().min(new_array.len());
        while old_array.len() > new_array.len() {
            old_array.remove(old_array.len() - 1);
        }
        for (i, new_table) in new_array.iter().enumerate() {
            if i < kept {
                merge_table_like(old_array.get_mut(i).expect("index below len"), new_table);
            } else {
                old_array.push(detached_table(new_table));
            }
        }
        return;
    }
    let both_tables = old.is_table_like() && new.is_table_like() && !old.is_array_of_tables();
    if both_tables {
        let old_table = old.as_table_like_mut().expect("checked table-like");
        merge_table_like(old_table, new.as_table_like().expect("checked table-like"));
        return;
    }
    match (old.as_value(), new.as_value()) {
        (Some(old_value), Some(new_value)) if same_value(old_value, new_value) => {}
        (Some(old_value), Some(new_value)) => {
            let mut replacement = new_value.clone();
            *replacement.decor_mut() = old_value.decor().clone();
            *old = Item::Value(replacement);
        }
        _ => *old = detached(new),
    }
}

/// A copy of an item from the freshly written document without its tables' document positions, so toml_edit
/// places each new table right after its neighbours in the user's file rather than by the fresh file's numbering.
fn detached(item: &toml_edit::Item) -> toml_edit::Item {
    use toml_edit::Item;
    match item {
        Item::Table(t) => Item::Table(detached_table(t)),
        Item::ArrayOfTables(a) => {
            let mut copy = toml_edit::ArrayOfTables::new();
            for t in a.iter() {
                copy.push(detached_table(t));
            }
            Item::ArrayOfTables(copy)
        }
        other => other.clone(),
    }
}

fn detached_table(table: &toml_edit::Table) -> toml_edit::Table {
    let mut copy = toml_edit::Table::new();
    copy.set_implicit(table.is_implicit());
    copy.set_dotted(table.is_dotted());
    for (key, item) in table.iter() {
        copy.insert(key, detached(item));
    }
    copy
}

/// Equal as TOML data, whatever the spelling (`'a'` and `"a"`, `1_000` and `1000`).
fn same_value(a: &toml_edit::Value, b: &toml_edit::Value) -> bool {
    let data = |v: &toml_edit::Value| {
        let mut v = v.clone();
        v.decor_mut().clear();
        toml::from_str::<toml::Table>(&format!("v = {v}")).ok()
    };
    data(a).is_some_and(|a| Some(a) == data(b))
}

/// Writes through a new, randomly named temporary file in the target's directory (created with `O_EXCL`, so a
/// planted file or symlink there is never written through) and renames it over the target: readers see the old
/// file or the new one, never half of it. An existing file's mode is kept (a new one gets 0666 less the umask); a
/// symlink at the target is replaced, not followed.
pub fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)?;
    if let Some(meta) = std::fs::symlink_metadata(path).ok().filter(|m| m.is_file()) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map(drop).map_err(|e| e.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_keeps_the_mode_and_never_writes_through_a_planted_temp_name_or_symlink() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        // the name the old code used: a symlink planted there must not be written through
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join(format!(".p.toml.tmp-{}", std::process::id()))).unwrap();
        write_atomically(&path, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        // a symlink at the target is replaced by the file, its target untouched
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        write_atomically(&link, "saved").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_file());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        // nothing else is left in the folder
        let mut names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        names.sort();
        assert_eq!(
            names,
            [format!(".p.toml.tmp-{}", std::process::id()), "link.toml".into(), "p.toml".into(), "victim".into()]
        );
    }

    #[test]
    fn saving_a_cluster_id_keeps_comments_and_other_keys() {
        let text = "# my cluster\nformat = 1\nname = \"k\" # inline\n\n[kafka]\nversion = \"4.1.0\"\n";
        let id = checks::new_cluster_id();
        let out = with_cluster_id(text, &id);
        assert!(out.starts_with("# my cluster\nformat = 1\nname = \"k\" # inline\n"));
        assert!(out.contains(&format!("[kraft]\ncluster_id = \"{}\"", id.as_str())));
        let again = with_cluster_id(&out, &id);
        assert_eq!(again.matches("cluster_id").count(), 1);
    }

    const COMMENTED: &str = "# The guide's cluster.\nformat = 1\nname = 'peter-kafka' # the chroot follows it\n\n[kafka]\nversion = \"3.9.1\"\ndata_dirs = [\"/data1\", \"/data2\"] # two disks\n\n# ZooKeeper ensemble first\n[[hosts]]\nname = \"zk1\"\nroles = [\"zookeeper\"]\nzookeeper_id = 1\n\n[[hosts]]\nname = \"k1\" # first broker\nroles = [\"broker\"]\nid = 1\nssh = { user = \"ops\" }\n";

    #[test]
    fn saving_an_unchanged_draft_gives_back_the_file_byte_for_byte() {
        let draft = draft::parse(COMMENTED).unwrap();
        assert_eq!(merge_into(COMMENTED, &draft), COMMENTED);
    }

    #[test]
    fn saving_an_edited_draft_keeps_comments_and_changes_only_what_changed() {
        let mut draft = draft::parse(COMMENTED).unwrap();
        draft.hosts[1].id = Some(7);
        draft.kafka.data_dirs = Some(vec!["/data1".into()]);
        draft.hosts[1].ssh.as_mut().unwrap().port = Some(2222);
        draft.hosts.push(draft::HostDraft {
            name: "k2".into(),
            roles: vec!["broker".into()],
            id: Some(8),
            ..Default::default()
        });
        let out = merge_into(COMMENTED, &draft);
        for kept in [
            "# The guide's cluster.",
            "name = 'peter-kafka' # the chroot follows it",
            "# ZooKeeper ensemble first",
            "name = \"k1\" # first broker",
            "data_dirs = [\"/data1\"] # two disks",
        ] {
            assert!(out.contains(kept), "lost {kept:?}:\n{out}");
        }
        assert!(out.contains("id = 7") && out.contains("port = 2222") && out.contains("name = \"k2\""), "{out}");
        assert_eq!(draft::parse(&out).unwrap(), draft, "{out}");
    }

    #[test]
    fn saving_a_draft_with_fewer_hosts_drops_the_last_ones_and_emptied_keys() {
        let mut draft = draft::parse(COMMENTED).unwrap();
        draft.hosts.truncate(1);
        draft.kafka.data_dirs = None;
        let out = merge_into(COMMENTED, &draft);
        assert!(!out.contains("\"k1\"") && !out.contains("data_dirs"), "{out}");
        assert!(out.contains("# The guide's cluster."), "{out}");
        assert_eq!(draft::parse(&out).unwrap(), draft, "{out}");
    }

    #[test]
    fn saving_over_a_file_that_is_not_toml_writes_a_fresh_file() {
        let draft = draft::parse(COMMENTED).unwrap();
        assert_eq!(merge_into("this is [not toml", &draft), draft::to_toml(&draft));
    }

    #[test]
    fn a_decommissioned_broker_leaves_the_file_with_every_other_comment_kept() {
        let text = "format = 1 # ours\n\n[[hosts]]\nname = \"a\" # first\nroles = [\"broker\"]\nid = 1\n\n\
                    # the new one\n[[hosts]]\nname = \"b\"\nroles = [\"broker\"]\nid = 2\n\n\
                    [[hosts]]\nname = \"z\" # keeper\nroles = [\"zookeeper\", \"broker\"]\nid = 3\nrack = \"r\"\n";
        let out = without_broker(text, "b").unwrap();
        assert_eq!(
            out,
            "format = 1 # ours\n\n[[hosts]]\nname = \"a\" # first\nroles = [\"broker\"]\nid = 1\n\n\
             [[hosts]]\nname = \"z\" # keeper\nroles = [\"zookeeper\", \"broker\"]\nid = 3\nrack = \"r\"\n"
        );
        let out = without_broker(&out, "z").unwrap();
        assert!(out.ends_with("[[hosts]]\nname = \"z\" # keeper\nroles = [\"zookeeper\"]\n"), "{out}");
        assert_eq!(without_broker(text, "nobody"), None);
    }

    #[test]
    fn a_dynamic_quorums_controllers_are_saved_as_its_bootstrap_controllers_and_a_removed_one_leaves_the_list() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        let fixture = include_str!("../../tests/fixtures/kraft-dynamic.toml");
        std::fs::write(&path, format!("# mine\n{}", fixture.replace("cluster_id = \"MkU3OEVBNTcwNTJENDM2Qk\"\n", "")))
            .unwrap();
        let (loaded, saved) = ensure_cluster_id(load(&path).unwrap()).unwrap();
        assert!(saved.cluster_id.is_some());
        assert_eq!(saved.bootstrap_controllers, Some(vec![11, 12, 13]));
        assert!(loaded.text.starts_with("# mine\n") && loaded.text.contains("bootstrap_controllers = [11, 12, 13]"));
        let super::super::spec::Coordination::Kraft(k) = &loaded.validation.spec.as_ref().unwrap().coordination else {
            panic!()
        };
        assert_eq!(k.bootstrap_controllers, Some(vec![11, 12, 13]));
        // saved once: a second load changes nothing
        let (_, again) = ensure_cluster_id(load(&path).unwrap()).unwrap();
        assert!(again.cluster_id.is_none() && again.bootstrap_controllers.is_none());
        // a static quorum has none
        std::fs::write(&path, fixture.replace("quorum = \"dynamic\"\n", "")).unwrap();
        assert!(ensure_cluster_id(load(&path).unwrap()).unwrap().1.bootstrap_controllers.is_none());

        let text = with_bootstrap_controllers(fixture, &[11, 12]);
        assert!(without_bootstrap_controller(&text, 12, &[11, 13]).contains("bootstrap_controllers = [11]"));
        assert!(without_bootstrap_controller(&text, 13, &[11, 12]).contains("bootstrap_controllers = [11, 12]"));
        let last = without_bootstrap_controller(&with_bootstrap_controllers(fixture, &[11]), 11, &[12, 13]);
        assert!(last.contains("bootstrap_controllers = [12, 13]"), "the last one out: the controllers left: {last}");
        assert_eq!(without_bootstrap_controller(fixture, 11, &[12, 13]), fixture, "no key: unchanged");
    }

    #[test]
    fn bootstrap_controllers_must_be_a_dynamic_quorums_own_controllers() {
        let fixture = include_str!("../../tests/fixtures/kraft-dynamic.toml");
        let problem = |list: &str, quorum: &str| {
            let text = fixture.replace("quorum = \"dynamic\"\n", &format!("{quorum}bootstrap_controllers = {list}\n"));
            let v = validate(&draft::parse(&text).unwrap());
            let found = v.errors().find(|p| p.field == "kraft.bootstrap_controllers").map(|p| p.to_string());
            found
        };
        let dynamic = "quorum = \"dynamic\"\n";
        assert_eq!(problem("[13, 11]", dynamic), None);
        assert!(problem("[11, 1]", dynamic).unwrap().contains("1 is not a controller of the project"));
        assert!(problem("[11, 99]", dynamic).unwrap().contains("decommission --controller"));
        assert!(problem("[11, 11]", dynamic).unwrap().contains("twice"));
        assert!(problem("[]", dynamic).unwrap().contains("is empty"));
        assert!(problem("[11]", "").unwrap().contains("only a dynamic quorum"));
    }
}
