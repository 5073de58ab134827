//! The support bundle (`kafka-wizard collect`): everything someone helping with a cluster asks for first, in one
//! zip, with no secret in it.
//!
//! Per host (one SSH command each, all hosts at once: [`remote`]): the generated files as they are on the host,
//! the last lines of the services' logs, their journals and `systemctl status`, and the facts that matter to Kafka.
//! From the operator's machine: `status.json` (the same as `status --json`), the project file, and the newest run
//! log of the project (`crate::runlog`). Everything passes through [`redact`] (the wizard's own passwords by value,
//! private keys, secret-named properties); files that hold a private key are not read at all. `manifest.json`
//! lists every entry with its size and redactions, what was left out and why, and the hosts that could not be
//! reached (their error) — a bundle is written even when some hosts are down, which is when it is needed most.
//!
//! The archive is written like the export's zip (`crate::export::write_zip`'s rules): a new, randomly named file
//! beside the target renamed into place; never over an existing file or through a symlink; mode 0600.

pub mod redact;
pub mod remote;

use crate::apply::connect::connect_each;
use crate::apply::status::{status, ClusterStatus};
use crate::apply::DeployOptions;
use crate::project::spec::ClusterSpec;
use crate::security::store::SecretsStore;
use redact::{Redactions, Redactor};
use remote::ItemKind;
use serde::Serialize;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Log and journal lines per file or unit, by default.
pub const DEFAULT_LINES: u32 = 1000;
/// Mode of the bundle: it describes the cluster in detail.
const BUNDLE_MODE: u32 = 0o600;

/// What the operator's machine adds to the bundle.
#[derive(Default)]
pub struct LocalInputs {
    /// The project file's text.
    pub project_text: Option<String>,
    /// The newest run log of the project: its file name and text.
    pub run_log: Option<(String, String)>,
}

impl LocalInputs {
    /// What this machine has for `project`: the project file's text (when it has a file) and the project's newest
    /// run log under the user's state dir (`crate::runlog`); what cannot be read is left out.
    pub fn gather(project_file: Option<&Path>, project: &str) -> LocalInputs {
        let run_log =
            crate::runlog::state_home().and_then(|home| crate::runlog::newest(&home, project)).and_then(|path| {
                let text = std::fs::read_to_string(&path).ok()?;
                Some((path.file_name()?.to_string_lossy().into_owned(), text))
            });
        LocalInputs { project_text: project_file.and_then(|f| std::fs::read_to_string(f).ok()), run_log }
    }
}

