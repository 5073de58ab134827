//! The selection and its rules as data: the project fixtures, a limit, and which nodes answer.

use super::*;
use crate::plan::{plan, Health, PhaseKind};
use crate::project;

fn spec(text: &str) -> ClusterSpec {
    project::validate(&project::parse(text).unwrap()).spec.unwrap()
}
/// peter-zk001..003 (ZooKeeper), peter-kafka001..003 (brokers).
fn zookeeper_mode() -> ClusterSpec {
    spec(include_str!("../../../tests/fixtures/seed-cluster.toml"))
}
/// node1..3.example.com, each a broker and a controller.
fn combined() -> ClusterSpec {
    spec(include_str!("../../../tests/fixtures/kraft-combined-3-7.toml"))
}
/// ctrl1..3 (controllers), broker1..3.
fn dedicated() -> ClusterSpec {
    spec(include_str!("../../../tests/fixtures/kraft-dedicated.toml"))
}

fn limit(spec: &ClusterSpec, text: &str) -> Limit {
    Limit::parse(spec, text).unwrap()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Every node of the ZooKeeper-mode fixture running, but those in `down`.
fn zookeeper_mode_running(down: &[&str]) -> Running {
    let up = |all: &[&str]| all.iter().filter(|h| !down.contains(h)).map(|h| h.to_string()).collect();
    Running {
        zookeeper: up(&["peter-zk001", "peter-zk002", "peter-zk003"]),
        kafka: up(&["peter-kafka001", "peter-kafka002", "peter-kafka003"]),
    }
}

fn refused(result: Result<(), LimitError>) -> String {
    match result {
        Err(LimitError::Refused { reason, .. }) => reason,
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn a_limit_is_a_comma_separated_list_of_the_projects_hosts() {
    let spec = zookeeper_mode();
    let l = limit(&spec, "peter-kafka002, peter-zk001,");
    assert!(l.contains("peter-kafka002") && l.contains("peter-zk001") && !l.contains("peter-kafka001"));
    assert_eq!(l.describe(), "peter-kafka002, peter-zk001");
    assert!(Limit::all().contains("anything") && Limit::all().is_all());
}

#[test]
fn an_unknown_host_is_refused_naming_the_flag_and_the_known_hosts() {
    let spec = zookeeper_mode();
    let err = Limit::parse(&spec, "peter-kafka001,h9").unwrap_err();
    assert_eq!(
        err.to_string(),
        "--limit: unknown host(s) h9; the project's hosts are peter-zk001, peter-zk002, peter-zk003, peter-kafka001, \
         peter-kafka002, peter-kafka003"
    );
    assert!(matches!(Limit::parse(&spec, " , "), Err(LimitError::Empty { .. })));
}

#[test]
fn the_limited_plan_keeps_only_the_named_hosts_and_drops_phases_left_without_any() {
    let spec = zookeeper_mode();
    let full = plan(&spec);
    let limited = limit(&spec, "peter-kafka002").plan(full.clone());
    let kinds: Vec<PhaseKind> = limited.phases.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            PhaseKind::Fetch,
            PhaseKind::Prepare,
            PhaseKind::Install,
            PhaseKind::Configure,
            PhaseKind::Register,
            PhaseKind::StartBrokers
        ],
        "the ZooKeeper phase has no named host"
    );
    for phase in &limited.phases {
        match &phase.work {
            Work::OnHosts { hosts } => {
                assert_eq!(hosts.iter().map(|h| h.host.as_str()).collect::<Vec<_>>(), ["peter-kafka002"])
            }
            Work::Start(start) => {
                assert_eq!(start.hosts, ["peter-kafka002"]);
                assert!(
                    start.health.contains(&Health::BrokersInCluster { broker_ids: vec![1, 2, 3] }),
                    "the gates still judge the whole cluster: {:?}",
                    start.health
                );
            }
            Work::Fetch(_) | Work::Acls(_) | Work::ScramUsers(_) | Work::RotateCa(_) | Work::ConvertQuorum(_) => {}
        }
    }
    assert_eq!(Limit::all().plan(full.clone()), full, "no limit, the whole plan");
}

#[test]
fn stopping_two_of_three_zookeeper_members_while_the_brokers_run_is_refused() {
    let spec = zookeeper_mode();
    let reason =
        refused(limit(&spec, "peter-zk001,peter-zk002").check(&spec, Intent::Stop, &zookeeper_mode_running(&[])));
    assert!(
        reason.starts_with(
            "stopping peter-zk001, peter-zk002 would leave 1 of the 3 members of the ZooKeeper ensemble running, \
             below its majority (2), while peter-kafka001, peter-kafka002, peter-kafka003 outside --limit keep running"
        ),
        "{reason}"
    );
}

#[test]
fn stopping_one_member_is_allowed_unless_another_is_already_down() {
    let spec = zookeeper_mode();
    let one = limit(&spec, "peter-zk001");
    assert_eq!(one.check(&spec, Intent::Stop, &zookeeper_mode_running(&[])), Ok(()));
    let reason = refused(one.check(&spec, Intent::Stop, &zookeeper_mode_running(&["peter-zk003"])));
    assert!(reason.contains("would leave 1 of the 3 members"), "{reason}");
}

#[test]
fn stopping_members_together_with_every_running_broker_or_an_ensemble_already_lost_is_allowed() {
    let spec = zookeeper_mode();
    let running = zookeeper_mode_running(&[]);
    let with_brokers = limit(&spec, "peter-zk001,peter-zk002,peter-kafka001,peter-kafka002,peter-kafka003");
    assert_eq!(with_brokers.check(&spec, Intent::Stop, &running), Ok(()));
    let brokers_down = zookeeper_mode_running(&["peter-kafka001", "peter-kafka002", "peter-kafka003"]);
    assert_eq!(limit(&spec, "peter-zk001,peter-zk002").check(&spec, Intent::Stop, &brokers_down), Ok(()));
    let lost = zookeeper_mode_running(&["peter-zk002", "peter-zk003"]);
    assert_eq!(limit(&spec, "peter-zk001").check(&spec, Intent::Stop, &lost), Ok(()), "no majority to lose");
    assert_eq!(limit(&spec, "peter-kafka001,peter-kafka002").check(&spec, Intent::Stop, &running), Ok(()));
}

#[test]
fn stopping_two_of_three_combined_kraft_nodes_is_refused() {
    let spec = combined();
    let all = names(&["node1.example.com", "node2.example.com", "node3.example.com"]);
    let running = Running { zookeeper: BTreeSet::new(), kafka: all };
    let reason = refused(limit(&spec, "node1.example.com,node2.example.com").check(&spec, Intent::Stop, &running));
    assert!(reason.contains("1 of the 3 members of the KRaft controller quorum"), "{reason}");
    assert!(
        reason.contains("while node3.example.com outside --limit keeps running and needs it; stop that broker too"),
        "{reason}"
    );
    assert_eq!(limit(&spec, "node1.example.com").check(&spec, Intent::Stop, &running), Ok(()));
}

#[test]
fn starting_brokers_whose_ensemble_is_down_and_not_in_the_limit_is_refused() {
    let spec = zookeeper_mode();
    let down = zookeeper_mode_running(&["peter-zk001", "peter-zk002", "peter-zk003", "peter-kafka001"]);
    let brokers = limit(&spec, "peter-kafka001");
    for intent in [Intent::Start, Intent::Deploy] {
        let reason = refused(brokers.check(&spec, intent, &down));
        assert!(
            reason.starts_with(
                "the ZooKeeper ensemble would have 0 of its 3 members running, and a majority (2) is needed; \
                 peter-zk001, peter-zk002, peter-zk003 are neither running nor in --limit"
            ),
            "{reason}"
        );
    }
    let with_ensemble = limit(&spec, "peter-zk001,peter-zk002,peter-zk003,peter-kafka001");
    assert_eq!(with_ensemble.check(&spec, Intent::Start, &down), Ok(()));
    let one_member_down = zookeeper_mode_running(&["peter-zk003", "peter-kafka001"]);
    assert_eq!(brokers.check(&spec, Intent::Start, &one_member_down), Ok(()), "a majority runs");
}

#[test]
fn a_limited_start_needs_the_rest_of_each_of_its_phases_running_because_the_gates_judge_them_all() {
    let spec = zookeeper_mode();
    let reason = refused(limit(&spec, "peter-kafka001").check(
        &spec,
        Intent::Start,
        &zookeeper_mode_running(&["peter-kafka003"]),
    ));
    assert!(
        reason.starts_with(
            "peter-kafka003 outside --limit is not running, and the health gates after starting the brokers judge every one"
        ),
        "{reason}"
    );
    let reason = refused(limit(&spec, "peter-zk001,peter-zk002").check(
        &spec,
        Intent::Deploy,
        &zookeeper_mode_running(&["peter-zk003"]),
    ));
    assert!(reason.starts_with("peter-zk003 outside --limit is not running"), "{reason}");
    assert!(reason.contains("starting the zookeeper judge"), "{reason}");
}

#[test]
fn a_first_install_limited_to_some_kraft_nodes_is_refused() {
    let nothing = Running::default();
    let spec = combined();
    let reason = refused(limit(&spec, "node1.example.com").check(&spec, Intent::Deploy, &nothing));
    assert!(reason.contains("KRaft controller quorum would have 1 of its 3 members running"), "{reason}");
    let reason = refused(limit(&spec, "node1.example.com,node2.example.com").check(&spec, Intent::Deploy, &nothing));
    assert!(reason.starts_with("node3.example.com outside --limit is not running"), "{reason}");
    assert!(reason.ends_with("(nothing of the cluster runs: a first install includes every host)"), "{reason}");

    let spec = dedicated();
    let reason = refused(limit(&spec, "ctrl1,ctrl2,ctrl3,broker1").check(&spec, Intent::Deploy, &nothing));
    assert!(reason.starts_with("broker2, broker3 outside --limit are not running"), "{reason}");
    let every = limit(&spec, "ctrl1,ctrl2,ctrl3,broker1,broker2,broker3");
    assert_eq!(every.check(&spec, Intent::Deploy, &nothing), Ok(()), "naming every host is a whole install");
}

#[test]
fn restart_and_status_are_never_refused_and_without_a_limit_nothing_is() {
    let spec = zookeeper_mode();
    let nothing = Running::default();
    let l = limit(&spec, "peter-zk001,peter-zk002");
    assert_eq!(l.check(&spec, Intent::Restart, &nothing), Ok(()), "the roll takes one node down at a time");
    assert_eq!(l.check(&spec, Intent::Status, &nothing), Ok(()));
    for intent in [Intent::Deploy, Intent::Start, Intent::Stop] {
        assert_eq!(Limit::all().check(&spec, intent, &nothing), Ok(()));
    }
}
