//! A ZooKeeper-mode cluster's migration to KRaft, as Apache documents it (docs/facts/kafka.md §34). The project
//! asks for it with hosts of the role "controller" (dedicated KRaft controllers, new hosts or beside the
//! ensemble); `kafka-wizard migrate` moves the cluster through Apache's stages, each one a deploy of the project
//! rendered for that stage (`project::spec::MigrationStage`, `render/server.rs`), so every step is the deploy's:
//! decided against the hosts' facts, idempotent, rolled one node at a time with the health gates in between.
//!
//! 1. **Migrating**: the controllers are formatted with the running cluster's id (read from the brokers' storage)
//!    and started with the migration flag and the ensemble; then the brokers roll with the migration flag and the
//!    controller quorum. The active controller copies ZooKeeper's metadata ([`MigrationDone`] waits for it).
//! 2. **BrokersOnKraft**: the brokers roll again as KRaft brokers (`node.id` = their `broker.id`). The controllers
//!    still write every change to ZooKeeper too, so until finalize the cluster can go back: `migrate --rollback`
//!    ([`rollback`], Apache's rollback).
//! 3. **Finalized** (`migrate --finalize`): the controllers roll without the migration flag and ZooKeeper; then the
//!    ensemble the project manages is stopped and disabled (its data stays on disk), and the front door rewrites
//!    the project file to KRaft mode (`project::file::rewrite_as_kraft`).
//!
//! Where the migration stands is read from the hosts on every run — each node's `server.properties` keys and
//! storage ([`judge`], pure) — never from local state, so a run cut off anywhere resumes where the hosts are. A
//! plain `deploy` keeps the stage the hosts are in (it never starts or advances a migration), and refuses one
//! that was never started or is being finalized.

pub mod rollback;
mod run;
#[cfg(test)]
mod secure_tests;
#[cfg(test)]
mod tests;

pub(crate) use run::{deploy, preview};

use crate::apply::facts::ServerMode;
use crate::catalog::Version;
use crate::project::spec::{ClusterSpec, MigrationStage};

/// The line the active controller logs when ZooKeeper's metadata is in KRaft (Apache's sign that the brokers may
/// move to KRaft, docs/facts/kafka.md §34), matched without regard to case: Apache's docs write "Zookeeper", 3.9.2
/// logs "ZooKeeper".
pub const COMPLETED_LINE: &str = "Completed migration of metadata from ZooKeeper to KRaft";

/// What a run does about the migration: keep it where it stands (`deploy`), move it on up to the reversible end
/// (`migrate`), finalize it (`migrate --finalize`) or take it back to ZooKeeper mode (`migrate --rollback`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MigrateIntent {
    #[default]
    Keep,
    Advance,
    Finalize,
    Rollback,
}

/// One Kafka node as the probe saw it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeState {
    pub host: String,
    pub broker: bool,
    pub controller: bool,
    /// The host has a `server.properties` written.
    pub configured: bool,
    pub server: ServerMode,
    /// `cluster.id` of each data directory's `meta.properties`.
    pub cluster_ids: Vec<String>,
    /// The release `<install_dir>/kafka` points at.
    pub linked: Option<Version>,
    /// A ZooKeeper-mode broker's `inter.broker.protocol.version` pin (a version upgrade not finalized).
    pub pinned: Option<String>,
    /// Its files changed and it was not restarted yet (`apply::pending`): it still runs what it ran before.
    pub restart_owed: bool,
}

/// Where the migration stands on the hosts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    /// `None`: not started (no controller configured, every broker in plain ZooKeeper mode).
    pub stage: Option<MigrationStage>,
    /// The running cluster's id, which the controllers are (or will be) formatted with.
    pub cluster_id: String,
    /// Every broker is configured as a KRaft broker and was restarted with it: finalize may go ahead.
    pub brokers_on_kraft: bool,
    /// Lines for people: where it stands, what is left.
    pub notes: Vec<String>,
}

