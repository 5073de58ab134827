//! The one rolling restart: `restart`, deploy's restarts of services whose configuration changed (and later
//! upgrades) all go through [`roll`]. One node at a time, in the order `plan::roll` decides from who leads the
//! quorum right before each node (KRaft controllers before brokers, the active controller last; ZooKeeper followers
//! before the leader); each node stopped and started, then the stage's gate (`plan::roll::roll_gate`) polled until
//! it holds — when its deadline passes, the run ends naming what is behind and nothing further is restarted.
//! Cancel takes effect between nodes, never mid-node. Whether the cluster may be rolled at all (healthy before the
//! first node, or `--force`) is the caller's check.

use super::hosts::{exec_checked, unhealthy, Transports};
use super::options::{ApplyError, Cancel, DeployOptions, Failure};
use super::{pending, quorum, wait};
use crate::events::{Event, EventSink, Outcome, Target};
use crate::plan::roll::{roll_gate, roll_nodes, roll_order};
use crate::plan::StartService;
use crate::project::spec::ClusterSpec;
use crate::render::Service;

/// One node to restart: its host index and, when a deploy restarts it, why (the changed file or release).
pub(crate) struct ToRestart {
    pub index: usize,
    pub reason: Option<String>,
    /// Run in the restart's own command, right before it: a version upgrade's link swap (`decide`).
    pub before: Option<String>,
}

/// What the quorum a service's leader leads is called in the log.
fn quorum_name(service: Service) -> &'static str {
    match service {
        Service::Kafka => "the KRaft quorum (the active controller)",
        Service::Zookeeper => "the ZooKeeper ensemble",
    }
}

/// Restarts `nodes` of the stage `start`, one at a time, leaders last, each gated; returns the names restarted.
pub(crate) async fn roll(
    spec: &ClusterSpec,
    ts: &Transports,
    start: &StartService,
    mut nodes: Vec<ToRestart>,
    opts: &DeployOptions,
    events: &EventSink,
    cancel: &Cancel,
) -> Result<Vec<String>, ApplyError> {
    let service = start.service;
    let unit = service.unit();
    let gate = roll_gate(spec, start);
    let mut restarted = Vec::new();
    let mut told_order = false;
    while !nodes.is_empty() {
        if cancel.is_cancelled() {
            return Err(ApplyError::Cancelled);
        }
        // Who leads is asked before every node, so a leadership that moved during the roll is followed.
        let names: Vec<String> = nodes.iter().map(|n| spec.hosts[n.index].name.to_string()).collect();
        let roll = roll_nodes(spec, service, &names);
        let leader = if roll.iter().any(|n| n.votes) { quorum::leader(spec, service).await } else { None };
        let order = roll_order(&roll, leader.as_deref());
        if !told_order && order.len() > 1 {
            told_order = true;
            let last = match leader.as_deref().filter(|l| names.iter().any(|n| n == l)) {
                Some(l) => format!(" — {l} leads {}, so it goes last of the voters", quorum_name(service)),
                None => String::new(),
            };
            let message = format!("rolling restart of {unit}, one node at a time: {}{last}", order.join(", "));
            events(Event::Log { target: Target::Wizard, message });
        }
        let next = nodes.iter().position(|n| spec.hosts[n.index].name.as_str() == order[0]).expect("in the roll");
        let node = nodes.remove(next);
        let name = spec.hosts[node.index].name.to_string();
        if leader.as_deref() == Some(name.as_str()) {
            let message = format!("{name} leads {}: restarting it now, after the others", quorum_name(service));
            events(Event::Log { target: Target::host(&name), message });
        }
        restart_one(spec, ts, service, &name, node, opts, events, &gate).await?;
        restarted.push(name);
    }
    Ok(restarted)
}

/// Restarts one node and waits for the gate.
#[allow(clippy::too_many_arguments)]
async fn restart_one(
    spec: &ClusterSpec,
    ts: &Transports,
    service: Service,
    name: &str,
    node: ToRestart,
    opts: &DeployOptions,
    events: &EventSink,
    gate: &[crate::plan::Health],
) -> Result<(), ApplyError> {
    let target = Target::host(name);
    let step = match &node.reason {
        Some(reason) => format!("restart {} ({reason})", service.unit()),
        None => format!("restart {}", service.unit()),
    };
    events(Event::StepStarted { target: target.clone(), step: step.clone() });
    let t = ts[&node.index].clone();
    // an adopted service still running as root is handed to the service user first (`handover`)
    let before: Vec<String> =
        [node.before.clone(), super::handover::before_restart(spec, &spec.hosts[node.index], service)]
            .into_iter()
            .flatten()
            .collect();
    let script = match before.is_empty() {
        false => format!("{} && {}", before.join(" && "), pending::systemctl_script("restart", service)),
        true => pending::systemctl_script("restart", service),
    };
    let result =
        tokio::task::spawn_blocking(move || exec_checked(t.as_ref(), &script)).await.expect("restart task panicked");
    if let Err(message) = result {
        events(Event::StepFailed { target, step: step.clone(), error: message.clone() });
        return Err(ApplyError::Failed(vec![Failure { host: name.to_string(), step, message }]));
    }
    // the gate, cut short when the node crashes over and over after its restart (`apply::crashed`)
    let watched = [node.index];
    let back = tokio::select! {
        back = wait::until_back(spec, gate, name, opts.health_timeout, events) => back,
        (index, crash) = super::crashed::first_crash(spec, ts, &watched, service.unit()) => {
            let message = format!("{crash} — the rolling restart stops here: no further node is restarted");
            events(Event::StepFailed { target, step, error: message.clone() });
            return Err(super::crashed::told(spec, ts, index, service.unit(), message));
        }
    };
    if let Err(mut behind) = back {
        // A gate that ran out before the partitions' turn (a broker not answering) still says which are behind.
        let partitions = crate::plan::Health::PartitionsReplicated;
        if service == Service::Kafka && !behind.starts_with(partitions.waiting_for()) {
            if let Err(now) = wait::partitions_check(spec).await {
                behind.push_str(&format!("; partitions now: {now}"));
            }
        }
        let message = format!("{behind} — the rolling restart stops here: no further node is restarted");
        events(Event::StepFailed { target, step, error: message.clone() });
        return Err(unhealthy(spec, ts, message));
    }
    events(Event::Log { target: target.clone(), message: "back in the cluster".into() });
    let outcome = Outcome::Changed { detail: "restarted; the cluster is healthy again".into() };
    events(Event::StepFinished { target, step, outcome });
    Ok(())
}
