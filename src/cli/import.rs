//! `kafka-wizard import --ansible INVENTORY | --hosts H1,H2,… [--out FILE] [--name NAME]`: an Ansible inventory, or
//! what running hosts hold (read over SSH, `import::live`; `--jump` and `--use-ssh-config` reach them as a
//! project's `[ssh]` would, and are written into it) → a project file, validated; what could not be mapped and
//! every secret-looking setting left out are warnings.

use super::operate::SshArgs;
use super::print_problems;
use kafka_wizard::import::live::{self, LiveHost};
use kafka_wizard::import::{self, ImportOptions};
use kafka_wizard::project::spec::{ProjectSet, SshSettings};
use kafka_wizard::project::{self, draft};
use kafka_wizard::project::{checks, defaults};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["ansible", "hosts"])))]
pub struct ImportArgs {
    /// An Ansible inventory (INI or YAML; `group_vars/` and `host_vars/` beside it are read too) in the shape
    /// cp-ansible and the Apache-Kafka roles use: groups zookeeper, kafka_broker (or kafka), kafka_controller.
    #[arg(long, value_name = "INVENTORY")]
    pub ansible: Option<PathBuf>,
    /// Running hosts to read over SSH (`NAME` or `NAME=ADDRESS`, comma-separated): their systemd units that run
    /// Kafka's or ZooKeeper's start script, the properties files those are given, the release and `myid`.
    #[arg(long, value_name = "HOST[,HOST]", value_delimiter = ',')]
    pub hosts: Vec<String>,
    /// The SSH user the hosts are read as (root, or a user with passwordless sudo / `--ask-become-password`);
    /// default root (with `--use-ssh-config`: ssh_config's `User`, else root).
    #[arg(long, requires = "hosts")]
    pub ssh_user: Option<String>,
    /// Default 22 (with `--use-ssh-config`: ssh_config's `Port`, else 22).
    #[arg(long, requires = "hosts")]
    pub ssh_port: Option<u16>,
    /// Reach every host through this jump host (bastion), `[USER@]HOST[:PORT]`, like a project's `[ssh] jump`;
    /// written into the project.
    #[arg(long, value_name = "[USER@]HOST[:PORT]", requires = "hosts")]
    pub jump: Option<String>,
    /// Read ~/.ssh/config for what the flags leave unset (HostName, User, Port, IdentityFile, ProxyJump,
    /// UserKnownHostsFile), like a project's `[ssh] use_ssh_config = true`; written into the project.
    #[arg(long, requires = "hosts")]
    pub use_ssh_config: bool,
    /// The private key to log in with (else the SSH agent's and the default keys).
    #[arg(long, value_name = "FILE", requires = "hosts")]
    pub identity_file: Option<String>,
    /// The known_hosts file holding the hosts' keys (else ~/.ssh/known_hosts).
    #[arg(long, value_name = "FILE", requires = "hosts")]
    pub known_hosts: Option<String>,
    #[command(flatten)]
    pub ssh: SshArgs,
    /// The project file to write (never replaced when it exists); without it, the project goes to stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The project's name (else the inventory's `kafka_cluster_name`, its ZooKeeper chroot, or its file name).
    #[arg(long)]
    pub name: Option<String>,
}

pub fn run(args: ImportArgs) -> ExitCode {
    let (draft, warnings, source) = match &args.ansible {
        Some(inventory) => match import::import_ansible(inventory, &ImportOptions { name: args.name.clone() }) {
            Ok(i) => (i.draft, i.warnings, format!("--ansible {}", inventory.display())),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => match from_hosts(&args) {
            Ok(i) => (i.draft, i.warnings, format!("--hosts {}", args.hosts.join(","))),
            Err(code) => return code,
        },
    };
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let text = format!(
        "# Imported by kafka-wizard import {source} — check it with `kafka-wizard validate`.\n{}",
        draft::to_toml(&draft)
    );
    let validation = project::validate(&draft);
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
                Ok(()) => eprintln!("wrote {} ({} host(s))", out.display(), draft.hosts.len()),
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

/// `--hosts`: every host read over SSH (host keys verified as for a deploy), then mapped.
fn from_hosts(args: &ImportArgs) -> Result<live::LiveImport, ExitCode> {
    let fail = |e: String| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    };
    let hosts: Vec<LiveHost> = args.hosts.iter().map(|h| LiveHost::parse(h)).collect::<Result<_, _>>().map_err(fail)?;
    let connect = args.ssh.connect_options()?;
    let jump = match &args.jump {
        Some(raw) => checks::jump(raw).map_err(|e| fail(format!("--jump: {}", e.en)))?,
        None => None,
    };
    let user = args.ssh_user.clone().unwrap_or_else(|| defaults::SSH_USER.into());
    let ssh = SshSettings {
        sudo: user != "root",
        user,
        port: args.ssh_port.unwrap_or(defaults::SSH_PORT),
        identity_file: args.identity_file.clone(),
        known_hosts: args.known_hosts.clone(),
        jump,
        ssh_config: args.use_ssh_config.then_some(ProjectSet {
            user: args.ssh_user.is_some(),
            port: args.ssh_port.is_some(),
            jump: args.jump.is_some(),
            sudo: false,
        }),
    };
    live::import_live(&hosts, &ssh, &connect, args.name.clone()).map_err(fail)
}
