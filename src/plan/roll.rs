//! The order of a rolling restart, and what gates each node — pure, decided from who leads at the moment
//! (docs/facts/kafka.md §8 "Rolling restart order"):
//! - KRaft: the controllers first, one at a time, the active controller (the quorum's leader) last of them; then
//!   the brokers. Combined nodes (broker and controller) are controllers here: the ones that do not lead first, the
//!   leader last, then brokers-only nodes.
//! - ZooKeeper ensemble: the followers first, the leader last.
//!
//! The runner asks who leads before each node and takes the first of [`roll_order`] over the nodes still to go, so
//! a leadership that moved during the roll is followed.

use super::{Health, StartService};
use crate::project::spec::{ClusterSpec, Role};
use crate::render::Service;

/// One node still to restart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollNode {
    pub name: String,
    /// In the coordinating quorum: a KRaft controller (dedicated or combined) or a ZooKeeper member.
    pub votes: bool,
}

/// The order to restart `nodes` in, given who leads the quorum now (`leader`, a node's name; None when unknown):
/// the voters that do not lead (in the given order), then the leader, then the rest (in the given order).
pub fn roll_order(nodes: &[RollNode], leader: Option<&str>) -> Vec<String> {
    let leads = |n: &RollNode| n.votes && Some(n.name.as_str()) == leader;
    let voters = nodes.iter().filter(|n| n.votes && !leads(n));
    let the_leader = nodes.iter().filter(|n| leads(n));
    let rest = nodes.iter().filter(|n| !n.votes);
    voters.chain(the_leader).chain(rest).map(|n| n.name.clone()).collect()
}

/// The nodes of a stage as [`RollNode`]s: for Kafka, the KRaft controllers vote; for ZooKeeper, every member.
pub fn roll_nodes(spec: &ClusterSpec, service: Service, names: &[String]) -> Vec<RollNode> {
    names
        .iter()
        .map(|name| {
            let host = spec.hosts.iter().find(|h| h.name.as_str() == name);
            let votes = match service {
                Service::Zookeeper => true,
                Service::Kafka => spec.has_kraft_quorum() && host.is_some_and(|h| h.has(Role::Controller)),
            };
            RollNode { name: name.clone(), votes }
        })
        .collect()
}

/// What must hold after each node of a stage comes back before the next goes down: the stage's own health
/// conditions and, when KRaft controllers are among its hosts, the quorum (a leader, every controller voting and
/// caught up to the high watermark) — the controllers' start phase alone only waits for their port.
pub fn roll_gate(spec: &ClusterSpec, start: &StartService) -> Vec<Health> {
    let mut gate = start.health.clone();
    let controllers = roll_nodes(spec, start.service, &start.hosts).iter().any(|n| n.votes);
    let has_quorum = gate.iter().any(|h| matches!(h, Health::KraftQuorum { .. }));
    if start.service == Service::Kafka && controllers && !has_quorum {
        gate.extend(super::quorum_gates(spec));
    }
    gate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(spec: &[(&str, bool)]) -> Vec<RollNode> {
        spec.iter().map(|(name, votes)| RollNode { name: name.to_string(), votes: *votes }).collect()
    }

    #[test]
    fn combined_nodes_restart_the_non_leaders_first_and_the_leader_last() {
        let three = nodes(&[("h1", true), ("h2", true), ("h3", true)]);
        assert_eq!(roll_order(&three, Some("h1")), ["h2", "h3", "h1"]);
        assert_eq!(roll_order(&three, Some("h2")), ["h1", "h3", "h2"]);
        assert_eq!(roll_order(&three, Some("h3")), ["h1", "h2", "h3"]);
    }

    #[test]
    fn controllers_come_before_brokers_with_the_active_controller_last_of_them() {
        let mixed = nodes(&[("b1", false), ("c1", true), ("b2", false), ("c2", true), ("c3", true)]);
        assert_eq!(roll_order(&mixed, Some("c2")), ["c1", "c3", "c2", "b1", "b2"]);
    }

    #[test]
    fn without_a_known_leader_the_given_order_stands_voters_first() {
        let mixed = nodes(&[("b1", false), ("c1", true), ("c2", true)]);
        assert_eq!(roll_order(&mixed, None), ["c1", "c2", "b1"]);
        assert_eq!(roll_order(&mixed, Some("elsewhere")), ["c1", "c2", "b1"]);
        assert_eq!(roll_order(&mixed, Some("b1")), ["c1", "c2", "b1"], "a broker never leads the quorum");
    }

    #[test]
    fn a_leader_that_moved_to_a_node_still_to_go_moves_it_to_the_end() {
        // h2 is done and h1 led at the start; then leadership moved to h3, still to go: h1 now comes first.
        let left = nodes(&[("h3", true), ("h1", true)]);
        assert_eq!(roll_order(&left, Some("h1")), ["h3", "h1"]);
        assert_eq!(roll_order(&left, Some("h3")), ["h1", "h3"]);
        // Leadership moved to a node already restarted: the rest keep their order.
        assert_eq!(roll_order(&left, Some("h2")), ["h3", "h1"]);
    }

    #[test]
    fn a_zookeeper_ensemble_restarts_its_followers_first_and_the_leader_last() {
        let draft = crate::project::parse(include_str!("../../tests/fixtures/mixed-zookeeper.toml")).unwrap();
        let spec = crate::project::validate(&draft).spec.unwrap();
        let members: Vec<String> = spec.zookeeper_members().iter().map(|m| m.name.to_string()).collect();
        let ensemble = roll_nodes(&spec, Service::Zookeeper, &members);
        assert!(ensemble.iter().all(|n| n.votes));
        let order = roll_order(&ensemble, Some(members[0].as_str()));
        assert_eq!(order.last(), Some(&members[0]));
        assert_eq!(order[..2], members[1..]);
    }

    #[test]
    fn only_kraft_controllers_vote_and_their_stage_is_gated_by_the_quorum() {
        let draft = crate::project::parse(include_str!("../../tests/fixtures/kraft-dedicated.toml")).unwrap();
        let spec = crate::project::validate(&draft).spec.unwrap();
        for phase in super::super::start_phases(&spec) {
            let super::super::Work::Start(start) = &phase.work else { continue };
            let roll = roll_nodes(&spec, start.service, &start.hosts);
            let gate = roll_gate(&spec, start);
            let quorum_gates = gate.iter().filter(|h| matches!(h, Health::KraftQuorum { .. })).count();
            assert_eq!(quorum_gates, 1, "{:?}: {gate:?}", phase.kind);
            let controllers = spec.hosts.iter().filter(|h| h.has(Role::Controller) && !h.has(Role::Broker)).count();
            if phase.kind == super::super::PhaseKind::StartControllers {
                assert!(roll.iter().all(|n| n.votes) && roll.len() == controllers, "{roll:?}");
                assert_eq!(gate[..start.health.len()], start.health[..], "the stage's own conditions first");
            } else {
                assert!(roll.iter().all(|n| !n.votes), "brokers-only nodes do not vote: {roll:?}");
            }
        }
    }
}
