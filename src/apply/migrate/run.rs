//! The migration's runs (`deploy`, `migrate`, `migrate --finalize`, and their dry runs): every host connected
//! and probed, the stage [`judge`](super::judge)d, then each stage left deployed in turn (`deploy::deploy_planned`
//! with the project rendered for it) — after the first, the wait until the active controller copied ZooKeeper's
//! metadata; after finalize, the managed ensemble stopped and disabled.

use super::{at_stage, judge, stages_to_run, MigrateIntent, NodeState, Standing, COMPLETED_LINE};
use crate::apply::deploy::deploy_planned;
use crate::apply::hosts::{connect_and_probe, exec_checked, step_on_hosts, transports_of, HostRun};
use crate::apply::options::{ApplyError, Cancel, DeployOptions, DeploySummary, MigrationReport};
use crate::apply::preview::{preview_planned, PreviewRow};
use crate::apply::runlock::Access;
use crate::events::{Event, EventSink, Outcome, Target};
use crate::plan::{Limit, PhaseKind};
use crate::project::spec::{ClusterSpec, MigrationStage, Role};
use crate::render::Service;
use crate::shell::quote;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the controllers' logs are read while the metadata is copied.
const POLL: Duration = Duration::from_millis(500);

/// A deploy of a project migrating to KRaft: the stages `opts.migrate` asks for, from where the hosts stand.
pub(crate) async fn deploy(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: EventSink,
    cancel: Cancel,
) -> Result<DeploySummary, ApplyError> {
    let standing = standing(spec, opts, &events).await?;
    if opts.migrate == MigrateIntent::Rollback {
        return super::rollback::roll_back(spec, opts, &standing, events, cancel).await;
    }
    let stages = stages_to_run(&standing, opts.migrate).map_err(ApplyError::Migration)?;
    let mut total = DeploySummary::default();
    for stage in stages {
        if cancel.is_cancelled() {
            return Err(ApplyError::Cancelled);
        }
        let staged = at_stage(spec, stage, &standing.cluster_id);
        log(&events, format!("migration to KRaft: {}", what_it_does(stage)));
        let summary = deploy_planned(&staged, opts, events.clone(), cancel.clone()).await?;
        merge(&mut total, summary);
        match stage {
            MigrationStage::Migrating => wait_until_migrated(&staged, opts, &events, &cancel).await?,
            MigrationStage::Finalized => {
                total.changed += stop_ensemble(&staged, opts, &events).await?;
                rekey_secrets(&staged, &standing.cluster_id, &events)?;
            }
            MigrationStage::BrokersOnKraft => {}
        }
        total.migration = Some(MigrationReport { stage, cluster_id: standing.cluster_id.clone(), rolled_back: false });
    }
    Ok(total)
}

/// The dry run of a migrating project: where it stands, then what the next stage's deploy would change.
pub(crate) async fn preview(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: EventSink,
) -> Result<Vec<PreviewRow>, ApplyError> {
    let standing = standing(spec, opts, &events).await?;
    let mut rows: Vec<PreviewRow> =
        standing.notes.iter().map(|n| PreviewRow::wizard(PhaseKind::Migrate, "migration", false, n)).collect();
    if opts.migrate == MigrateIntent::Rollback {
        rows.extend(super::rollback::preview(spec, opts, &standing, events).await?);
        return Ok(rows);
    }
    let stages = stages_to_run(&standing, opts.migrate).map_err(ApplyError::Migration)?;
    for (i, stage) in stages.iter().enumerate() {
        rows.push(PreviewRow::wizard(
            PhaseKind::Migrate,
            &format!("migration stage {}", stage.id()),
            true,
            what_it_does(*stage),
        ));
        if i == 0 {
            let staged = at_stage(spec, *stage, &standing.cluster_id);
            rows.extend(preview_planned(&staged, opts, events.clone()).await?);
        }
    }
    if stages.len() > 1 {
        rows.push(PreviewRow::wizard(
            PhaseKind::Migrate,
            "migration",
            false,
            "the later stage is decided against the hosts once the first one ran",
        ));
    }
    Ok(rows)
}

