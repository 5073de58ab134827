//! The typed plans of `rebalance` and `decommission` (pure): from the project and what the cluster holds now (a
//! [`ClusterView`]), the phases in order — finish reassignments an earlier run left, throttle, reassign, clear the
//! throttle, elect preferred leaders, and for a decommission stop the broker, unregister it (KRaft) and drop it from
//! the project — or the reason it is refused, before anything changes. `--dry-run` prints these; the runner
//! (`run.rs`) walks exactly them.

use super::balance::{self, BrokerLoad, PartitionReplicas, Reassignment};
use super::client::{ConfigChange, Ongoing, BROKER, TOPIC};
use crate::project::spec::{ClusterSpec, Coordination, HostSpec, Role};
use crate::render::Service;
use std::collections::{BTreeMap, BTreeSet};

/// Broker configs of the replication throttle (bytes/s) — docs/facts/kafka.md §16.
pub const LEADER_RATE: &str = "leader.replication.throttled.rate";
pub const FOLLOWER_RATE: &str = "follower.replication.throttled.rate";
/// Topic configs naming the throttled replicas (`partition:broker,…`).
pub const LEADER_REPLICAS: &str = "leader.replication.throttled.replicas";
pub const FOLLOWER_REPLICAS: &str = "follower.replication.throttled.replicas";

/// What the cluster holds now, as the runner read it.
#[derive(Clone, Debug, Default)]
pub struct ClusterView {
    /// Live brokers (Metadata), sorted.
    pub live: Vec<i32>,
    /// Every partition, with the replicas it ends with (a partition being moved: its target).
    pub partitions: Vec<PartitionReplicas>,
    /// Reassignments in progress (ListPartitionReassignments).
    pub ongoing: Vec<Ongoing>,
    /// Each topic's effective `min.insync.replicas`.
    pub min_insync: BTreeMap<String, i32>,
}

/// Which procedure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Procedure {
    Rebalance,
    Decommission {
        broker: i32,
    },
    /// A dedicated controller out of a dynamic KRaft quorum (`reassign::controller`).
    RemoveController {
        controller: i32,
    },
}

/// One phase of a reassignment procedure, in the order the runner walks them (serialised for the app's plan view,
/// tagged by `kind`, the phase's [`ReassignPhase::id`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ReassignPhase {
    /// Wait for the reassignments an earlier (interrupted) run started, with this run's throttle rate on every
    /// live broker (the earlier run's per-topic throttled replicas stay until the throttle is cleared).
    FinishOngoing { partitions: Vec<String>, bytes_per_second: u64 },
    /// Replication throttle on every live broker and the moving replicas of each topic.
    Throttle { bytes_per_second: u64, changes: Vec<ConfigChange> },
    /// AlterPartitionReassignments, then ListPartitionReassignments until none is left.
    Reassign { moves: Vec<Reassignment> },
    /// The throttle removed from every live broker and every topic.
    ClearThrottle { changes: Vec<ConfigChange> },
    /// ElectLeaders (preferred) for every partition whose first replica does not lead.
    ElectLeaders,
    /// `systemctl disable --now` of the host's Kafka unit (its files stay).
    StopBroker { host: String, unit: &'static str },
    /// UnregisterBroker (KRaft: the stopped broker's registration removed).
    #[serde(rename = "unregister-broker")]
    Unregister { broker: i32 },
    /// The host (or only its broker role) removed from the project file, comments kept.
    DropFromProject { host: String, whole_host: bool },
    /// RemoveRaftVoter at the quorum's leader (a dynamic quorum, `reassign::controller`).
    RemoveVoter { controller: i32, host: String },
    /// The remaining KRaft quorum: a leader, its voters exactly the project's controllers, each caught up.
    QuorumHealthy,
}

