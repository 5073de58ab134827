//! Export: every generated file at `<host name>/<absolute path on that host>` with each host's `SHA256SUMS`, plus
//! `INDEX.md` saying what goes where and the commands that apply it by hand (`index`) — as a folder or one zip
//! archive; with `[monitoring]`, a ready `prometheus.yml` scrape configuration beside it. Neither replaces anything but an earlier export, and only when asked; a zip is written atomically and
//! never through a symlink.
//!
//! A secured cluster's secret files (host keys, the JAAS file with a password) are placeholders that say how to get
//! the real file ([`entries`]); [`entries_with_secrets`] puts the secrets store's real ones in, and every secret
//! entry is written mode 0600 (folder and zip alike).

pub mod ansible;
mod index;
pub mod strimzi;

pub use index::{sha256sums, SHA256SUMS};

use crate::plan;
use crate::project::spec::ClusterSpec;
use crate::render::{self, RenderError};
use crate::security::store::SecretMaterial;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Marks a folder as written by `export`, so a later export may replace it.
pub const MARKER: &str = ".kafka-wizard-export";
pub const INDEX: &str = "INDEX.md";
/// With `[monitoring]`: a ready Prometheus scrape configuration of every exporter (`render::monitoring`).
pub const PROMETHEUS_YML: &str = "prometheus.yml";

#[derive(Debug, Error)]
pub enum ExportError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("{path} already exists and is not empty — choose a new or empty folder (an earlier export there is replaced only with --force)")]
    NotEmpty { path: PathBuf },
    #[error("{path} was not written by kafka-wizard export — refusing to replace it; choose a new or empty folder")]
    NotAnExport { path: PathBuf },
    #[error("{path} already exists — choose another name (an earlier export's zip is replaced only when asked: --force, or Replace in the app)")]
    FileExists { path: PathBuf },
    #[error("{path} is not a zip archive written by kafka-wizard export ({why}) — refusing to replace it; choose another name")]
    NotAnExportZip { path: PathBuf, why: String },
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

/// Mode of an exported file that holds a key or a password.
pub const SECRET_MODE: u32 = 0o600;
/// Mode of every other exported file (in a zip; a folder's files get the umask's).
const PUBLIC_MODE: u32 = 0o644;

/// One file of an export: its path relative to the export root, its bytes, and whether it holds a real secret
/// (written mode 0600).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub content: String,
    pub secret: bool,
}

/// Everything an export contains, in a stable order: the index, then each host's files (secret files as
/// placeholders saying how to get the real one) and its `SHA256SUMS`.
pub fn entries(spec: &ClusterSpec) -> Result<Vec<Entry>, RenderError> {
    entries_from(spec, None)
}

/// Like [`entries`], with the real secret files from `material` (the secrets store's): `export --include-secrets`.
pub fn entries_with_secrets(spec: &ClusterSpec, material: &SecretMaterial) -> Result<Vec<Entry>, RenderError> {
    entries_from(spec, Some(material))
}

fn entries_from(spec: &ClusterSpec, material: Option<&SecretMaterial>) -> Result<Vec<Entry>, RenderError> {
    let hosts = render::render_cluster(spec)?;
    let plan = plan::plan(spec);
    let placeholders = material.is_none();
    let index = index::index(spec, &hosts, &plan, placeholders);
    let mut out = vec![Entry { path: INDEX.into(), content: index, secret: false }];
    if let Some(scrape) = render::monitoring::prometheus_yml(spec) {
        out.push(Entry { path: PROMETHEUS_YML.into(), content: scrape, secret: false });
    }
    for host in &hosts {
        let files = match (material, spec.hosts.iter().find(|h| h.name.as_str() == host.host)) {
            (Some(m), Some(h)) => render::render_host_with(spec, h, Some(m)),
            _ => host.files.clone(),
        };
        // a placeholder is not what goes on the host: its real content is not known here
        let sums = sha256sums(
            files.iter().filter(|f| !(placeholders && f.secret)).map(|f| (f.path.as_str(), f.content.as_str())),
        );
        for file in files {
            out.push(Entry {
                path: format!("{}{}", host.host, file.path),
                content: file.content,
                secret: file.secret && material.is_some(),
            });
        }
        out.push(Entry { path: format!("{}/{SHA256SUMS}", host.host), content: sums, secret: false });
    }
    Ok(out)
}

