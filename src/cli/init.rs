//! `kafka-wizard init [--here] [FILE]`: writes a new project file — the app's New (no hosts yet), or with `--here`
//! "This machine", a one-node KRaft cluster on the machine the wizard runs on (`project::template`) — validated,
//! its problems printed. Never replaces a file.

use kafka_wizard::catalog::{self, Lookup, Version};
use kafka_wizard::project::{self, draft::to_toml, template};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct InitArgs {
    /// A one-node KRaft cluster on this machine (`connection = "local"`, no SSH): combined broker and controller at
    /// 127.0.0.1, secured (TLS + SASL/SCRAM, the wizard's own CA); deploy it with `kafka-wizard deploy FILE`.
    #[arg(long)]
    pub here: bool,
    /// The Kafka release (default: the newest; with --here the newest KRaft release whose signature this build
    /// verifies without `trust import`).
    #[arg(long, value_name = "VERSION")]
    pub version: Option<String>,
    /// Download the release from this Apache-style mirror (`kafka.mirror`; checksum and signature still checked).
    #[arg(long, value_name = "URL")]
    pub mirror: Option<String>,
    /// Read the release's checksum, signature and `KEYS` from this Apache-style server instead of Apache's own
    /// (`kafka.apache_url`: an internal copy of Apache's dist, where Apache cannot be reached).
    #[arg(long, value_name = "URL")]
    pub apache_url: Option<String>,
    /// The project's name (default: `this-machine` with --here, else `my-kafka`).
    #[arg(long)]
    pub name: Option<String>,
    /// The project file to write (a new file).
    #[arg(value_name = "FILE", default_value = "kafka.toml")]
    pub file: PathBuf,
}

pub fn run(a: InitArgs) -> ExitCode {
    let mut draft = if a.here { template::this_machine() } else { template::new_project() };
    if let Some(v) = &a.version {
        match Version::parse(v).map(catalog::lookup) {
            Some(Lookup::Unknown) | None => {
                eprintln!("error: --version {v}: not a release this build knows — lines: {}", catalog::known_lines());
                return ExitCode::from(2);
            }
            Some(_) => draft.kafka.version = Some(v.clone()),
        }
    }
    if a.mirror.is_some() {
        draft.kafka.mirror = a.mirror.clone();
    }
    if a.apache_url.is_some() {
        draft.kafka.apache_url = a.apache_url.clone();
    }
    if a.name.is_some() {
        draft.name = a.name.clone();
    }
    let text = format!(
        "# Written by `kafka-wizard init{}`. Every field: ARCHITECTURE.md → Project file; `kafka-wizard validate` \
         checks it.\n{}",
        if a.here { " --here" } else { "" },
        to_toml(&draft)
    );
    if let Err(e) = write_new(&a.file, &text) {
        eprintln!("error: {}: {e}", a.file.display());
        return ExitCode::FAILURE;
    }
    let validation = project::validate(&draft);
    crate::cli::print_problems(&validation.problems);
    let version = draft.kafka.version.as_deref().unwrap_or("?");
    if a.here {
        eprintln!(
            "{}: a one-node KRaft cluster (Kafka {version}) on this machine, clients at {}:{} (TLS + SASL/SCRAM; \
             `kafka-wizard client-config {} --user admin --out DIR` after the deploy)",
            a.file.display(),
            template::HERE_ADDRESS,
            kafka_wizard::project::defaults::LISTENER_PORT,
            a.file.display(),
        );
        if a.version.is_none() && catalog::newest().version.to_string() != version {
            eprintln!(
                "note: Kafka {} is newer, but its release manager's key is not built in: `kafka-wizard trust import` \
                 that key, then --version {} (README: Release signatures)",
                catalog::newest().version,
                catalog::newest().version
            );
        }
        eprintln!("next: kafka-wizard deploy {} (add --install-java if Java 17+ is missing)", a.file.display());
    } else {
        eprintln!(
            "{}: a new project (Kafka {version}); add its [[hosts]], then `kafka-wizard validate`",
            a.file.display()
        );
    }
    if validation.errors().count() > 0 {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Writes `text` to `path`, which must not exist yet (also not as a symlink), mode 0644.
fn write_new(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            std::io::Error::new(e.kind(), "already exists — init never replaces a file; name another FILE")
        } else {
            e
        }
    })?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}
