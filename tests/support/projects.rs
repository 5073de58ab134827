//! The repository's project files as tests read them: every shipped example and test fixture, a file's validated
//! spec, and a spec compared by meaning (`#[path = "support/projects.rs"] mod projects;` in a `tests/*.rs` file).
#![allow(dead_code)]

use kafka_wizard::project::spec::Role;
use kafka_wizard::project::{self, ClusterSpec};
use std::path::{Path, PathBuf};

/// The repository's root (the engine's package).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every project file the repository ships or tests with: `examples/*.toml` and `tests/fixtures/*.toml`, sorted.
pub fn examples_and_fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["examples", "tests/fixtures"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root().join(d)).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// The file's spec; panics naming the file and its problems when it is invalid.
pub fn spec_of_file(path: &Path) -> ClusterSpec {
    let draft = project::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let v = project::validate(&draft);
    v.spec.unwrap_or_else(|| panic!("{} is invalid: {:?}", path.display(), v.problems))
}

/// The spec with each host's roles in one order: a host's roles are a set (the file's order means nothing), and an
/// inventory lists them as groups.
pub fn semantic(mut spec: ClusterSpec) -> ClusterSpec {
    for h in &mut spec.hosts {
        h.roles.sort_by_key(|r| Role::ALL.iter().position(|a| a == r));
    }
    spec
}
