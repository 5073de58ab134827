//! Project files on disk: loading (read → parse → validate) and the one edit the engine makes itself — saving a
//! freshly generated KRaft cluster id, so it is generated once and kept (formatting and comments preserved).

use super::checks;
use super::draft::{self, ParseError, ProjectDraft};
use super::spec::ClusterId;
use super::validate::{validate, Validation};
use std::io;
use std::path::{Path, PathBuf};
use thiserror::Error;

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

/// For a valid KRaft project without `kraft.cluster_id`: generates one, writes it into the file and reloads.
/// Returns the new id when one was generated; other projects are returned unchanged.
pub fn ensure_cluster_id(project: LoadedProject) -> Result<(LoadedProject, Option<ClusterId>), LoadError> {
    let needs_id = project.validation.spec.as_ref().is_some_and(|spec| {
        matches!(&spec.coordination, super::spec::Coordination::Kraft(k) if k.cluster_id.is_none())
    });
    if !needs_id {
        return Ok((project, None));
    }
    let id = checks::new_cluster_id();
    let text = with_cluster_id(&project.text, &id);
    let path = project.path;
    write_atomically(&path, &text).map_err(|source| LoadError::Save { path: path.clone(), source })?;
    Ok((load(&path)?, Some(id)))
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

/// Writes through a temporary file in the same directory and renames it over the target.
pub fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