/// What deploying `stage` does, for the log and the dry run.
fn what_it_does(stage: MigrationStage) -> &'static str {
    match stage {
        MigrationStage::Migrating => "provision the KRaft controllers (formatted with the cluster's id, the migration on), roll the brokers into migration mode, then wait until the active controller copied ZooKeeper's metadata",
        MigrationStage::BrokersOnKraft => "roll the brokers as KRaft brokers (the controllers keep writing to ZooKeeper until finalize)",
        MigrationStage::Finalized => "roll the controllers without ZooKeeper (irreversible), then stop and disable the ZooKeeper ensemble",
    }
}

pub(super) fn log(events: &EventSink, message: String) {
    events(Event::Log { target: Target::Wizard, message });
}

pub(super) fn merge(total: &mut DeploySummary, one: DeploySummary) {
    total.changed += one.changed;
    total.unchanged += one.unchanged;
    for (host, bytes) in one.uploaded {
        *total.uploaded.entry(host).or_default() += bytes;
    }
    for host in one.started {
        if !total.started.contains(&host) {
            total.started.push(host);
        }
    }
    for (host, kept) in one.backups {
        total.backups.entry(host).or_default().extend(kept);
    }
    total.new_brokers.extend(one.new_brokers);
}

/// Connects to every host, probes it and judges where the migration stands (a refusal touches nothing).
async fn standing(spec: &ClusterSpec, opts: &DeployOptions, events: &EventSink) -> Result<Standing, ApplyError> {
    if !opts.limit.is_all() {
        return Err(ApplyError::Migration(
            "--limit: a project migrating to KRaft is deployed on every host, never a part".into(),
        ));
    }
    let spec = Arc::new(spec.clone());
    let runs = connect_and_probe(&spec, &opts.connect, &Limit::all(), Access::Change, events).await?;
    let standing = judge(&spec, &node_states(&spec, &runs)).map_err(ApplyError::Migration)?;
    for note in &standing.notes {
        log(events, note.clone());
    }
    Ok(standing)
}

fn node_states(spec: &ClusterSpec, runs: &[HostRun]) -> Vec<NodeState> {
    let server = spec.kafka.config_dir.join("server.properties");
    runs.iter()
        .filter(|r| spec.hosts[r.index].runs_kafka())
        .map(|r| {
            let h = &spec.hosts[r.index];
            NodeState {
                host: h.name.to_string(),
                broker: h.has(Role::Broker),
                controller: h.has(Role::Controller),
                configured: r.facts.files.get(server.as_str()).is_some_and(Option::is_some),
                server: r.facts.server_mode.clone(),
                cluster_ids: r.facts.meta_cluster_ids.values().cloned().collect(),
                linked: r.facts.link_target.as_deref().and_then(crate::apply::upgrade::linked_version),
                pinned: r.facts.pinned_protocol.clone(),
                restart_owed: r.facts.owes_restart(Service::Kafka),
            }
        })
        .collect()
}

