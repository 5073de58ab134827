//! Recent projects: a short most-recent-first list of project file paths, kept as JSON in the app's config
//! directory. Pure list logic plus a load/save pair.

use std::path::{Path, PathBuf};

/// How many recent projects are remembered.
pub const LIMIT: usize = 8;
pub const FILE_NAME: &str = "recent-projects.json";

/// `path` moved (or added) to the front; duplicates removed; at most [`LIMIT`].
pub fn remember(list: &[String], path: &str) -> Vec<String> {
    let mut out = vec![path.to_string()];
    out.extend(list.iter().filter(|p| *p != path).cloned());
    out.truncate(LIMIT);
    out
}

pub fn load(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join(FILE_NAME)).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

pub fn save(dir: &Path, list: &[String]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let text = serde_json::to_string_pretty(list).expect("a list of strings serialises");
    kafka_wizard::project::file::write_atomically(&dir.join(FILE_NAME), &text)
}

/// Adds `path` to the list stored in `dir` (best effort: a failure only loses the recent entry).
pub fn add(dir: Option<PathBuf>, path: &Path) -> Vec<String> {
    let Some(dir) = dir else { return Vec::new() };
    let list = remember(&load(&dir), &path.to_string_lossy());
    let _ = save(&dir, &list);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reopening_a_project_moves_it_to_the_front_without_duplicates() {
        let list = remember(&["a".into(), "b".into(), "c".into()], "b");
        assert_eq!(list, vec!["b", "a", "c"]);
    }

    #[test]
    fn the_list_keeps_only_the_newest_entries() {
        let mut list = Vec::new();
        for i in 0..20 {
            list = remember(&list, &format!("p{i}"));
        }
        assert_eq!(list.len(), LIMIT);
        assert_eq!(list[0], "p19");
    }

    #[test]
    fn the_list_survives_a_save_and_load() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), &["x.toml".to_string()]).unwrap();
        assert_eq!(load(dir.path()), vec!["x.toml"]);
    }
}
