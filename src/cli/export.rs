//! `kafka-wizard export FILE --out DIR [--zip] [--force]`.

use super::{load_spec, ProjectArg};
use kafka_wizard::export;
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
    /// Replace an earlier export in OUT (only a folder that kafka-wizard export wrote).
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: ExportArgs) -> ExitCode {
    let (_, spec) = match load_spec(&args.project.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let entries = match export::entries(&spec) {
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
        if out.exists() && !args.force {
            eprintln!("error: {} already exists — choose another name or pass --force to replace it", out.display());
            return ExitCode::FAILURE;
        }
        (export::write_zip(&entries, &out), out)
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
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
