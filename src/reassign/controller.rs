//! Removing a controller from a dynamic KRaft quorum (`kafka-wizard decommission FILE --controller ID`;
//! docs/facts/kafka.md §36): refused with the reason and the supported path where it cannot be
//! done; else the plan — remove the voter (RemoveRaftVoter, with the directory id the leader reports), stop and
//! disable the controller's service, drop its host from the project, then wait for the remaining quorum.

use super::plan::{Procedure, ReassignPhase, ReassignPlan};
use crate::apply::membership::Members;
use crate::project::spec::{ClusterSpec, Coordination, HostSpec, Quorum, Role, DYNAMIC_QUORUM_SINCE};
use crate::render::Service;

/// The host of controller `id` in the project.
pub fn controller_host(spec: &ClusterSpec, id: i32) -> Option<&HostSpec> {
    spec.controllers().find(|h| h.node_id.map(|n| n as i32) == Some(id))
}

/// Why controller `id` cannot be removed from the project's cluster, before asking the cluster (None: ask it).
pub fn static_refusal(spec: &ClusterSpec, id: i32) -> Option<String> {
    let k = match &spec.coordination {
        Coordination::Kraft(k) => k,
        Coordination::Zookeeper(_) => {
            return Some("this is a ZooKeeper-mode cluster: it has no KRaft controllers to remove".into());
        }
    };
    let mut ids: Vec<i32> = spec.controllers().filter_map(|h| h.node_id).map(|n| n as i32).collect();
    ids.sort();
    let Some(host) = controller_host(spec, id) else {
        return Some(format!(
            "no host in the project is controller {id} (controllers: {ids:?}); was it already removed?"
        ));
    };
    if spec.kafka.release.version < DYNAMIC_QUORUM_SINCE {
        return Some(format!(
            "Kafka {} has only the static controller quorum: its voters cannot change on a running cluster \
             (the dynamic quorum, kraft.version 1, needs Kafka {DYNAMIC_QUORUM_SINCE} or later and is chosen when the \
             cluster is formatted)",
            spec.kafka.release.version
        ));
    }
    if k.quorum == Quorum::Static {
        return Some(
            "the controller quorum is static (kraft.version 0: every node's controller.quorum.voters fixes the voters), \
             so its membership cannot change on a running cluster. Kafka 4.1+ can convert a running cluster to the \
             dynamic quorum (kafka-features.sh upgrade --feature kraft.version=1, then controller.quorum.bootstrap.servers \
             on every node and a roll); kafka-wizard does not do that conversion yet. A new cluster on 3.9+ gets the \
             dynamic quorum with kraft.quorum = \"dynamic\""
                .into(),
        );
    }
    if host.has(Role::Broker) {
        return Some(format!(
            "{} is a combined broker and controller: kafka-wizard removes only dedicated controllers from the quorum \
             (a combined node's broker role would have to be drained first, which decommission --broker refuses for \
             a controller)",
            host.name
        ));
    }
    if ids.len() <= 1 {
        return Some(format!("controller {id} is the cluster's only controller: the cluster cannot run without one"));
    }
    None
}

/// Why removing voter `id` from the quorum `m` would be unsafe now (None: it may go): every other voter must be a
/// project controller and caught up (`max_lag` records), so the voters left keep a majority caught up.
pub fn quorum_refusal(spec: &ClusterSpec, m: &Members, id: i32, max_lag: i64) -> Option<String> {
    let others: Vec<_> = m.voters.iter().filter(|v| v.id != id).collect();
    let behind: Vec<String> = others
        .iter()
        .filter(|v| v.log_end < 0 || m.high_watermark - v.log_end > max_lag)
        .map(|v| format!("node {}", v.id))
        .collect();
    if !behind.is_empty() {
        return Some(format!(
            "{} of the voters that would remain not caught up with the quorum (down, or lagging): removing a voter \
             now could leave no caught-up majority — start or repair them (kafka-wizard status FILE) and run again",
            behind.join(", ")
        ));
    }
    let strangers: Vec<String> =
        others.iter().filter(|v| controller_host(spec, v.id).is_none()).map(|v| format!("node {}", v.id)).collect();
    if !strangers.is_empty() {
        return Some(format!(
            "the quorum has voters the project does not list ({}): fix the project first, so it names every voter",
            strangers.join(", ")
        ));
    }
    if others.is_empty() {
        return Some(format!("node {id} is the quorum's only voter: the cluster cannot run without one"));
    }
    None
}

/// The project's controller ids but `id`, sorted.
pub fn remaining_controllers(spec: &ClusterSpec, id: i32) -> Vec<u32> {
    let mut ids: Vec<u32> = spec.controllers().filter_map(|h| h.node_id).filter(|&n| n as i32 != id).collect();
    ids.sort();
    ids
}

/// What the operator should know before removing controller `id`: a quorum left with fewer than three voters
/// tolerates no failure (a majority of 2 is 2, of 1 is 1); a bootstrap controller leaving changes the other nodes'
/// `controller.quorum.bootstrap.servers`, which each reads only at startup.
pub fn warnings(spec: &ClusterSpec, id: i32) -> Vec<String> {
    let remaining = remaining_controllers(spec, id);
    let mut out = Vec::new();
    if remaining.len() < 3 {
        out.push(format!(
            "the quorum is left with {} voter(s) ({remaining:?}): a majority of {n} is {n}, so it no longer tolerates \
             a controller failure — while any controller is down the cluster's metadata cannot change (no topic, \
             partition leader or broker changes). Three controllers tolerate one failure: add one (a host with role \
             \"controller\", then kafka-wizard deploy)",
            remaining.len(),
            n = remaining.len()
        ));
    }
    let bootstrap = match &spec.coordination {
        Coordination::Kraft(k) => k.bootstrap_controllers.clone(),
        Coordination::Zookeeper(_) => None,
    };
    if bootstrap.as_ref().is_some_and(|ids| ids.iter().any(|&b| b as i32 == id)) {
        let left: Vec<u32> = bootstrap.unwrap_or_default().into_iter().filter(|&b| b as i32 != id).collect();
        let after = if left.is_empty() { remaining.clone() } else { left };
        out.push(format!(
            "controller {id} is a bootstrap controller (kraft.bootstrap_controllers): the list becomes {after:?}, and \
             the next deploy writes the other nodes' controller.quorum.bootstrap.servers without restarting them — \
             read only at startup, it takes effect at each node's next restart (meanwhile they know the quorum's \
             voters from the metadata log)"
        ));
    }
    out
}

/// The plan of removing controller `id` (already found removable): the voter out, its service stopped, its host
/// out of the project.
pub fn plan(spec: &ClusterSpec, id: i32) -> ReassignPlan {
    let host = controller_host(spec, id).expect("refusal checked the controller is in the project");
    ReassignPlan {
        warnings: warnings(spec, id),
        procedure: Procedure::RemoveController { controller: id },
        phases: vec![
            ReassignPhase::RemoveVoter { controller: id, host: host.name.to_string() },
            ReassignPhase::StopBroker { host: host.name.to_string(), unit: Service::Kafka.unit() },
            ReassignPhase::DropFromProject { host: host.name.to_string(), whole_host: true },
            ReassignPhase::QuorumHealthy,
        ],
        before: vec![],
        after: vec![],
    }
}

#[cfg(test)]
#[path = "controller_tests.rs"]
mod tests;
