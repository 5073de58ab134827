//! The runner of `rebalance` and `decommission`: reads the cluster ([`read_view`]: Metadata of all topics,
//! ListPartitionReassignments, each topic's `min.insync.replicas`), refuses or plans (`plan.rs`), and walks the
//! plan's phases, each one an event phase: reassignments an earlier run left are waited for first (so a killed run
//! is finished, not started over); the throttle is set, the moves asked for and followed with
//! ListPartitionReassignments until none is left (progress events), the throttle removed, preferred leaders
//! elected; a decommission then stops and disables the broker's unit over SSH, unregisters it (KRaft) and drops it
//! from the project file. Cancel stops waiting only: Kafka finishes the moves, a re-run clears the throttle.

use super::balance::{PartitionReplicas, Reassignment};
use super::client::{AdminSession, ConfigChange, NOT_CONTROLLER};
use super::plan::{self, broker_host, project_brokers, ClusterView, Procedure, ReassignPhase, ReassignPlan};
use crate::apply::runlock::{self, HostBusy, Lock};
use crate::apply::{secrets, Cancel};
use crate::events::{Event, EventSink, Outcome, Target};
use crate::health::{self, HealthError};
use crate::project::spec::{ClusterSpec, Coordination};
use crate::security::client::KafkaAuth;
use crate::transport::{self, ConnectOptions, HostAccess};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The replication throttle while replicas move when the operator names none, MB/s (the CLI's `--throttle`, the
/// app's Rebalance and Decommission broker…).
pub const DEFAULT_THROTTLE_MB: u64 = 50;

const PROBE_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_secs(1);
/// Reassignments asked for in one request.
const BATCH: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum ReassignError {
    /// Refused before anything changed.
    #[error("{0} — nothing was changed")]
    Refused(String),
    /// The cluster could not be asked, or refused a request.
    #[error("{0}")]
    Cluster(String),
    /// A host step failed (stopping the broker).
    #[error("{host}: {message}")]
    Host { host: String, message: String },
    #[error("cannot update the project file {path}: {message}")]
    ProjectFile { path: PathBuf, message: String },
    #[error("cancelled: {0}")]
    Cancelled(String),
}

impl From<HealthError> for ReassignError {
    fn from(e: HealthError) -> Self {
        ReassignError::Cluster(e.to_string())
    }
}

/// How a procedure runs.
#[derive(Clone, Debug)]
pub struct ReassignOptions {
    pub procedure: Procedure,
    /// Replication throttle while replicas move, bytes per second.
    pub throttle_bytes: u64,
    /// How to reach the host of a decommissioned broker.
    pub connect: ConnectOptions,
}

/// What a run did: its plan, and the per-broker counts at the end.
#[derive(Clone, Debug)]
pub struct ReassignReport {
    pub plan: ReassignPlan,
    /// Reassignments an earlier, interrupted run started that this run waited for.
    pub resumed: usize,
    /// Partitions whose preferred leader was elected by this run.
    pub elected: usize,
    /// Per broker at the end (replicas, preferred leaders), and who actually leads how many.
    pub final_loads: Vec<(i32, usize, usize)>,
    /// The project file was changed (decommission).
    pub project_updated: bool,
}

fn addr_of(spec: &ClusterSpec, broker: i32) -> Option<String> {
    broker_host(spec, broker).map(|h| format!("{}:{}", h.reach().for_host_port(), spec.kafka.listener_port))
}

/// Metadata of all topics from the first project broker that answers, and the address to send admin requests to:
/// in ZooKeeper mode the controller (Metadata's controller id), in KRaft the broker that answered (it forwards).
async fn metadata(
    spec: &ClusterSpec,
    auth: &KafkaAuth,
) -> Result<(String, health::ClusterMetadata, Vec<health::PartitionState>), ReassignError> {
    let mut errors = Vec::new();
    for b in project_brokers(spec) {
        let Some(addr) = addr_of(spec, b) else { continue };
        match health::metadata(&addr, auth, PROBE_TIMEOUT, None).await {
            Ok(resp) => {
                let cluster = health::cluster_of(&resp);
                let admin = match spec.coordination {
                    Coordination::Zookeeper(_) => addr_of(spec, cluster.controller_id).unwrap_or(addr),
                    Coordination::Kraft(_) => addr,
                };
                return Ok((admin, cluster, health::partitions_of(&resp)));
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    Err(ReassignError::Cluster(format!("no broker answered: {}", errors.join("; "))))
}

/// The cluster now: live brokers, every partition with the replicas it ends with, the reassignments in progress,
/// each topic's `min.insync.replicas`; and the admin address.
pub async fn read_view(spec: &ClusterSpec, auth: &KafkaAuth) -> Result<(String, ClusterView), ReassignError> {
    // hosts behind a jump host are dialled through it, though a view opens no SSH connection
    crate::transport::learn_routes(&spec.hosts, &crate::transport::ConnectOptions::default());
    let (admin, cluster, states) = metadata(spec, auth).await?;
    let ongoing = {
        let mut s = AdminSession::open(&admin, auth).await?;
        s.list_reassignments().await?.map_err(|r| ReassignError::Cluster(format!("{admin}: {r}")))?
    };
    let mut partitions: Vec<PartitionReplicas> = states
        .iter()
        .filter(|p| p.partition >= 0)
        .map(|p| PartitionReplicas { topic: p.topic.clone(), partition: p.partition, replicas: p.replicas.clone() })
        .collect();
    for p in partitions.iter_mut() {
        if let Some(o) = ongoing.iter().find(|o| o.topic == p.topic && o.partition == p.partition) {
            p.replicas = o.target();
        }
    }
    let topics: Vec<String> = {
        let mut t: Vec<String> = partitions.iter().map(|p| p.topic.clone()).collect();
        t.dedup();
        t
    };
    let min_insync = health::topics_min_insync_with(&admin, auth, PROBE_TIMEOUT, &topics).await?;
    let live = cluster.brokers.iter().map(|b| b.id).collect();
    Ok((admin, ClusterView { live, partitions, ongoing, min_insync }))
}

/// The project text a decommission leaves (checked valid before anything changes), or the refusal.
fn project_after(spec: &ClusterSpec, path: &Path, procedure: Procedure) -> Result<Option<String>, ReassignError> {
    let host = match procedure {
        Procedure::Decommission { broker } => broker_host(spec, broker),
        Procedure::RemoveController { controller } => super::controller::controller_host(spec, controller),
        Procedure::Rebalance => None,
    };
    let Some(host) = host else { return Ok(None) };
    let file_error = |message: String| ReassignError::ProjectFile { path: path.to_owned(), message };
    let text = std::fs::read_to_string(path).map_err(|e| file_error(e.to_string()))?;
    // A removed controller is a dedicated one (`controller::static_refusal`): its whole host goes.
    let after = match procedure {
        Procedure::RemoveController { controller } => crate::project::file::without_host(&text, host.name.as_str())
            .map(|after| {
                let remaining = super::controller::remaining_controllers(spec, controller);
                crate::project::file::without_bootstrap_controller(&after, controller as u32, &remaining)
            }),
        _ => crate::project::file::without_broker(&text, host.name.as_str()),
    }
    .ok_or_else(|| file_error(format!("no [[hosts]] entry named {}", host.name)))?;
    let draft = crate::project::parse(&after).map_err(|e| file_error(e.to_string()))?;
    let validation = crate::project::validate(&draft);
    if validation.spec.is_none() {
        let problems: Vec<String> = validation.errors().map(|p| p.to_string()).collect();
        return Err(ReassignError::Refused(format!(
            "without {} the project would be invalid: {}",
            host.name,
            problems.join("; ")
        )));
    }
    Ok(Some(after))
}

/// Reads the cluster and plans `opts.procedure` — refused (nothing changed) when it cannot be done. The dry run.
pub async fn preview(
    spec: &ClusterSpec,
    project: &Path,
    opts: &ReassignOptions,
) -> Result<ReassignPlan, ReassignError> {
    let auth = secrets::kafka_auth(spec).map_err(ReassignError::Cluster)?;
    let (_, view) = read_view(spec, &auth).await?;
    if let Some(why) = plan::refusal(spec, &view, opts.procedure) {
        return Err(ReassignError::Refused(why));
    }
    if let Procedure::RemoveController { controller } = opts.procedure {
        super::remove_voter::check(spec, controller).await?;
    }
    project_after(spec, project, opts.procedure)?;
    Ok(plan::plan(spec, &view, opts.procedure, opts.throttle_bytes))
}

fn phase_event(events: &EventSink, phase: &ReassignPhase) {
    events(Event::PhaseStarted { phase: phase.id().into(), title: phase.title(), targets: vec![Target::Wizard] });
}

fn log(events: &EventSink, message: String) {
    events(Event::Log { target: Target::Wizard, message });
}

/// Runs `opts.procedure` on the cluster of `spec` (`project`: its file, which a decommission edits).
pub async fn run(
    spec: &ClusterSpec,
    project: &Path,
    opts: &ReassignOptions,
    events: &EventSink,
    cancel: &Cancel,
) -> Result<ReassignReport, ReassignError> {
    let auth = secrets::kafka_auth(spec).map_err(ReassignError::Cluster)?;
    let (_, mut view) = read_view(spec, &auth).await?;
    if let Some(why) = plan::refusal(spec, &view, opts.procedure) {
        return Err(ReassignError::Refused(why));
    }
    if let Procedure::RemoveController { controller } = opts.procedure {
        super::remove_voter::check(spec, controller).await?;
    }
    let new_project = project_after(spec, project, opts.procedure)?;
    let known = project_brokers(spec);
    for stranger in view.live.iter().filter(|b| !known.contains(b)) {
        let message = format!("broker {stranger} is in the cluster but not in the project: nothing is placed on it");
        events(Event::Warning { target: Target::Wizard, message });
    }
    let resumed = view.ongoing.len();
    if !view.ongoing.is_empty() {
        let phase = ReassignPhase::FinishOngoing {
            partitions: view.ongoing.iter().map(|o| format!("{}-{}", o.topic, o.partition)).collect(),
            bytes_per_second: opts.throttle_bytes,
        };
        phase_event(events, &phase);
        alter_configs(spec, &auth, &plan::rate_changes(&view.live, opts.throttle_bytes), events).await?;
        wait_for_moves(spec, &auth, view.ongoing.len(), events, cancel).await?;
        events(Event::PhaseFinished { phase: phase.id().into() });
        view = read_view(spec, &auth).await?.1;
    }
    let plan = plan::plan(spec, &view, opts.procedure, opts.throttle_bytes);
    let mut elected = 0;
    let mut project_updated = false;
    for phase in &plan.phases {
        if matches!(phase, ReassignPhase::FinishOngoing { .. }) {
            continue;
        }
        phase_event(events, phase);
        match phase {
            ReassignPhase::FinishOngoing { .. } => {}
            ReassignPhase::Throttle { changes, .. } => alter_configs(spec, &auth, changes, events).await?,
            ReassignPhase::Reassign { moves } => {
                reassign(spec, &auth, moves, events).await?;
                wait_for_moves(spec, &auth, moves.len(), events, cancel).await?;
            }
            ReassignPhase::ClearThrottle { .. } => {
                // Read again: the brokers and topics now, whatever an earlier run throttled.
                let (_, now) = read_view(spec, &auth).await?;
                alter_configs(spec, &auth, &plan::clear_changes(&now), events).await?;
            }
            ReassignPhase::ElectLeaders => elected = elect_leaders(spec, &auth, events).await?,
            ReassignPhase::StopBroker { host, unit } => stop_broker(spec, &auth, opts, host, unit, events).await?,
            ReassignPhase::Unregister { broker } => unregister(spec, &auth, *broker, events).await?,
            ReassignPhase::DropFromProject { host, whole_host } => {
                let text = new_project.as_ref().expect("a decommission has its new project text");
                crate::project::file::write_atomically(project, text)
                    .map_err(|e| ReassignError::ProjectFile { path: project.to_owned(), message: e.to_string() })?;
                project_updated = true;
                let what = if *whole_host { "" } else { " as a broker" };
                log(events, format!("{} no longer lists {host}{what}", project.display()));
            }
            ReassignPhase::RemoveVoter { controller, host } => {
                super::remove_voter::remove(spec, *controller, host, events).await?
            }
            ReassignPhase::QuorumHealthy => {
                let text = new_project.as_ref().expect("a controller removal has its new project text");
                super::remove_voter::wait_for_quorum(text, events, cancel).await?
            }
        }
        events(Event::PhaseFinished { phase: phase.id().into() });
    }
    let final_loads = match opts.procedure {
        Procedure::RemoveController { .. } => Vec::new(),
        _ => final_loads(spec, &auth, opts.procedure).await.unwrap_or_default(),
    };
    Ok(ReassignReport { plan, resumed, elected, final_loads, project_updated })
}

/// Per broker the procedure keeps: (id, replicas, partitions it leads now).
async fn final_loads(
    spec: &ClusterSpec,
    auth: &KafkaAuth,
    procedure: Procedure,
) -> Result<Vec<(i32, usize, usize)>, ReassignError> {
    let (_, _, states) = metadata(spec, auth).await?;
    let keep = project_brokers(spec)
        .into_iter()
        .filter(|b| !matches!(procedure, Procedure::Decommission { broker } if broker == *b));
    Ok(keep
        .map(|b| {
            let replicas = states.iter().filter(|p| p.replicas.contains(&b)).count();
            let leads = states.iter().filter(|p| p.leader == b).count();
            (b, replicas, leads)
        })
        .collect())
}

/// Sends a request to the admin broker, once more after NOT_CONTROLLER (the ZooKeeper-mode controller moved).
async fn with_admin<T, F>(spec: &ClusterSpec, auth: &KafkaAuth, mut call: F) -> Result<T, ReassignError>
where
    F: for<'a> FnMut(
        &'a mut AdminSession<'_>,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<(T, bool), HealthError>> + Send + 'a>,
    >,
{
    let mut attempt = 0;
    loop {
        let (admin, _, _) = metadata(spec, auth).await?;
        let mut session = AdminSession::open(&admin, auth).await?;
        let (value, not_controller) = call(&mut session).await?;
        attempt += 1;
        if !not_controller || attempt >= 3 {
            return Ok(value);
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn alter_configs(
    spec: &ClusterSpec,
    auth: &KafkaAuth,
    changes: &[ConfigChange],
    events: &EventSink,
) -> Result<(), ReassignError> {
    // Broker configs go to the broker itself (ZooKeeper mode validates them there); topic configs to the admin.
    let mut refusals = Vec::new();
    let brokers: std::collections::BTreeSet<&String> =
        changes.iter().filter(|c| c.resource_type == super::client::BROKER).map(|c| &c.resource).collect();
    for b in brokers {
        let Some(addr) = b.parse().ok().and_then(|id| addr_of(spec, id)) else { continue };
        let mine: Vec<ConfigChange> =
            changes.iter().filter(|c| &c.resource == b && c.resource_type == super::client::BROKER).cloned().collect();
        let mut s = AdminSession::open(&addr, auth).await?;
        refusals.extend(s.alter_configs(&mine).await?);
    }
    let topics: Vec<ConfigChange> =
        changes.iter().filter(|c| c.resource_type == super::client::TOPIC).cloned().collect();
    let topic_refusals = with_admin(spec, auth, |s| {
        let topics = topics.clone();
        Box::pin(async move { s.alter_configs(&topics).await.map(|r| (r, false)) })
    })
    .await?;
    refusals.extend(topic_refusals);
    if !refusals.is_empty() {
        let list: Vec<String> = refusals.iter().map(|r| r.to_string()).collect();
        return Err(ReassignError::Cluster(format!("the replication throttle was refused: {}", list.join("; "))));
    }
    let set = changes.iter().filter(|c| c.value.is_some()).count();
    log(events, format!("{} config(s) set, {} removed", set, changes.len() - set));
    Ok(())
}

async fn reassign(
    spec: &ClusterSpec,
    auth: &KafkaAuth,
    moves: &[Reassignment],
    events: &EventSink,
) -> Result<(), ReassignError> {
    for batch in moves.chunks(BATCH) {
        let refusals = with_admin(spec, auth, |s| {
            let batch = batch.to_vec();
            Box::pin(async move {
                let r = s.alter_reassignments(&batch).await?;
                let not_controller = r.iter().any(|r| r.code == NOT_CONTROLLER);
                Ok((r, not_controller))
            })
        })
        .await?;
        if !refusals.is_empty() {
            let list: Vec<String> = refusals.iter().map(|r| r.to_string()).collect();
            return Err(ReassignError::Cluster(format!("Kafka refused reassignments: {}", list.join("; "))));
        }
        for m in batch {
            events(Event::StepFinished {
                target: Target::Wizard,
                step: format!("reassign {}-{}", m.topic, m.partition),
                outcome: Outcome::Changed { detail: format!("{:?} → {:?}", m.from, m.to) },
            });
        }
    }
    Ok(())
}

/// Polls ListPartitionReassignments until none is left; a progress line whenever the count changes.
async fn wait_for_moves(
    spec: &ClusterSpec,
    auth: &KafkaAuth,
    total: usize,
    events: &EventSink,
    cancel: &Cancel,
) -> Result<(), ReassignError> {
    let started = Instant::now();
    let mut last = usize::MAX;
    loop {
        let left = with_admin(spec, auth, |s| {
            Box::pin(async move {
                match s.list_reassignments().await? {
                    Ok(list) => Ok((Some(list.len()), false)),
                    Err(r) => Ok((None, r.code == NOT_CONTROLLER)),
                }
            })
        })
        .await?
        .ok_or_else(|| ReassignError::Cluster("ListPartitionReassignments was refused".into()))?;
        if left != last {
            let done = total.saturating_sub(left);
            let took = started.elapsed().as_secs_f64();
            log(events, format!("reassigned {done} of {total}; {left} partition(s) still moving after {took:.0} s"));
            last = left;
        }
        if left == 0 {
            return Ok(());
        }
        if cancel.is_cancelled() {
            return Err(ReassignError::Cancelled(format!(
                "{left} reassignment(s) continue in the cluster; run the command again to wait for them and remove \
                 the replication throttle"
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// ElectLeaders for every partition whose first replica does not lead; returns how many were elected.
async fn elect_leaders(spec: &ClusterSpec, auth: &KafkaAuth, events: &EventSink) -> Result<usize, ReassignError> {
    let (_, _, states) = metadata(spec, auth).await?;
    let wanted: Vec<(String, i32)> = states
        .iter()
        .filter(|p| p.partition >= 0 && p.replicas.first().is_some_and(|&b| b != p.leader))
        .map(|p| (p.topic.clone(), p.partition))
        .collect();
    if wanted.is_empty() {
        log(events, "every partition is led by its preferred replica".into());
        return Ok(0);
    }
    let (elected, refusals) = with_admin(spec, auth, |s| {
        let wanted = wanted.clone();
        Box::pin(async move {
            let (n, r) = s.elect_preferred(&wanted).await?;
            let not_controller = r.iter().any(|r| r.code == NOT_CONTROLLER);
            Ok(((n, r), not_controller))
        })
    })
    .await?;
    for r in refusals {
        events(Event::Warning { target: Target::Wizard, message: format!("preferred leader not elected: {r}") });
    }
    log(events, format!("{elected} of {} partition(s) now led by their preferred replica", wanted.len()));
    Ok(elected)
}

/// Stops and disables the broker's unit (after checking no partition still lists it); the host's files stay.
async fn stop_broker(
    spec: &ClusterSpec,
    auth: &KafkaAuth,
    opts: &ReassignOptions,
    host: &str,
    unit: &str,
    events: &EventSink,
) -> Result<(), ReassignError> {
    let still: Vec<String> = match opts.procedure {
        Procedure::Decommission { broker } => {
            let (_, _, states) = metadata(spec, auth).await?;
            states
                .iter()
                .filter(|p| p.replicas.contains(&broker))
                .map(|p| format!("{}-{}", p.topic, p.partition))
                .collect()
        }
        Procedure::RemoveController { .. } => Vec::new(),
        Procedure::Rebalance => return Ok(()),
    };
    let broker = match opts.procedure {
        Procedure::Decommission { broker } => broker,
        _ => 0,
    };
    if !still.is_empty() {
        return Err(ReassignError::Cluster(format!(
            "broker {broker} still holds replicas of {} partition(s) ({}); not stopped",
            still.len(),
            still.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    let h = spec.hosts.iter().find(|h| h.name.as_str() == host).expect("the plan's host is the project's");
    let access = HostAccess::from(h);
    let connect = opts.connect.clone();
    let script = format!("systemctl disable --now {} 2>&1", crate::shell::quote(unit));
    let host_error = |message: String| ReassignError::Host { host: host.to_string(), message };
    let out = tokio::task::spawn_blocking(move || {
        let t = transport::open(&access, &connect).map_err(|e| e.to_string())?;
        match runlock::take(t.as_ref()) {
            Lock::Busy(holder) => return Err(HostBusy { host: t.host().to_string(), holder }.to_string()),
            Lock::Failed(why) => return Err(why),
            Lock::Taken | Lock::Ours | Lock::NoFlock => {}
        }
        t.exec(&script, None).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| host_error(e.to_string()))?
    .map_err(host_error)?;
    if !out.success() {
        let said = String::from_utf8_lossy(&out.stdout).trim().to_string();
        return Err(host_error(format!("systemctl disable --now {unit} failed: {said}")));
    }
    events(Event::StepFinished {
        target: Target::host(host),
        step: format!("stop and disable {unit}"),
        outcome: Outcome::Changed { detail: "stopped and disabled; its files stay on the host".into() },
    });
    Ok(())
}

async fn unregister(
    spec: &ClusterSpec,
    auth: &KafkaAuth,
    broker: i32,
    events: &EventSink,
) -> Result<(), ReassignError> {
    // Any broker but the stopped one forwards it to the controller.
    let refusal =
        with_admin(spec, auth, |s| Box::pin(async move { s.unregister_broker(broker).await.map(|r| (r, false)) }))
            .await?;
    if let Some(r) = refusal {
        return Err(ReassignError::Cluster(format!("UnregisterBroker was refused: {r}")));
    }
    log(events, format!("broker {broker} unregistered"));
    Ok(())
}