/// Waits until the active controller copied ZooKeeper's metadata into KRaft: one of the controllers logged
/// [`COMPLETED_LINE`] (Apache's sign; the brokers' Metadata cannot tell, since a broker in migration mode names a
/// random live broker as the controller once a KRaft controller leads, docs/facts/kafka.md §34).
async fn wait_until_migrated(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: &EventSink,
    cancel: &Cancel,
) -> Result<(), ApplyError> {
    let step = "wait until the active controller copied ZooKeeper's metadata into KRaft".to_string();
    events(Event::StepStarted { target: Target::Wizard, step: step.clone() });
    let names: Vec<String> = spec.controllers().map(|h| h.name.to_string()).collect();
    let limit = Limit::parse(spec, &names.join(",")).expect("the controllers are the project's hosts");
    let transports =
        crate::apply::connect::connect_all(spec, &limit, &opts.connect).await.map_err(ApplyError::Connect)?;
    let grep = format!("grep -qsiF {} {}/server.log*", quote(COMPLETED_LINE), quote(spec.kafka.log_dir.as_str()));
    let started = Instant::now();
    // The copy reads every topic's metadata from ZooKeeper: allow it longer than one health condition.
    let deadline = opts.health_timeout.max(Duration::from_secs(120)) * 2;
    loop {
        if cancel.is_cancelled() {
            return Err(ApplyError::Cancelled);
        }
        for (index, t) in &transports {
            let (t, grep) = (t.clone(), grep.clone());
            let found =
                tokio::task::spawn_blocking(move || exec_checked(t.as_ref(), &grep).is_ok()).await.unwrap_or(false);
            if found {
                let (host, took) = (&spec.hosts[*index].name, started.elapsed().as_secs_f64());
                let detail = format!("{host} logged \"{COMPLETED_LINE}\" ({took:.0} s)");
                events(Event::StepFinished { target: Target::Wizard, step, outcome: Outcome::Changed { detail } });
                return Ok(());
            }
        }
        if started.elapsed() > deadline {
            let error = format!("no controller logged \"{COMPLETED_LINE}\" within {} s — read the controllers' {}/server.log (the copy starts once every broker registered with the migration on), then run `kafka-wizard migrate FILE` again", deadline.as_secs(), spec.kafka.log_dir);
            events(Event::StepFailed { target: Target::Wizard, step, error: error.clone() });
            return Err(ApplyError::Migration(error));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Finalize's last step: the ensemble the project manages stopped and disabled on every member (its data stays on
/// disk); the number of members changed.
async fn stop_ensemble(spec: &ClusterSpec, opts: &DeployOptions, events: &EventSink) -> Result<usize, ApplyError> {
    let members: Vec<String> = spec.zookeeper_members().iter().map(|h| h.name.to_string()).collect();
    if members.is_empty() {
        log(events, "the ZooKeeper ensemble is not the project's (zookeeper.external): stop it yourself once no other cluster uses it".into());
        return Ok(0);
    }
    let limit = Limit::parse(spec, &members.join(",")).expect("the members are the project's hosts");
    let spec = Arc::new(spec.clone());
    let runs = connect_and_probe(&spec, &opts.connect, &limit, Access::Change, events).await?;
    let indexes: Vec<usize> = runs.iter().map(|r| r.index).collect();
    let changed: usize =
        runs.iter().filter(|r| r.facts.is_active(Service::Zookeeper) || r.facts.is_enabled(Service::Zookeeper)).count();
    let unit = Service::Zookeeper.unit();
    let script = format!(
        "systemctl disable --now {u} >/dev/null 2>&1 || systemctl stop {u}\n\
         systemctl is-active --quiet {u} && {{ echo '{u} still runs' >&2; exit 1; }}\n\
         echo \"$(systemctl is-enabled {u} 2>/dev/null || echo not-found) $(systemctl is-active {u} 2>/dev/null || true)\"",
        u = quote(unit)
    );
    let failures = step_on_hosts(
        &spec,
        &transports_of(&runs),
        &indexes,
        &format!("stop and disable {unit}"),
        events,
        move |t, _, _| exec_checked(t, &script).map(|()| "stopped and disabled; its data stays on disk".to_string()),
    )
    .await;
    ApplyError::check(failures)?;
    Ok(changed)
}

/// Finalize's end on a secured cluster: its secrets store moved to the key of the project rewritten to KRaft mode
/// (the cluster id, `SecretsStore::rekey_as_kraft`), so the same CA, certificates and passwords serve it.
fn rekey_secrets(spec: &ClusterSpec, cluster_id: &str, events: &EventSink) -> Result<(), ApplyError> {
    if spec.security.is_none() {
        return Ok(());
    }
    let store = crate::security::store::SecretsStore::for_cluster(spec);
    if let Some(to) = store.rekey_as_kraft(cluster_id)? {
        log(events, format!("secrets store moved to {} (the KRaft project's key, its cluster id)", to.display()));
    }
    Ok(())
}