/// Judges where the migration stands from the nodes' facts, or refuses with the reason and the fix (nothing
/// touched yet): a cluster that never ran, brokers of several clusters, a controller formatted for another
/// cluster, an unfinished version upgrade, hosts on another release than the project's.
pub fn judge(spec: &ClusterSpec, nodes: &[NodeState]) -> Result<Standing, String> {
    let version = spec.kafka.release.version;
    let brokers: Vec<&NodeState> = nodes.iter().filter(|n| n.broker).collect();
    let controllers: Vec<&NodeState> = nodes.iter().filter(|n| n.controller).collect();
    let mut ids: Vec<&str> = brokers.iter().flat_map(|n| n.cluster_ids.iter().map(String::as_str)).collect();
    ids.sort_unstable();
    ids.dedup();
    let cluster_id = match ids.as_slice() {
        [] => return Err("nothing to migrate: no broker of this project has run yet (no meta.properties in its data directories) — deploy a new cluster in KRaft mode instead (kafka.mode = \"kraft\", the hosts' role \"controller\" without \"zookeeper\")".into()),
        [one] => one.to_string(),
        many => return Err(format!("the brokers' storage belongs to {} clusters ({}) — the migration keeps ONE cluster's id; deploy the project in ZooKeeper mode until every broker is one cluster", many.len(), many.join(", "))),
    };
    for c in &controllers {
        if let Some(other) = c.cluster_ids.iter().find(|id| **id != cluster_id) {
            return Err(format!("{}: its storage is formatted for cluster {other}, not this cluster's {cluster_id} — empty its data directories (or give the role \"controller\" to another host)", c.host));
        }
    }
    let pinned: Vec<String> =
        brokers.iter().filter_map(|n| n.pinned.as_ref().map(|p| format!("{} ({p})", n.host))).collect();
    if !pinned.is_empty() {
        return Err(format!("the version upgrade to {version} is not finalized (inter.broker.protocol.version pinned on {}) — finish it first: `kafka-wizard upgrade FILE --finalize`", pinned.join(", ")));
    }
    let behind: Vec<String> = brokers
        .iter()
        .filter_map(|n| n.linked.filter(|v| *v != version).map(|v| format!("{} ({v})", n.host)))
        .collect();
    if !behind.is_empty() {
        return Err(format!(
            "every broker must run Kafka {version} before the migration, and {} do(es) not — deploy (or upgrade) first",
            behind.join(", ")
        ));
    }

    let kraft_brokers = brokers.iter().filter(|n| n.server.process_roles.is_some()).count();
    let kraft_running = brokers.iter().filter(|n| n.server.process_roles.is_some() && !n.restart_owed).count();
    let migrating_brokers =
        brokers.iter().filter(|n| n.server.process_roles.is_none() && n.server.migration_flag).count();
    let controller_configured = |n: &&&NodeState| n.configured && n.server.process_roles.is_some();
    let finalized_controllers =
        controllers.iter().filter(controller_configured).filter(|n| !n.server.migration_flag).count();
    let migrating_controllers =
        controllers.iter().filter(controller_configured).filter(|n| n.server.migration_flag).count();
    let (b, c) = (brokers.len(), controllers.len());
    let (stage, note) = if finalized_controllers > 0 && kraft_brokers == b {
        let note = format!("finalizing: {finalized_controllers} of {c} controller(s) left ZooKeeper");
        (Some(MigrationStage::Finalized), note)
    } else if kraft_brokers > 0 {
        let note = format!("{kraft_brokers} of {b} broker(s) configured as KRaft brokers, {kraft_running} of them restarted with it; the controllers still write to ZooKeeper too (reversible until finalize)");
        (Some(MigrationStage::BrokersOnKraft), note)
    } else if migrating_brokers > 0 || migrating_controllers > 0 {
        let note = format!("migrating: {migrating_controllers} of {c} controller(s) configured, {migrating_brokers} of {b} broker(s) talk to them");
        (Some(MigrationStage::Migrating), note)
    } else {
        (None, format!("not started: {b} broker(s) in ZooKeeper mode, {c} controller(s) to provision"))
    };
    let brokers_on_kraft = kraft_running == b;
    Ok(Standing { stage, cluster_id, brokers_on_kraft, notes: vec![format!("migration to KRaft: {note}")] })
}