/// One entry of the zip.
#[derive(Clone, Debug)]
pub struct BundleEntry {
    pub path: String,
    pub content: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct EntryRecord {
    pub path: String,
    pub bytes: usize,
    pub redacted: Redactions,
}

#[derive(Clone, Debug, Serialize)]
pub struct OmittedRecord {
    /// The path on the host.
    pub path: String,
    pub why: &'static str,
    /// `owner:group mode size`, as the host reported it.
    pub stat: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct HostManifest {
    pub host: String,
    pub reached: bool,
    pub error: Option<String>,
    pub entries: Vec<EntryRecord>,
    pub omitted: Vec<OmittedRecord>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    pub tool: String,
    pub project: String,
    pub created_utc: String,
    pub lines: u32,
    /// How secrets were found: the secrets store's values as well as patterns, or patterns only.
    pub redaction: String,
    pub hosts: Vec<HostManifest>,
    pub local: Vec<EntryRecord>,
}

impl Manifest {
    /// Redactions over the whole bundle.
    pub fn redactions(&self) -> usize {
        let all = self.hosts.iter().flat_map(|h| &h.entries).chain(&self.local);
        all.map(|e| e.redacted.total()).sum()
    }
}

pub struct Bundle {
    pub entries: Vec<BundleEntry>,
    pub manifest: Manifest,
}

#[derive(Debug, Error)]
pub enum CollectError {
    #[error("{path} already exists — choose another name for the support bundle (--out)")]
    FileExists { path: PathBuf },
    #[error("cannot write the support bundle {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

/// The secret values the bundle is searched for: a secured cluster's passwords from the secrets store. `None` with
/// why when there is no store (then only the patterns find secrets).
fn redactor(spec: &ClusterSpec) -> (Redactor, String) {
    let Some(security) = &spec.security else {
        return (Redactor::default(), "plaintext cluster: secret-named properties and private keys".into());
    };
    match SecretsStore::for_cluster(spec).load_existing(spec, security) {
        Ok(material) => {
            let values = material.passwords.values().chain(material.zookeeper.values());
            (
                Redactor::new(values.map(|s| s.expose().to_string())),
                "the secrets store's passwords by value, secret-named properties and private keys".into(),
            )
        }
        Err(e) => (Redactor::default(), format!("secret-named properties and private keys only (secrets store: {e})")),
    }
}

/// Reads every host `opts.limit` names at once, the cluster's status, and `local`; everything redacted.
pub async fn collect(spec: &ClusterSpec, opts: &DeployOptions, local: LocalInputs, lines: u32) -> Bundle {
    let (redactor, redaction) = redactor(spec);
    let boundary = format!("@@kw-collect-{:032x}@@", rand::random::<u128>());
    let connections = connect_each(spec, &opts.limit, &opts.connect).await;
    let mut reads = Vec::new();
    for (i, c) in connections {
        let script = remote::script(spec, &spec.hosts[i], &boundary, lines);
        reads.push((
            i,
            tokio::task::spawn_blocking(move || match c {
                Ok(t) => t.exec(&script, None).map(|o| o.stdout_text()).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            }),
        ));
    }
    let mut entries = Vec::new();
    let mut push = |path: String, text: &str, records: &mut Vec<EntryRecord>| {
        let (content, redacted) = redactor.redact(text);
        records.push(EntryRecord { path: path.clone(), bytes: content.len(), redacted });
        entries.push(BundleEntry { path, content });
    };
    let mut hosts = Vec::new();
    for (i, read) in reads {
        let host = spec.hosts[i].name.to_string();
        let mut record =
            HostManifest { host: host.clone(), reached: false, error: None, entries: vec![], omitted: vec![] };
        match read.await.unwrap_or_else(|e| Err(e.to_string())) {
            Err(e) => record.error = Some(e),
            Ok(output) => {
                record.reached = true;
                for item in remote::parse(&output, &boundary) {
                    let base = format!("hosts/{host}");
                    let path = match item.kind {
                        ItemKind::Omitted => {
                            let why = "holds a private key: only its owner, mode and size";
                            let stat = item.text.trim().to_string();
                            record.omitted.push(OmittedRecord { path: item.name, why, stat });
                            continue;
                        }
                        ItemKind::File => format!("{base}/files{}", item.name),
                        ItemKind::Log => format!("{base}/logs{}", item.name),
                        ItemKind::Journal => format!("{base}/units/{}.journal.txt", item.name),
                        ItemKind::UnitStatus => format!("{base}/units/{}.status.txt", item.name),
                        ItemKind::Facts => format!("{base}/facts.txt"),
                    };
                    push(path, &item.text, &mut record.entries);
                }
            }
        }
        hosts.push(record);
    }
    let cluster: ClusterStatus = status(spec, opts).await;
    let mut local_records = Vec::new();
    let status_json = serde_json::to_string_pretty(&cluster).expect("status serialises") + "\n";
    push("status.json".into(), &status_json, &mut local_records);
    if let Some(text) = &local.project_text {
        push("project.toml".into(), text, &mut local_records);
    }
    if let Some((name, text)) = &local.run_log {
        push(format!("runs/{}", file_name(name)), text, &mut local_records);
    }
    let manifest = Manifest {
        tool: format!("kafka-wizard {}", env!("CARGO_PKG_VERSION")),
        project: spec.name.clone(),
        created_utc: now_utc(),
        lines,
        redaction,
        hosts,
        local: local_records,
    };
    let manifest_json = serde_json::to_string_pretty(&manifest).expect("manifest serialises") + "\n";
    entries.push(BundleEntry { path: "manifest.json".into(), content: manifest_json });
    Bundle { entries, manifest }
}

/// The last component of a path (a log's file name; never a path that could leave its folder in the zip).
fn file_name(path: &str) -> String {
    path.rsplit('/').next().filter(|n| !n.is_empty() && *n != "." && *n != "..").unwrap_or("unnamed").to_string()
}

fn now_utc() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The default file name: `<project>-support-<UTC time>.zip`.
pub fn default_file_name(project: &str) -> String {
    let stamp: String = now_utc().chars().filter(|c| c.is_ascii_digit() || *c == 'T').collect();
    format!("{project}-support-{stamp}.zip")
}

/// Writes `bundle` to `file` as a zip (mode 0600): a new, randomly named file beside it, renamed into place only
/// where nothing is (never over an existing file, never through a symlink).
pub fn write_zip(bundle: &Bundle, file: &Path) -> Result<(), CollectError> {
    use std::os::unix::fs::PermissionsExt;
    let io_err = |source| CollectError::Io { path: file.to_owned(), source };
    let zip_err = |e: zip::result::ZipError| io_err(io::Error::other(e));
    if std::fs::symlink_metadata(file).is_ok() {
        return Err(CollectError::FileExists { path: file.to_owned() });
    }
    let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(BUNDLE_MODE))
        .tempfile_in(dir)
        .map_err(io_err)?;
    let mut zip = zip::ZipWriter::new(tmp.as_file_mut());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(BUNDLE_MODE);
    for entry in &bundle.entries {
        zip.start_file(entry.path.as_str(), options).map_err(zip_err)?;
        zip.write_all(entry.content.as_bytes()).map_err(io_err)?;
    }
    zip.finish().map_err(zip_err)?;
    tmp.as_file().sync_all().map_err(io_err)?;
    tmp.persist_noclobber(file).map_err(|e| match e.error.kind() {
        io::ErrorKind::AlreadyExists => CollectError::FileExists { path: file.to_owned() },
        _ => io_err(e.error),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> Bundle {
        let manifest = Manifest {
            tool: "kafka-wizard 0".into(),
            project: "p".into(),
            created_utc: now_utc(),
            lines: 10,
            redaction: "patterns".into(),
            hosts: vec![],
            local: vec![],
        };
        Bundle { entries: vec![BundleEntry { path: "manifest.json".into(), content: "{}\n".into() }], manifest }
    }

    #[test]
    fn a_bundle_is_written_0600_and_never_over_an_existing_file_or_through_a_symlink() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("b.zip");
        write_zip(&bundle(), &file).unwrap();
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
        assert_eq!(io::read_to_string(archive.by_name("manifest.json").unwrap()).unwrap(), "{}\n");
        assert!(matches!(write_zip(&bundle(), &file), Err(CollectError::FileExists { .. })));
        let target = dir.path().join("target");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("link.zip");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(matches!(write_zip(&bundle(), &link), Err(CollectError::FileExists { .. })));
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 3, "no temporary file left: {left:?}");
    }

    #[test]
    fn a_log_name_never_leaves_its_folder_in_the_zip() {
        assert_eq!(file_name("/var/log/kafka/server.log"), "server.log");
        assert_eq!(file_name("/var/log/kafka/.."), "unnamed");
        assert_eq!(file_name(""), "unnamed");
        assert!(default_file_name("orders").starts_with("orders-support-"));
        assert!(default_file_name("orders").ends_with(".zip"));
    }
}
