//! Command-line arguments and what the verbs share: loading a project and reporting its problems.
//!
//! Exit status: 0 success (warnings allowed), 1 the project is invalid or the operation failed, 2 bad usage.

/// `writeln!` into a `String` buffer (which cannot fail).
macro_rules! outln {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

pub mod client_config;
pub mod collect;
pub mod export;
pub mod import;
pub mod init;
mod interrupt;
pub mod migrate;
pub mod operate;
pub mod plan;
pub mod preflight;
pub mod progress;
pub mod reassign;
pub mod runlog;
pub mod shell_docs;
pub mod smoke;
pub mod status;
pub mod trust;
pub mod upgrade;
pub mod validate;
pub mod versions;

use clap::{Parser, Subcommand};
use kafka_wizard::project::{self, spec::ClusterSpec, LoadedProject, Problem};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "kafka-wizard",
    version = kafka_wizard::BUILD_VERSION,
    about = "Take Linux hosts to a running, verified Apache Kafka cluster under systemd"
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Write a new project file: without hosts (add them), or with --here a one-node KRaft cluster on this machine
    /// (`connection = "local"`) to deploy right away. Never replaces a file.
    Init(init::InitArgs),
    /// Check a project file; print every problem with the field it names (exit 1 on errors; warnings keep 0).
    Validate(validate::ValidateArgs),
    /// Show what deploy would do, per phase, host and step, without touching any host.
    Plan(plan::PlanArgs),
    /// Write every generated file at OUT/<host>/<path on host>, with an index and the commands to apply them.
    Export(export::ExportArgs),
    /// Write a project file from an Ansible inventory (INI or YAML; cp-ansible's and the Apache-Kafka roles' groups
    /// and variables); what cannot be mapped and secret-looking variables are listed as warnings, never copied.
    Import(import::ImportArgs),
    /// List the Apache Kafka releases the wizard knows: Scala builds, modes, Java needed.
    Versions(versions::VersionsArgs),
    /// Download, verify, upload, configure, register units, start in order and prove the cluster healthy.
    Deploy(operate::DeployArgs),
    /// Start the cluster: ZooKeeper or controllers first, then brokers, waiting for health in between.
    Start(operate::HostArgs),
    /// Stop the cluster: brokers first, then controllers, then ZooKeeper.
    Stop(operate::HostArgs),
    /// Rolling restart: one node at a time, each back in the cluster with every partition fully replicated before
    /// the next; refused when the cluster is not healthy before the first (unless --force).
    Restart(operate::RestartArgs),
    /// Per host: units, process listening, in the cluster; the cluster-wide health checks (exit 1 if unhealthy);
    /// per broker: controller, partitions led and held, under-replicated, under min.insync, log directories and
    /// free space; the quorum or ensemble; problems with what to do. `--watch` refreshes it in place.
    Status(status::StatusArgs),
    /// Write a support bundle (zip): every host's generated files, the last lines of its logs and unit journals,
    /// its facts (OS, Java, disks, limits, kernel settings), the status, the project and its newest run log —
    /// passwords and private keys redacted; manifest.json lists what was collected and redacted.
    Collect(collect::CollectArgs),
    /// Write a user's client.properties (Java client format, with the user's password) and ca.pem, both 0600, for
    /// a secured cluster (from the wizard's secrets store: deploy first).
    ClientConfig(client_config::ClientConfigArgs),
    /// Produce records with acks=all to a temporary topic (a partition led by each broker), read them back, compare,
    /// delete the topic; report latency and leadership (exit 1 on any loss or error, naming the broker).
    Smoke(smoke::SmokeArgs),
    /// Version upgrade: deploy's roll onto a raised kafka.version (protocol pinned, each host relinked right before
    /// its own restart), then `--finalize` (the protocol or metadata.version raised; no going back after it).
    Upgrade(upgrade::UpgradeArgs),
    /// Migrate a ZooKeeper-mode cluster to KRaft (its hosts with the role "controller" are the controllers):
    /// Apache's phases, health-gated and resumable; reversible until `--finalize`, which stops ZooKeeper and
    /// rewrites the project file to KRaft mode.
    Migrate(migrate::MigrateArgs),
    /// Spread replicas and preferred leaders evenly over the project's brokers (e.g. after adding one): throttled
    /// reassignments through Kafka's protocol, followed until complete, then preferred leader election.
    Rebalance(reassign::ReassignArgs),
    /// Move every replica off one broker (refused when the rest cannot hold a topic), then stop and disable its
    /// service, unregister it (KRaft) and remove it from the project file.
    Decommission(reassign::DecommissionArgs),
    /// The keys trusted to sign Kafka releases beside the built-in Apache release managers': import (after showing
    /// each fingerprint), list, remove. Only you add keys; a project file never can.
    Trust(trust::TrustArgs),
    /// Print shell completions for bash, zsh or fish (e.g. `source <(kafka-wizard completions bash)`).
    Completions(shell_docs::CompletionsArgs),
    /// Print the man page (roff; e.g. `kafka-wizard man > kafka-wizard.1 && man -l kafka-wizard.1`).
    Man,
}

/// The project file argument every project verb takes.
#[derive(clap::Args)]
pub struct ProjectArg {
    /// The project file (TOML, format 1).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Writes `text` to stdout; a closed pipe (`kafka-wizard versions | head`) ends quietly instead of panicking.
pub fn write_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("error: cannot write to stdout: {e}");
            std::process::exit(1);
        }
    }
}

pub fn print_problems<'a>(problems: impl IntoIterator<Item = &'a Problem>) {
    for p in problems {
        eprintln!("{p}");
    }
}

/// Loads and validates a project, saving a fresh KRaft cluster id into it when it has none (so it is generated
/// once and kept). Prints problems; returns the spec, or the exit code to end with.
pub fn load_spec(path: &Path) -> Result<(LoadedProject, ClusterSpec), ExitCode> {
    let loaded = project::load(path).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })?;
    if loaded.validation.spec.is_none() {
        print_problems(&loaded.validation.problems);
        let n = loaded.validation.errors().count();
        eprintln!("{}: {n} error(s) — nothing was done", path.display());
        return Err(ExitCode::FAILURE);
    }
    let (loaded, saved) = project::ensure_cluster_id(loaded).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })?;
    if let Some(id) = saved.cluster_id {
        eprintln!(
            "note: generated KRaft cluster id {} and saved it in {} (kraft.cluster_id)",
            id.as_str(),
            path.display()
        );
    }
    if let Some(ids) = saved.bootstrap_controllers {
        eprintln!(
            "note: saved the dynamic quorum's bootstrap controllers {ids:?} in {} (kraft.bootstrap_controllers): every \
             node finds the quorum through them, so adding or removing another controller changes no other node's files",
            path.display()
        );
    }
    print_problems(loaded.validation.warnings());
    let spec = loaded.validation.spec.clone().ok_or(ExitCode::FAILURE)?;
    // Kafka and ZooKeeper dials to hosts behind a jump host go through it, also in commands that never open SSH.
    kafka_wizard::transport::learn_routes(&spec.hosts, &kafka_wizard::transport::ConnectOptions::default());
    Ok((loaded, spec))
}