/// Writes the export into `dir` (created if missing). An existing non-empty folder is refused, unless it is an
/// earlier export and `replace` is set.
pub fn write_dir(entries: &[Entry], dir: &Path, replace: bool) -> Result<(), ExportError> {
    let io_err = |path: &Path| {
        let path = path.to_owned();
        move |source| ExportError::Io { path, source }
    };
    if let Ok(mut listing) = std::fs::read_dir(dir) {
        if listing.next().is_some() {
            if !dir.join(MARKER).exists() {
                return Err(if replace {
                    ExportError::NotAnExport { path: dir.to_owned() }
                } else {
                    ExportError::NotEmpty { path: dir.to_owned() }
                });
            }
            if !replace {
                return Err(ExportError::NotEmpty { path: dir.to_owned() });
            }
            std::fs::remove_dir_all(dir).map_err(io_err(dir))?;
        }
    }
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    if entries.iter().any(|e| e.secret) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io_err(dir))?;
    }
    std::fs::write(dir.join(MARKER), "written by kafka-wizard export\n").map_err(io_err(dir))?;
    for entry in entries {
        let path = dir.join(&entry.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        write_file(&path, entry).map_err(io_err(&path))?;
    }
    Ok(())
}

/// A secret entry is created 0600 (never briefly readable); the others as `fs::write` makes them.
fn write_file(path: &Path, entry: &Entry) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    if entry.secret {
        options.mode(SECRET_MODE);
    }
    options.open(path)?.write_all(entry.content.as_bytes())
}

/// Writes the export as one zip archive; the entries keep the folder layout, with the [`MARKER`] entry. The archive
/// is written to a new, randomly named file beside `file` (`O_EXCL`) and then renamed into place, so a failed write
/// leaves nothing half-written and no symlink at `file` is ever followed. An existing `file` is refused unless
/// `replace` is set and it is a regular file holding an earlier export (the marker, or an `INDEX.md` at the top of
/// exports written before the marker) — the same rule as a folder.
pub fn write_zip(entries: &[Entry], file: &Path, replace: bool) -> Result<(), ExportError> {
    let io_err = |source| ExportError::Io { path: file.to_owned(), source };
    let zip_err = |e: zip::result::ZipError| io_err(io::Error::other(e));
    let exists = match std::fs::symlink_metadata(file) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(e)),
    };
    if let Some(meta) = &exists {
        if !replace {
            return Err(ExportError::FileExists { path: file.to_owned() });
        }
        earlier_export_zip(file, meta).map_err(|why| ExportError::NotAnExportZip { path: file.to_owned(), why })?;
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = if entries.iter().any(|e| e.secret) { SECRET_MODE } else { PUBLIC_MODE };
    let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(mode))
        .tempfile_in(dir)
        .map_err(io_err)?;
    let mut zip = zip::ZipWriter::new(tmp.as_file_mut());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(MARKER, options.unix_permissions(PUBLIC_MODE)).map_err(zip_err)?;
    zip.write_all(b"written by kafka-wizard export\n").map_err(io_err)?;
    for entry in entries {
        let mode = if entry.secret { SECRET_MODE } else { PUBLIC_MODE };
        zip.start_file(entry.path.as_str(), options.unix_permissions(mode)).map_err(zip_err)?;
        zip.write_all(entry.content.as_bytes()).map_err(io_err)?;
    }
    zip.finish().map_err(zip_err)?;
    tmp.as_file().sync_all().map_err(io_err)?;
    match exists {
        Some(_) => tmp.persist(file).map_err(|e| io_err(e.error))?,
        None => tmp.persist_noclobber(file).map_err(|e| io_err(e.error))?,
    };
    Ok(())
}

