//! `kafka-wizard migrate FILE [--finalize] [--dry-run]`: a ZooKeeper-mode cluster's migration to KRaft, as Apache
//! documents it (`apply::migrate`). The project's hosts with the role "controller" are its KRaft controllers.
//! Without `--finalize` it provisions them, rolls the brokers into migration mode, waits until the active
//! controller copied ZooKeeper's metadata and rolls the brokers as KRaft brokers — the cluster can still go back
//! until then. `--finalize` takes the controllers off ZooKeeper (irreversible), stops the ensemble and rewrites
//! the project file to KRaft mode. Where the migration stands is read from the hosts, so either can be run again
//! after an interruption.

use super::operate::{deploy_as, DeployArgs};
use kafka_wizard::apply::migrate::MigrateIntent;
use kafka_wizard::apply::MigrationReport;
use kafka_wizard::project::spec::MigrationStage;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub deploy: DeployArgs,
    /// Finalize: the brokers run in KRaft mode — take the controllers off ZooKeeper, stop and disable the
    /// ensemble, rewrite the project file to KRaft mode. After it, the cluster cannot go back to ZooKeeper.
    #[arg(long)]
    pub finalize: bool,
}

pub fn run(args: MigrateArgs) -> ExitCode {
    let (intent, verb) = match args.finalize {
        true => (MigrateIntent::Finalize, "migrate-finalize"),
        false => (MigrateIntent::Advance, "migrate"),
    };
    deploy_as(args.deploy, false, intent, verb)
}

/// After a successful run that moved a migration: what comes next, and after finalize the project file rewritten.
pub fn after(report: &MigrationReport, file: &Path) -> ExitCode {
    let shown = file.display();
    match report.stage {
        MigrationStage::Migrating => {
            eprintln!("migration to KRaft: the metadata is in KRaft; go on with `kafka-wizard migrate {shown}`");
            ExitCode::SUCCESS
        }
        MigrationStage::BrokersOnKraft => {
            eprintln!(
                "migration to KRaft: the brokers run in KRaft mode; the controllers still write every change to \
                 ZooKeeper, so the cluster can still go back (Apache's rollback, README \"Migrating to KRaft\"). Once \
                 it runs as it should: `kafka-wizard migrate {shown} --finalize` (irreversible)"
            );
            ExitCode::SUCCESS
        }
        MigrationStage::Finalized => rewrite(file, &report.cluster_id),
    }
}

/// The project file rewritten to KRaft mode (checked valid before it is written).
fn rewrite(file: &Path, cluster_id: &str) -> ExitCode {
    let shown = file.display();
    let failed = |why: String| {
        eprintln!(
            "error: the migration is finalized, but {shown} could not be rewritten to KRaft mode: {why} — set \
             kafka.mode = \"kraft\" and kraft.cluster_id = \"{cluster_id}\", remove [zookeeper] and the role \
             \"zookeeper\" yourself"
        );
        ExitCode::FAILURE
    };
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return failed(e.to_string()),
    };
    let Some((after, dropped)) = kafka_wizard::project::file::rewrite_as_kraft(&text, cluster_id) else {
        return failed("it is not a project file any more".into());
    };
    let valid = kafka_wizard::project::parse(&after).ok().map(|d| kafka_wizard::project::validate(&d));
    if let Some(problems) =
        valid.as_ref().filter(|v| v.spec.is_none()).map(|v| v.errors().map(|p| p.to_string()).collect::<Vec<_>>())
    {
        return failed(format!("the rewritten file would be invalid: {}", problems.join("; ")));
    }
    if text != after {
        if let Err(e) = kafka_wizard::project::file::write_atomically(file, &after) {
            return failed(e.to_string());
        }
    }
    eprintln!("migration to KRaft finalized: {shown} now says kafka.mode = \"kraft\" (cluster id {cluster_id}); the ZooKeeper ensemble is stopped and disabled, its data kept on disk");
    if !dropped.is_empty() {
        eprintln!("{} left the project (ZooKeeper was their only role)", dropped.join(", "));
    }
    ExitCode::SUCCESS
}