impl ReassignPhase {
    /// The phase's id in events and JSON.
    pub fn id(&self) -> &'static str {
        match self {
            ReassignPhase::FinishOngoing { .. } => "finish-ongoing",
            ReassignPhase::Throttle { .. } => "throttle",
            ReassignPhase::Reassign { .. } => "reassign",
            ReassignPhase::ClearThrottle { .. } => "clear-throttle",
            ReassignPhase::ElectLeaders => "elect-leaders",
            ReassignPhase::StopBroker { .. } => "stop-broker",
            ReassignPhase::Unregister { .. } => "unregister-broker",
            ReassignPhase::DropFromProject { .. } => "drop-from-project",
            ReassignPhase::RemoveVoter { .. } => "remove-voter",
            ReassignPhase::QuorumHealthy => "quorum-healthy",
        }
    }

    /// One line for people.
    pub fn title(&self) -> String {
        match self {
            ReassignPhase::FinishOngoing { partitions, bytes_per_second } => format!(
                "wait for {} reassignment(s) an earlier run started (throttle {} MB/s)",
                partitions.len(),
                bytes_per_second / 1_000_000
            ),
            ReassignPhase::Throttle { bytes_per_second, changes } => {
                let topics = changes.iter().filter(|c| c.resource_type == TOPIC).map(|c| &c.resource);
                let topics: BTreeSet<&String> = topics.collect();
                format!(
                    "throttle replication to {} MB/s on every broker, for the moving replicas of {} topic(s)",
                    bytes_per_second / 1_000_000,
                    topics.len()
                )
            }
            ReassignPhase::Reassign { moves } => {
                let copies: usize = moves.iter().map(|m| m.added().len()).sum();
                let reorders = moves.iter().filter(|m| m.reorder_only()).count();
                format!(
                    "reassign {} partition(s): {copies} replica copy(ies) to move, {reorders} leadership order change(s)",
                    moves.len()
                )
            }
            ReassignPhase::ClearThrottle { .. } => "remove the replication throttle".into(),
            ReassignPhase::ElectLeaders => "elect preferred leaders".into(),
            ReassignPhase::StopBroker { host, unit } => format!("{host}: stop and disable {unit} (files stay)"),
            ReassignPhase::Unregister { broker } => format!("unregister broker {broker} from the KRaft metadata"),
            ReassignPhase::DropFromProject { host, whole_host: true } => {
                format!("remove host {host} from the project file")
            }
            ReassignPhase::DropFromProject { host, whole_host: false } => {
                format!("remove the broker role of {host} from the project file")
            }
            ReassignPhase::RemoveVoter { controller, host } => {
                format!("remove controller {controller} ({host}) from the KRaft quorum's voters (RemoveRaftVoter)")
            }
            ReassignPhase::QuorumHealthy => {
                "wait until the remaining KRaft quorum has a leader and every controller caught up".into()
            }
        }
    }
}

/// A procedure's phases and the per-broker replica and leader counts before and after: what `--dry-run` prints
/// and the app's Rebalance / Decommission broker… confirmations show.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct ReassignPlan {
    pub procedure: Procedure,
    pub phases: Vec<ReassignPhase>,
    pub before: Vec<BrokerLoad>,
    pub after: Vec<BrokerLoad>,
    /// What the operator should know before confirming (e.g. a quorum left without failure tolerance).
    pub warnings: Vec<String>,
}

impl ReassignPlan {
    /// Whether there is nothing to move, wait for or drop.
    pub fn balanced(&self) -> bool {
        self.phases.iter().all(|p| matches!(p, ReassignPhase::ClearThrottle { .. } | ReassignPhase::ElectLeaders))
    }