/// Why `file` (`meta`: its own metadata, not a link's target) is not an earlier export's zip, if it is not.
fn earlier_export_zip(file: &Path, meta: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::OpenOptionsExt;
    if meta.file_type().is_symlink() {
        return Err("it is a symbolic link".into());
    }
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    let opened = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(file);
    let archive = zip::ZipArchive::new(opened.map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    if archive.index_for_name(MARKER).is_some() || archive.index_for_name(INDEX).is_some() {
        Ok(())
    } else {
        Err(format!("it has no {MARKER}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{parse, validate};

    fn secure() -> ClusterSpec {
        validate(&parse(include_str!("../tests/fixtures/kraft-secure.toml")).unwrap()).spec.unwrap()
    }

    fn material(spec: &ClusterSpec) -> SecretMaterial {
        let mut m = SecretMaterial::placeholders(spec, spec.security.as_ref().unwrap());
        m.ca_cert = "-----BEGIN CERTIFICATE-----\nthe CA\n".into();
        for (user, password) in m.passwords.iter_mut() {
            *password = crate::security::Secret::new(format!("real-password-of-{user}"));
        }
        for keystore in m.keystores.values_mut() {
            *keystore = crate::security::Secret::new("-----BEGIN PRIVATE KEY-----\nreal\n".to_string());
        }
        m
    }

    #[test]
    fn an_export_without_secrets_has_placeholders_and_no_secret_entry() {
        let entries = entries(&secure()).unwrap();
        assert!(entries.iter().all(|e| !e.secret));
        let node = entries.iter().find(|e| e.path == "secure1.example.com/etc/kafka/tls/node.pem").unwrap();
        assert!(node.content.contains("--include-secrets") && !node.content.contains("BEGIN"), "{}", node.content);
    }

    #[test]
    fn an_export_with_secrets_marks_exactly_the_secret_files_and_holds_the_real_values() {
        let spec = secure();
        let entries = entries_with_secrets(&spec, &material(&spec)).unwrap();
        let secret: Vec<&str> = entries.iter().filter(|e| e.secret).map(|e| e.path.as_str()).collect();
        assert_eq!(secret.len(), 6, "{secret:?}");
        assert!(secret.iter().all(|p| p.ends_with("/tls/node.pem") || p.ends_with("/kafka-server-jaas.conf")));
        let jaas = entries.iter().find(|e| e.path == "secure2.example.com/etc/kafka/kafka-server-jaas.conf").unwrap();
        assert!(jaas.content.contains("real-password-of-kafka-broker"));
        assert!(!entries.iter().any(|e| e.content.contains("--include-secrets")));
    }

    #[test]
    fn secret_entries_are_written_0600_in_a_0700_folder() {
        use std::os::unix::fs::PermissionsExt;
        let spec = secure();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write_dir(&entries_with_secrets(&spec, &material(&spec)).unwrap(), &out, false).unwrap();
        let mode = |p: &str| std::fs::metadata(out.join(p)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode("secure1.example.com/etc/kafka/tls/node.pem"), 0o600);
        assert_eq!(mode(""), 0o700);
    }

    #[test]
    fn a_zip_export_replaces_only_an_earlier_export_and_only_when_asked() {
        let entries = entries(&secure()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("x.zip");
        write_zip(&entries, &zip, false).unwrap();
        assert!(matches!(write_zip(&entries, &zip, false), Err(ExportError::FileExists { .. })));
        write_zip(&entries, &zip, true).unwrap();
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
        assert!(archive.by_name(MARKER).is_ok() && archive.by_name(INDEX).is_ok());
        // anything else at that name is kept, Replace or not
        let notes = dir.path().join("notes.zip");
        std::fs::write(&notes, "my notes").unwrap();
        assert!(matches!(write_zip(&entries, &notes, false), Err(ExportError::FileExists { .. })));
        let err = write_zip(&entries, &notes, true).unwrap_err();
        assert!(matches!(err, ExportError::NotAnExportZip { .. }), "{err}");
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes");
        // the only file left beside them: no temporary file remains
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_zip_export_never_writes_through_a_symlink_at_its_path() {
        let entries = entries(&secure()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let earlier = dir.path().join("earlier.zip");
        write_zip(&entries, &earlier, false).unwrap();
        for target in [&victim, &earlier] {
            let link = dir.path().join("link.zip");
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(target, &link).unwrap();
            let before = std::fs::read(target).unwrap();
            assert!(matches!(write_zip(&entries, &link, false), Err(ExportError::FileExists { .. })));
            let err = write_zip(&entries, &link, true).unwrap_err();
            assert!(err.to_string().contains("symbolic link"), "{err}");
            assert_eq!(std::fs::read(target).unwrap(), before);
        }
        // a dangling symlink is an existing name too: never created through
        let dangling = dir.path().join("dangling.zip");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(write_zip(&entries, &dangling, false).is_err());
        assert!(!dir.path().join("nowhere").exists());
    }
}
