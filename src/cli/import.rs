//! `kafka-wizard import --ansible INVENTORY [--out FILE] [--name NAME]`: an Ansible inventory → a project file,
//! validated; what could not be mapped and every secret-looking variable left out are warnings.

use super::print_problems;
use kafka_wizard::import::{self, ImportOptions};
use kafka_wizard::project::{self, draft};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ImportArgs {
    /// An Ansible inventory (INI or YAML; `group_vars/` and `host_vars/` beside it are read too) in the shape
    /// cp-ansible and the Apache-Kafka roles use: groups zookeeper, kafka_broker (or kafka), kafka_controller.
    #[arg(long, value_name = "INVENTORY")]
    pub ansible: PathBuf,
    /// The project file to write (never replaced when it exists); without it, the project goes to stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The project's name (else the inventory's `kafka_cluster_name`, its ZooKeeper chroot, or its file name).
    #[arg(long)]
    pub name: Option<String>,
}

pub fn run(args: ImportArgs) -> ExitCode {
    let imported = match import::import_ansible(&args.ansible, &ImportOptions { name: args.name }) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for w in &imported.warnings {
        eprintln!("warning: {w}");
    }
    let text = format!(
        "# Imported by kafka-wizard import --ansible {} — check it with `kafka-wizard validate`.\n{}",
        args.ansible.display(),
        draft::to_toml(&imported.draft)
    );
    let validation = project::validate(&imported.draft);
    print_problems(&validation.problems);
    match &args.out {
        None => super::write_stdout(&text),
        Some(out) => {
            let written = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(out)
                .and_then(|mut f| f.write_all(text.as_bytes()));
            match written {
                Ok(()) => eprintln!("wrote {} ({} host(s))", out.display(), imported.draft.hosts.len()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    eprintln!(
                        "error: {} already exists — choose another --out (import never replaces a file)",
                        out.display()
                    );
                    return ExitCode::FAILURE;
                }
                Err(e) => {
                    eprintln!("error: cannot write {}: {e}", out.display());
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    let errors = validation.errors().count();
    if errors > 0 {
        eprintln!("the imported project has {errors} error(s) (above): fix them in the project file, then `kafka-wizard validate`");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