    /// The reassignments to ask for.
    pub fn moves(&self) -> &[Reassignment] {
        self.phases
            .iter()
            .find_map(|p| match p {
                ReassignPhase::Reassign { moves } => Some(moves.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }
}

/// The project's broker ids, sorted.
pub fn project_brokers(spec: &ClusterSpec) -> Vec<i32> {
    let mut ids: Vec<i32> = spec.brokers().filter_map(|b| b.node_id).map(|id| id as i32).collect();
    ids.sort();
    ids
}

/// The host of broker `id` in the project.
pub fn broker_host(spec: &ClusterSpec, id: i32) -> Option<&HostSpec> {
    spec.brokers().find(|h| h.node_id.map(|n| n as i32) == Some(id))
}

/// Refuses what cannot be done before anything changes: a project broker not in the cluster (rebalance), or (a
/// decommission) a broker the project does not have, a KRaft controller on the same host, another project broker
/// not in the cluster, and remaining brokers too few for a topic's replication factor or `min.insync.replicas`.
pub fn refusal(spec: &ClusterSpec, view: &ClusterView, procedure: Procedure) -> Option<String> {
    let brokers = project_brokers(spec);
    match procedure {
        Procedure::Rebalance => {
            let missing: Vec<String> = brokers
                .iter()
                .filter(|b| !view.live.contains(b))
                .map(|&b| format!("broker {b} ({})", broker_host(spec, b).map_or("?", |h| h.name.as_str())))
                .collect();
            (!missing.is_empty()).then(|| {
                format!(
                    "{} not in the cluster: deploy (or start) it first, so the rebalance can place replicas on it",
                    missing.join(", ")
                )
            })
        }
        Procedure::Decommission { broker } => decommission_refusal(spec, view, broker, &brokers),
        Procedure::RemoveController { controller } => super::controller::static_refusal(spec, controller),
    }
}

fn decommission_refusal(spec: &ClusterSpec, view: &ClusterView, broker: i32, brokers: &[i32]) -> Option<String> {
    let Some(host) = broker_host(spec, broker) else {
        return Some(format!(
            "no host in the project is broker {broker} (brokers: {brokers:?}); was it already decommissioned?"
        ));
    };
    if matches!(spec.coordination, Coordination::Kraft(_)) && host.has(Role::Controller) {
        return Some(format!(
            "{} (broker {broker}) is also a KRaft controller: decommission moves replicas off brokers without the \
             controller role; a dedicated controller of a dynamic quorum leaves it with decommission --controller ID",
            host.name
        ));
    }
    let down: Vec<String> = brokers
        .iter()
        .filter(|&&b| b != broker && !view.live.contains(&b))
        .map(|&b| format!("broker {b} ({})", broker_host(spec, b).map_or("?", |h| h.name.as_str())))
        .collect();
    if !down.is_empty() {
        return Some(format!(
            "{} not in the cluster (stopped, or fenced): broker {broker}'s replicas would move onto fewer brokers than \
             the project has, and partitions already missing a replica there would lose another — start it (kafka-wizard \
             start FILE --limit HOST) and decommission once every other broker is back",
            down.join(", ")
        ));
    }
    let remaining = brokers.len() - 1;
    let mut too_small = Vec::new();
    let mut rf: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &view.partitions {
        let e = rf.entry(&p.topic).or_default();
        *e = (*e).max(p.replicas.len());
    }
    for (topic, factor) in &rf {
        let min_isr = view.min_insync.get(*topic).copied().unwrap_or(1).max(1) as usize;
        if *factor > remaining {
            too_small.push(format!("{topic} has replication factor {factor}"));
        } else if min_isr > remaining {
            too_small.push(format!("{topic} has min.insync.replicas {min_isr}"));
        }
    }
    if too_small.is_empty() {
        return None;
    }
    Some(format!(
        "without broker {broker} ({}) {remaining} broker(s) remain, too few: {} — add a broker first, or lower those \
         topics' replication",
        host.name,
        too_small.join("; ")
    ))
}

/// The plan of `procedure` for the cluster as `view` shows it, `throttle` bytes/s for the moves (a refusal is
/// checked separately with [`refusal`], before this).
pub fn plan(spec: &ClusterSpec, view: &ClusterView, procedure: Procedure, throttle: u64) -> ReassignPlan {
    if let Procedure::RemoveController { controller } = procedure {
        return super::controller::plan(spec, controller);
    }
    let all = project_brokers(spec);
    let targets: Vec<i32> = match procedure {
        Procedure::Rebalance | Procedure::RemoveController { .. } => all.clone(),
        Procedure::Decommission { broker } => all.iter().copied().filter(|&b| b != broker).collect(),
    };
    let moves = match procedure {
        Procedure::Rebalance | Procedure::RemoveController { .. } => balance::balance(&view.partitions, &targets),
        Procedure::Decommission { .. } => balance::drain(&view.partitions, &targets),
    };
    let before = balance::loads(&view.partitions, &all);
    let mut after_partitions = view.partitions.clone();
    for m in &moves {
        if let Some(p) = after_partitions.iter_mut().find(|p| p.topic == m.topic && p.partition == m.partition) {
            p.replicas = m.to.clone();
        }
    }
    let after = balance::loads(&after_partitions, &all);
    let mut phases = Vec::new();
    if !view.ongoing.is_empty() {
        let partitions = view.ongoing.iter().map(|o| format!("{}-{}", o.topic, o.partition)).collect();
        phases.push(ReassignPhase::FinishOngoing { partitions, bytes_per_second: throttle });
    }
    if moves.iter().any(|m| !m.reorder_only()) {
        phases.push(ReassignPhase::Throttle {
            bytes_per_second: throttle,
            changes: throttle_changes(view, &moves, throttle),
        });
    }
    if !moves.is_empty() {
        phases.push(ReassignPhase::Reassign { moves });
    }
    phases.push(ReassignPhase::ClearThrottle { changes: clear_changes(view) });
    phases.push(ReassignPhase::ElectLeaders);
    if let Procedure::Decommission { broker } = procedure {
        let host = broker_host(spec, broker).expect("refusal checked the broker is in the project");
        phases.push(ReassignPhase::StopBroker { host: host.name.to_string(), unit: Service::Kafka.unit() });
        if matches!(spec.coordination, Coordination::Kraft(_)) {
            phases.push(ReassignPhase::Unregister { broker });
        }
        let whole_host = host.roles.iter().all(|r| *r == Role::Broker);
        phases.push(ReassignPhase::DropFromProject { host: host.name.to_string(), whole_host });
    }
    ReassignPlan { procedure, phases, before, after, warnings: vec![] }
}

/// The throttle for `moves`: the rates on every live broker; per topic, the leader side on the replicas a moving
/// partition has now and the follower side on the brokers it gains (what `kafka-reassign-partitions.sh` sets).
pub fn throttle_changes(view: &ClusterView, moves: &[Reassignment], bytes_per_second: u64) -> Vec<ConfigChange> {
    let mut out = rate_changes(&view.live, bytes_per_second);
    let mut leaders: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut followers: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for m in moves.iter().filter(|m| !m.reorder_only()) {
        let l = leaders.entry(&m.topic).or_default();
        l.extend(m.from.iter().map(|b| format!("{}:{b}", m.partition)));
        let f = followers.entry(&m.topic).or_default();
        f.extend(m.added().iter().map(|b| format!("{}:{b}", m.partition)));
    }
    for (topic, replicas) in leaders {
        out.push(ConfigChange {
            resource_type: TOPIC,
            resource: topic.to_string(),
            key: LEADER_REPLICAS,
            value: Some(replicas.join(",")),
        });
        let f = followers.remove(topic).unwrap_or_default();
        out.push(ConfigChange {
            resource_type: TOPIC,
            resource: topic.to_string(),
            key: FOLLOWER_REPLICAS,
            value: Some(f.join(",")),
        });
    }
    out
}

/// Both throttle rates set to `bytes_per_second` on each of `brokers`.
pub fn rate_changes(brokers: &[i32], bytes_per_second: u64) -> Vec<ConfigChange> {
    brokers
        .iter()
        .flat_map(|b| {
            [LEADER_RATE, FOLLOWER_RATE].map(|key| ConfigChange {
                resource_type: BROKER,
                resource: b.to_string(),
                key,
                value: Some(bytes_per_second.to_string()),
            })
        })
        .collect()
}

/// The throttle removed from every live broker and every topic (so a run after an interrupted one clears what it
/// left, whichever topics that were).
pub fn clear_changes(view: &ClusterView) -> Vec<ConfigChange> {
    let brokers = view.live.iter().flat_map(|b| {
        [LEADER_RATE, FOLLOWER_RATE].map(|key| ConfigChange {
            resource_type: BROKER,
            resource: b.to_string(),
            key,
            value: None,
        })
    });
    let topics: BTreeSet<&str> = view.partitions.iter().map(|p| p.topic.as_str()).collect();
    let topics = topics.into_iter().flat_map(|t| {
        [LEADER_REPLICAS, FOLLOWER_REPLICAS].map(|key| ConfigChange {
            resource_type: TOPIC,
            resource: t.to_string(),
            key,
            value: None,
        })
    });
    brokers.chain(topics).collect()
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
