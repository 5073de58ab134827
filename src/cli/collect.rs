//! `kafka-wizard collect FILE [--out ZIP] [--lines N]`: the support bundle (`kafka_wizard::collect`) — every host's
//! generated files, logs, journals and facts, the status, the project and its newest run log, redacted, in one zip.

use super::load_spec;
use super::operate::{options, runtime, HostArgs};
use kafka_wizard::collect::{self, LocalInputs, DEFAULT_LINES};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub hosts: HostArgs,
    /// The zip to write (a new file; default: <project>-support-<UTC time>.zip in the current directory).
    #[arg(long, value_name = "ZIP")]
    pub out: Option<PathBuf>,
    /// Lines of each log file and unit journal.
    #[arg(long, default_value_t = DEFAULT_LINES, value_name = "N")]
    pub lines: u32,
}

pub fn run(args: CollectArgs) -> ExitCode {
    let (_, spec) = match load_spec(&args.hosts.project.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let opts = match options(&spec, &args.hosts, None) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let out = args.out.unwrap_or_else(|| PathBuf::from(collect::default_file_name(&spec.name)));
    if std::fs::symlink_metadata(&out).is_ok() {
        eprintln!("error: {} already exists — choose another name for the support bundle (--out)", out.display());
        return ExitCode::FAILURE;
    }
    let local = LocalInputs::gather(Some(&args.hosts.project.file), &spec.name);
    let bundle = runtime().block_on(collect::collect(&spec, &opts, local, args.lines.max(1)));
    if let Err(e) = collect::write_zip(&bundle, &out) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let m = &bundle.manifest;
    for h in &m.hosts {
        match &h.error {
            None => eprintln!(
                "{}: {} entries{}",
                h.host,
                h.entries.len(),
                if h.omitted.is_empty() {
                    String::new()
                } else {
                    format!(", {} key file(s) left out", h.omitted.len())
                }
            ),
            Some(e) => eprintln!("{}: NOT REACHED — {e}", h.host),
        }
    }
    let bytes: usize = bundle.entries.iter().map(|e| e.content.len()).sum();
    eprintln!("redacted {} value(s): {}", m.redactions(), m.redaction);
    eprintln!(
        "support bundle: {} ({} entries, {} KiB before compression; manifest.json lists each)",
        out.display(),
        bundle.entries.len(),
        bytes / 1024
    );
    if m.hosts.iter().all(|h| h.reached) {
        ExitCode::SUCCESS
    } else {
        eprintln!("some hosts could not be reached: the bundle has what the others and this machine gave");
        ExitCode::FAILURE
    }
}
