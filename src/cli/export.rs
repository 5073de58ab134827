//! `kafka-wizard export FILE --out DIR [--zip] [--force] [--include-secrets]`: every generated file; with
//! `--as ansible` an Ansible inventory (folder), with `--as strimzi --storage-size SIZE` Strimzi's custom resources
//! (one YAML file) — the graduation paths.

use super::{load_spec, ProjectArg};
use kafka_wizard::export;
use kafka_wizard::security::store::SecretsStore;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub project: ProjectArg,
    /// What to write: every generated file per host (files), an Ansible inventory with group_vars in cp-ansible's
    /// group shape (ansible; OUT is a folder), or Strimzi's Kafka and KafkaNodePool resources (strimzi; OUT is a
    /// YAML file; KRaft only).
    #[arg(long = "as", value_enum, default_value_t = As::Files, value_name = "FORMAT")]
    pub format: As,
    /// With --as strimzi: the size of each data directory's persistent volume claim (a Kubernetes quantity such as
    /// 100Gi; the project does not know its disks' sizes, so there is no default).
    #[arg(long, value_name = "SIZE")]
    pub storage_size: Option<String>,
    /// With --as strimzi: the custom resources' API version — v1 (Strimzi 0.49 and later, the only one Strimzi 1.x
    /// serves) or v1beta2 (Strimzi up to 0.51).
    #[arg(long, value_enum, value_name = "VERSION")]
    pub strimzi_api: Option<StrimziApiArg>,
    /// Folder to write (created if missing); with --zip, the archive to write; with --as strimzi, the YAML file.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write one zip archive instead of a folder (".zip" is added to OUT when missing).
    #[arg(long)]
    pub zip: bool,
    /// Replace an earlier export in OUT (only a folder or zip that kafka-wizard export wrote; never through a
    /// symlink).
    #[arg(long)]
    pub force: bool,
    /// Write the real keys and passwords of a secured cluster from the wizard's secrets store (files mode 0600)
    /// instead of placeholders; OUT then holds secrets.
    #[arg(long)]
    pub include_secrets: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StrimziApiArg {
    V1,
    V1beta2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum As {
    Files,
    Ansible,
    Strimzi,
}

pub fn run(args: ExportArgs) -> ExitCode {
    if args.format != As::Files && args.include_secrets {
        eprintln!("error: --include-secrets is only for the generated files (--as files): an inventory or Strimzi's resources never hold the wizard's secrets");
        return ExitCode::from(2);
    }
    if args.format == As::Strimzi && args.zip {
        eprintln!("error: --zip: --as strimzi writes one YAML file (OUT)");
        return ExitCode::from(2);
    }
    if args.format != As::Strimzi && args.storage_size.is_some() {
        eprintln!("error: --storage-size is for --as strimzi");
        return ExitCode::from(2);
    }
    if args.format != As::Strimzi && args.strimzi_api.is_some() {
        eprintln!("error: --strimzi-api is for --as strimzi");
        return ExitCode::from(2);
    }
    let (_, spec) = match load_spec(&args.project.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    match args.format {
        As::Files => {}
        As::Strimzi => return strimzi(&spec, &args),
        As::Ansible => {
            let entries: Vec<export::Entry> = export::ansible::files(&spec)
                .into_iter()
                .map(|(path, content)| export::Entry { path, content, secret: false })
                .collect();
            let zip = args.zip;
            return write_entries(&entries, &args, |target| {
                let read = if zip {
                    format!("unzip it, then `ansible-inventory -i {} --list` shows it", export::ansible::INVENTORY)
                } else {
                    format!(
                        "`ansible-inventory -i {} --list` shows it",
                        target.join(export::ansible::INVENTORY).display()
                    )
                };
                format!(
                    "wrote an Ansible inventory of {} host(s) to {} — {read}; `kafka-wizard import --ansible` reads it back",
                    spec.hosts.len(),
                    target.display()
                )
            });
        }
    }
    let entries = match (args.include_secrets, &spec.security) {
        (true, Some(security)) => match SecretsStore::for_cluster(&spec).load(&spec, security) {
            Ok(material) => export::entries_with_secrets(&spec, &material),
            Err(e) => {
                eprintln!("error: {e} — deploy the cluster first (its keys and passwords are made then; a lost store: deploy --recover-secrets)");
                return ExitCode::FAILURE;
            }
        },
        (true, None) => {
            eprintln!("note: --include-secrets: the cluster is plaintext, it has no secrets to include");
            export::entries(&spec)
        }
        (false, _) => export::entries(&spec),
    };
    let entries = match entries {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let hosts = spec.hosts.len();
    let code = write_entries(&entries, &args, |target| {
        format!(
            "wrote {} file(s) for {hosts} host(s) to {} — see {} there",
            entries.len() - 1,
            target.display(),
            export::INDEX
        )
    });
    if code == ExitCode::SUCCESS {
        let secrets = entries.iter().filter(|e| e.secret).count();
        if secrets > 0 {
            eprintln!(
                "warning: {} now holds secrets: {secrets} file(s) with private keys or passwords (mode 0600) — keep it private and delete it when done",
                args.out.display()
            );
        }
    }
    code
}

/// Writes `entries` as a folder or (--zip) an archive; `done` says what was written where.
fn write_entries(entries: &[export::Entry], args: &ExportArgs, done: impl Fn(&std::path::Path) -> String) -> ExitCode {
    let (result, target) = if args.zip {
        let mut out = args.out.clone();
        if out.extension().is_none_or(|e| e != "zip") {
            out.as_mut_os_string().push(".zip");
        }
        (export::write_zip(entries, &out, args.force), out)
    } else {
        (export::write_dir(entries, &args.out, args.force), args.out.clone())
    };
    match result {
        Ok(()) => {
            eprintln!("{}", done(&target));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `--as strimzi`: one YAML file, never replacing one unless --force.
fn strimzi(spec: &kafka_wizard::project::ClusterSpec, args: &ExportArgs) -> ExitCode {
    let Some(size) = &args.storage_size else {
        eprintln!("error: --as strimzi needs --storage-size SIZE (each data directory becomes a persistent volume claim of that size, e.g. --storage-size 100Gi; the project does not know its disks' sizes)");
        return ExitCode::from(2);
    };
    let api = match args.strimzi_api {
        Some(StrimziApiArg::V1beta2) => export::strimzi::StrimziApi::V1beta2,
        Some(StrimziApiArg::V1) | None => export::strimzi::StrimziApi::V1,
    };
    let out = match export::strimzi::resources(spec, size, api) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for w in &out.warnings {
        eprintln!("warning: {w}");
    }
    if args.out.exists() && !args.force {
        eprintln!("error: {} already exists — choose another --out, or --force to replace it", args.out.display());
        return ExitCode::FAILURE;
    }
    if args.out.is_dir() || args.out.is_symlink() {
        eprintln!(
            "error: {} is a folder or a symlink — give a file name (never written through a link)",
            args.out.display()
        );
        return ExitCode::FAILURE;
    }
    match kafka_wizard::project::file::write_atomically(&args.out, &out.yaml) {
        Ok(()) => {
            eprintln!(
                "wrote Strimzi's Kafka, KafkaNodePool and KafkaUser resources ({}: {}) to {}",
                api.api_version(),
                api.served_by(),
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", args.out.display());
            ExitCode::FAILURE
        }
    }
}