/// What a run does next from where the migration stands: the stages it deploys, in order (empty: nothing), or a
/// refusal naming the command that goes on.
pub fn stages_to_run(standing: &Standing, intent: MigrateIntent) -> Result<Vec<MigrationStage>, String> {
    use MigrationStage::*;
    match (intent, standing.stage) {
        // Apache finalizes only once every broker runs in KRaft mode: a roll cut off before its last broker first.
        (MigrateIntent::Finalize, Some(BrokersOnKraft)) if !standing.brokers_on_kraft => Err("not every broker runs in KRaft mode yet (a run was cut off in its roll) — run `kafka-wizard migrate FILE` to finish moving them, then finalize".into()),
        (MigrateIntent::Keep, None) => Err("the project has hosts with the role \"controller\": a migration to KRaft that has not started — start it with `kafka-wizard migrate FILE` (or remove the role to keep deploying the cluster in ZooKeeper mode)".into()),
        (MigrateIntent::Keep, Some(Finalized)) => Err("the migration to KRaft is being finalized — finish it with `kafka-wizard migrate FILE --finalize`".into()),
        (MigrateIntent::Keep, Some(stage)) => Ok(vec![stage]),
        (MigrateIntent::Advance, None | Some(Migrating)) => Ok(vec![Migrating, BrokersOnKraft]),
        (MigrateIntent::Advance, Some(BrokersOnKraft)) => Ok(vec![BrokersOnKraft]),
        (MigrateIntent::Advance, Some(Finalized)) => Err("the migration to KRaft is being finalized — finish it with `kafka-wizard migrate FILE --finalize`".into()),
        (MigrateIntent::Finalize, None | Some(Migrating)) => Err("the brokers do not run in KRaft mode yet — run `kafka-wizard migrate FILE` first, then finalize".into()),
        (MigrateIntent::Finalize, Some(BrokersOnKraft | Finalized)) => Ok(vec![Finalized]),
        // A rollback deploys no stage forward: its steps are `rollback::rollback_steps`.
        (MigrateIntent::Rollback, _) => Ok(vec![]),
    }
}

/// `migrate` (any intent but keeping) asks for a migration the project does not describe: refused before any host
/// is touched, saying what a migration needs.
pub fn refuse_without_controllers(
    spec: &ClusterSpec,
    opts: &crate::apply::DeployOptions,
) -> Result<(), crate::apply::ApplyError> {
    if opts.migrate == MigrateIntent::Keep || spec.migration().is_some() {
        return Ok(());
    }
    let why = match spec.is_kraft() {
        true => "the project is in KRaft mode already: there is no migration to move".to_string(),
        false => "the project has no host with the role \"controller\": nothing to migrate or roll back — to migrate, add the KRaft controllers (dedicated hosts, or beside the ensemble, with ids no broker has); after a rollback the project has none".to_string(),
    };
    Err(crate::apply::ApplyError::Migration(why))
}

/// The project's spec rendered for `stage` of its migration, with the running cluster's id.
pub fn at_stage(spec: &ClusterSpec, stage: MigrationStage, cluster_id: &str) -> ClusterSpec {
    let mut staged = spec.clone();
    if let crate::project::spec::Coordination::Zookeeper(z) = &mut staged.coordination {
        if let Some(m) = &mut z.migration {
            m.stage = stage;
            m.cluster_id = Some(crate::project::spec::ClusterId(cluster_id.to_string()));
        }
    }
    staged
}
