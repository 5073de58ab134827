//! Export: every generated file at `<host name>/<absolute path on that host>`, plus `INDEX.md` saying what goes
//! where and the commands that apply it by hand — as a folder or one zip archive.

use crate::plan::{self, Plan, Work, UPLOAD_DIR};
use crate::project::spec::{ClusterSpec, Coordination};
use crate::render::{self, RenderError};
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

/// One file of an export: its path relative to the export root, and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub content: String,
}

/// Everything an export contains, in a stable order: the index, then each host's files.
pub fn entries(spec: &ClusterSpec) -> Result<Vec<Entry>, RenderError> {
    let hosts = render::render_cluster(spec)?;
    let plan = plan::plan(spec);
    let mut out = vec![Entry { path: INDEX.into(), content: index(spec, &hosts, &plan) }];
    for host in &hosts {
        for file in &host.files {
            out.push(Entry { path: format!("{}{}", host.host, file.path), content: file.content.clone() });
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
    std::fs::write(dir.join(MARKER), "written by kafka-wizard export\n").map_err(io_err(dir))?;
    for entry in entries {
        let path = dir.join(&entry.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        std::fs::write(&path, &entry.content).map_err(io_err(&path))?;
    }
    Ok(())
}

/// Writes the export as one zip archive; the entries keep the folder layout.
pub fn write_zip(entries: &[Entry], file: &Path) -> Result<(), ExportError> {
    let io_err = |source| ExportError::Io { path: file.to_owned(), source };
    let zip_err = |e: zip::result::ZipError| io_err(io::Error::other(e));
    let out = std::fs::File::create(file).map_err(io_err)?;
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for entry in entries {
        zip.start_file(entry.path.as_str(), options).map_err(zip_err)?;
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
                        .collect();
                    block(&format!("On {}", host.host), steps);
                }
            }
            Work::Acls(acls) => block(
                "On any host that reaches the brokers, as the admin",
                vec![(acls.title(), plan::acl_commands(spec, acls))],
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
