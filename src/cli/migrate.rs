//! `kafka-wizard migrate FILE [--finalize | --rollback] [--dry-run]`: a ZooKeeper-mode cluster's migration to
//! KRaft, as Apache documents it (`apply::migrate`). The project's hosts with the role "controller" are its KRaft
//! controllers. Without a flag it provisions them, rolls the brokers into migration mode, waits until the active
//! controller copied ZooKeeper's metadata and rolls the brokers as KRaft brokers — the cluster can still go back
//! until then: `--rollback` takes it back to plain ZooKeeper mode and removes the controllers from the project
//! file. `--finalize` takes the controllers off ZooKeeper (irreversible), stops the ensemble and rewrites the
//! project file to KRaft mode. Where the migration stands is read from the hosts, so each can be run again after
//! an interruption.

use super::operate::{deploy_as, DeployArgs};
use kafka_wizard::apply::migrate::MigrateIntent;
use kafka_wizard::apply::MigrationReport;
use kafka_wizard::project::file::{self, KraftRewrite};
use kafka_wizard::project::spec::MigrationStage;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub deploy: DeployArgs,
    /// Finalize: the brokers run in KRaft mode — take the controllers off ZooKeeper, stop and disable the
    /// ensemble, rewrite the project file to KRaft mode. After it, the cluster cannot go back to ZooKeeper.
    #[arg(long, conflicts_with = "rollback")]
    pub finalize: bool,
    /// Roll back (before finalize only): the brokers back to plain ZooKeeper mode one at a time, the controllers
    /// stopped and their configuration and metadata moved aside (kept), ZooKeeper's /controller and /migration
    /// released; then the controllers are removed from the project file.
    #[arg(long)]
    pub rollback: bool,
}

pub fn run(args: MigrateArgs) -> ExitCode {
    let (intent, verb) = match (args.finalize, args.rollback) {
        (true, _) => (MigrateIntent::Finalize, "migrate-finalize"),
        (false, true) => (MigrateIntent::Rollback, "migrate-rollback"),
        (false, false) => (MigrateIntent::Advance, "migrate"),
    };
    deploy_as(args.deploy, false, intent, verb)
}

/// After a successful run that moved a migration: what comes next, and after finalize or a rollback the project
/// file rewritten (`project::file::rewrite_file_as_kraft` / `rewrite_file_without_controllers`: checked valid
/// first).
pub fn after(report: &MigrationReport, file: &Path) -> ExitCode {
    let shown = file.display();
    if report.rolled_back {
        let done = format!(
            "migration to KRaft rolled back: the cluster runs in ZooKeeper mode; {shown} no longer has KRaft \
             controllers (their configuration and metadata were moved aside on their hosts, suffix .rolled-back-<time>)"
        );
        return rewritten(file::rewrite_file_without_controllers(file), &done, "KRaft controller");
    }
    match report.stage {
        MigrationStage::Migrating => {
            eprintln!("migration to KRaft: the metadata is in KRaft; go on with `kafka-wizard migrate {shown}`");
            ExitCode::SUCCESS
        }
        MigrationStage::BrokersOnKraft => {
            eprintln!(
                "migration to KRaft: the brokers run in KRaft mode; the controllers still write every change to \
                 ZooKeeper, so the cluster can still go back (`kafka-wizard migrate {shown} --rollback`). Once it runs \
                 as it should: `kafka-wizard migrate {shown} --finalize` (irreversible)"
            );
            ExitCode::SUCCESS
        }
        MigrationStage::Finalized => {
            let id = &report.cluster_id;
            let done = format!(
                "migration to KRaft finalized: {shown} now says kafka.mode = \"kraft\" (cluster id {id}); the \
                 ZooKeeper ensemble is stopped and disabled, its data kept on disk"
            );
            rewritten(file::rewrite_file_as_kraft(file, id), &done, "ZooKeeper")
        }
    }
}

/// Says how the project file's rewrite went: `done` and the hosts it dropped (`role` was their only one), or the
/// error, which says what to change by hand.
fn rewritten(result: Result<KraftRewrite, impl std::fmt::Display>, done: &str, role: &str) -> ExitCode {
    match result {
        Ok(rewrite) => {
            eprintln!("{done}");
            if !rewrite.dropped.is_empty() {
                eprintln!("{} left the project ({role} was their only role)", rewrite.dropped.join(", "));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
