//! `kafka-wizard export FILE --out DIR [--zip] [--force] [--include-secrets]`.

use super::{load_spec, ProjectArg};
use kafka_wizard::export;
use kafka_wizard::security::store::SecretsStore;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub project: ProjectArg,
    /// Folder to write (created if missing); with --zip, the archive to write.
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

pub fn run(args: ExportArgs) -> ExitCode {
    let (_, spec) = match load_spec(&args.project.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
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
    let (result, target) = if args.zip {
        let mut out = args.out.clone();
        if out.extension().is_none_or(|e| e != "zip") {
            out.as_mut_os_string().push(".zip");
        }
        (export::write_zip(&entries, &out, args.force), out)
    } else {
        (export::write_dir(&entries, &args.out, args.force), args.out.clone())
    };
    match result {
        Ok(()) => {
            let files = entries.len() - 1;
            eprintln!(
                "wrote {files} file(s) for {} host(s) to {} — see {} there",
                spec.hosts.len(),
                target.display(),
                export::INDEX
            );
            let secrets = entries.iter().filter(|e| e.secret).count();
            if secrets > 0 {
                eprintln!(
                    "warning: {} now holds secrets: {secrets} file(s) with private keys or passwords (mode 0600) — keep it private and delete it when done",
                    target.display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
