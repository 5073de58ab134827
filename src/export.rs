//! Export: every generated file at `<host name>/<absolute path on that host>`, plus `INDEX.md` saying what goes
//! where and the commands that apply it by hand — as a folder or one zip archive.
//!
//! A secured cluster's secret files (host keys, the JAAS file with a password) are placeholders that say how to get
//! the real file ([`entries`]); [`entries_with_secrets`] puts the secrets store's real ones in, and every secret
//! entry is written mode 0600 (folder and zip alike).

use crate::plan::{self, Plan, Work, UPLOAD_DIR};
use crate::project::spec::{ClusterSpec, Coordination};
use crate::render::{self, RenderError};
use crate::security::store::SecretMaterial;
use crate::shell;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Marks a folder as written by `export`, so a later export may replace it.
pub const MARKER: &str = ".kafka-wizard-export";
pub const INDEX: &str = "INDEX.md";

#[derive(Debug, Error)]
pub enum ExportError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("{path} already exists and is not empty — choose a new or empty folder (an earlier export there is replaced only with --force)")]
    NotEmpty { path: PathBuf },
    #[error("{path} was not written by kafka-wizard export — refusing to replace it; choose a new or empty folder")]
    NotAnExport { path: PathBuf },
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

/// Everything an export contains, in a stable order: the index, then each host's files — secret files as
/// placeholders saying how to get the real one.
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
    let mut out = vec![Entry { path: INDEX.into(), content: index(spec, &hosts, &plan), secret: false }];
    for host in &hosts {
        let files = match (material, spec.hosts.iter().find(|h| h.name.as_str() == host.host)) {
            (Some(m), Some(h)) => render::render_host_with(spec, h, Some(m)),
            _ => host.files.clone(),
        };
        for file in files {
            out.push(Entry {
                path: format!("{}{}", host.host, file.path),
                content: file.content,
                secret: file.secret && material.is_some(),
            });
        }
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

/// Writes the export as one zip archive; the entries keep the folder layout.
pub fn write_zip(entries: &[Entry], file: &Path) -> Result<(), ExportError> {
    let io_err = |source| ExportError::Io { path: file.to_owned(), source };
    let zip_err = |e: zip::result::ZipError| io_err(io::Error::other(e));
    use std::os::unix::fs::OpenOptionsExt;
    let mode = if entries.iter().any(|e| e.secret) { SECRET_MODE } else { PUBLIC_MODE };
    let out =
        std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(mode).open(file).map_err(io_err)?;
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for entry in entries {
        let mode = if entry.secret { SECRET_MODE } else { PUBLIC_MODE };
        zip.start_file(entry.path.as_str(), options.unix_permissions(mode)).map_err(zip_err)?;
        zip.write_all(entry.content.as_bytes()).map_err(io_err)?;
    }
    zip.finish().map_err(zip_err)?;
    Ok(())
}

fn index(spec: &ClusterSpec, hosts: &[render::HostFiles], plan: &Plan) -> String {
    let release = spec.kafka.release;
    let mode = match &spec.coordination {
        Coordination::Zookeeper(z) => format!("ZooKeeper mode, chroot `{}`", z.chroot),
        Coordination::Kraft(k) => format!(
            "KRaft mode, cluster id `{}`",
            k.cluster_id.as_ref().map(|c| c.as_str()).unwrap_or("(not generated)")
        ),
    };
    let mut s = format!(
        "# Kafka cluster `{}` — generated files\n\n\
         Apache Kafka {} (Scala {}), {mode}. Written by `kafka-wizard export` from the project file; \
         `kafka-wizard deploy` applies the same files for you.\n\n\
         Each folder is one host; inside it, every file sits at its absolute path on that host.\n\n## Files\n\n\
         | host | path on the host | owner | mode | what it is |\n|---|---|---|---|---|\n",
        spec.name, release.version, spec.kafka.scala
    );
    for host in hosts {
        for f in &host.files {
            s.push_str(&format!(
                "| {} | `{}` | {} | {:04o} | {} |\n",
                host.host,
                f.path,
                f.owner.chown_spec(&spec.kafka.user),
                f.mode,
                f.purpose
            ));
        }
    }
    s.push_str(&format!(
        "\n## Applying by hand\n\nAs root. First copy each host's folder onto that host as `{UPLOAD_DIR}`, e.g. \
         `scp -r {h} root@{h}:{UPLOAD_DIR}`. Then run the phases in order; within a phase, hosts are independent. \
         Start ZooKeeper (or the KRaft controllers) before the brokers, and stop the brokers first.\n",
        h = shell::quote(&hosts.first().map(|h| h.host.clone()).unwrap_or_default())
    ));
    for (n, phase) in plan.phases.iter().enumerate() {
        s.push_str(&format!("\n### {}. {}\n", n + 1, phase.title));
        let mut block = |label: &str, steps: Vec<(String, Vec<String>)>| {
            s.push_str(&format!("\n{label}:\n\n```sh\n"));
            for (title, commands) in steps {
                s.push_str(&format!("# {title}\n"));
                for command in commands {
                    s.push_str(&command);
                    s.push('\n');
                }
            }
            s.push_str("```\n");
        };
        match &phase.work {
            Work::Fetch(fetch) => {
                block("On the machine with internet access", vec![(fetch.title(), plan::fetch_commands(fetch))])
            }
            Work::OnHosts { hosts } => {
                for host in hosts {
                    let steps = host
                        .steps
                        .iter()
                        .map(|step| (step.title(), plan::manual_commands(spec, step, &host.host)))
                        // a step with nothing to do by hand (an interrupted run's leftovers) is not listed
                        .filter(|(_, commands)| !commands.is_empty())
                        .collect();
                    block(&format!("On {}", host.host), steps);
                }
            }
            Work::ScramUsers(users) => block(
                "On any host that reaches the brokers, as the admin",
                vec![(users.title(), plan::scram_user_commands(spec, users))],
            ),
            Work::Acls(acls) => block(
                "On any host that reaches the brokers, as the admin",
                vec![(acls.title(), plan::acl_commands(spec, acls))],
            ),
            Work::RotateCa(pass) => block(
                "With kafka-wizard (`deploy --rotate-ca`): the files come from its secrets store",
                vec![(pass.title(), vec![])],
            ),
            Work::Start(start) => {
                for host in &start.hosts {
                    block(&format!("On {host}"), vec![(start.title(), plan::start_commands(start))]);
                }
                let checks: Vec<(String, Vec<String>)> = start
                    .health
                    .iter()
                    .map(|h| (h.title(), plan::health_commands(spec, h)))
                    .filter(|(_, commands)| !commands.is_empty())
                    .collect();
                if !checks.is_empty() {
                    block("Then check from any host", checks);
                }
            }
        }
    }
    s
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
}
