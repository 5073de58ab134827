use super::*;
use crate::project::{parse, validate};

fn spec(text: &str) -> ClusterSpec {
    validate(&parse(text).unwrap()).spec.unwrap()
}

fn dedicated() -> ClusterSpec {
    spec(include_str!("../../tests/fixtures/kraft-dedicated.toml"))
}

use crate::reassign::balance::tests::topic as partitions;

fn view(live: &[i32], partitions: Vec<PartitionReplicas>, min_insync: &[(&str, i32)]) -> ClusterView {
    ClusterView {
        live: live.to_vec(),
        partitions,
        ongoing: Vec::new(),
        min_insync: min_insync.iter().map(|(t, v)| (t.to_string(), *v)).collect(),
    }
}

#[test]
fn a_decommission_that_would_leave_too_few_brokers_for_a_topic_is_refused_naming_it() {
    let spec = dedicated();
    let v = view(&[1, 2, 3], partitions("orders", 6, 3, &[1, 2, 3]), &[("orders", 2)]);
    let why = refusal(&spec, &v, Procedure::Decommission { broker: 3 }).unwrap();
    assert!(why.contains("2 broker(s) remain") && why.contains("orders has replication factor 3"), "{why}");

    let v = view(&[1, 2, 3], partitions("events", 6, 2, &[1, 2, 3]), &[("events", 2)]);
    assert_eq!(refusal(&spec, &v, Procedure::Decommission { broker: 3 }), None, "RF 2 fits on two brokers");

    let mut v = view(&[1, 2, 3], partitions("odd", 6, 1, &[1, 2, 3]), &[("odd", 3)]);
    let why = refusal(&spec, &v, Procedure::Decommission { broker: 3 }).unwrap();
    assert!(why.contains("odd has min.insync.replicas 3"), "{why}");
    v.min_insync.clear();
    assert_eq!(refusal(&spec, &v, Procedure::Decommission { broker: 3 }), None);
}

#[test]
fn a_decommission_of_an_unknown_broker_or_a_kraft_controller_is_refused_with_the_reason() {
    let v = view(&[1, 2, 3], Vec::new(), &[]);
    let why = refusal(&dedicated(), &v, Procedure::Decommission { broker: 9 }).unwrap();
    assert!(why.contains("no host in the project is broker 9") && why.contains("[1, 2, 3]"), "{why}");

    let combined = spec(include_str!("../../tests/fixtures/kraft-combined-3-7.toml"));
    let id = project_brokers(&combined)[0];
    let why = refusal(&combined, &v, Procedure::Decommission { broker: id }).unwrap();
    assert!(why.contains("also a KRaft controller") && why.contains("dynamic quorum"), "{why}");
}

#[test]
fn a_decommission_is_refused_while_another_project_broker_is_not_in_the_cluster() {
    let v = view(&[1, 3], partitions("t", 3, 2, &[1, 2, 3]), &[]);
    let why = refusal(&dedicated(), &v, Procedure::Decommission { broker: 3 }).unwrap();
    assert!(why.starts_with("broker 2 (broker2) not in the cluster (stopped, or fenced)"), "{why}");
    assert!(why.contains("start it"), "{why}");
    let v = view(&[1, 2], partitions("t", 3, 2, &[1, 2, 3]), &[]);
    assert_eq!(
        refusal(&dedicated(), &v, Procedure::Decommission { broker: 3 }),
        None,
        "the broker being decommissioned may itself be down: its replicas are copied from the others"
    );
}

#[test]
fn a_rebalance_is_refused_while_a_project_broker_is_not_in_the_cluster() {
    let v = view(&[1, 2], partitions("t", 3, 2, &[1, 2]), &[]);
    let why = refusal(&dedicated(), &v, Procedure::Rebalance).unwrap();
    assert!(why.starts_with("broker 3 (broker3) not in the cluster: deploy"), "{why}");
    let v = view(&[1, 2, 3], partitions("t", 3, 2, &[1, 2]), &[]);
    assert_eq!(refusal(&dedicated(), &v, Procedure::Rebalance), None);
}

#[test]
fn a_balanced_cluster_plans_only_clearing_the_throttle_and_electing_leaders() {
    let v = view(&[1, 2, 3], partitions("t", 6, 3, &[1, 2, 3]), &[]);
    let p = plan(&dedicated(), &v, Procedure::Rebalance, 50_000_000);
    assert!(p.balanced(), "{p:?}");
    assert_eq!(p.phases.iter().map(|p| p.id()).collect::<Vec<_>>(), ["clear-throttle", "elect-leaders"]);
}

#[test]
fn a_rebalance_onto_a_new_broker_throttles_exactly_the_moving_replicas() {
    let v = view(&[1, 2, 3], partitions("t", 3, 2, &[1, 2]), &[]);
    let p = plan(&dedicated(), &v, Procedure::Rebalance, 10_000_000);
    assert_eq!(
        p.phases.iter().map(|p| p.id()).collect::<Vec<_>>(),
        ["throttle", "reassign", "clear-throttle", "elect-leaders"]
    );
    let ReassignPhase::Throttle { changes, .. } = &p.phases[0] else { panic!() };
    let moved: Vec<&Reassignment> = p.moves().iter().filter(|m| !m.reorder_only()).collect();
    let follower = changes.iter().find(|c| c.key == FOLLOWER_REPLICAS).unwrap();
    let want: Vec<String> = moved.iter().map(|m| format!("{}:3", m.partition)).collect();
    assert_eq!(follower.value.as_deref(), Some(want.join(",").as_str()));
    let rates = changes.iter().filter(|c| c.resource_type == BROKER && c.value.as_deref() == Some("10000000"));
    assert_eq!(rates.count(), 6, "both rates on each of the 3 live brokers");
    assert_eq!(p.after.iter().map(|l| l.replicas).collect::<Vec<_>>(), [2, 2, 2]);
    assert!(p.phases[0].title().contains("10 MB/s"));
}

#[test]
fn a_decommission_plans_the_drain_then_stop_unregister_and_drop_in_that_order() {
    let v = view(&[1, 2, 3], partitions("t", 6, 2, &[1, 2, 3]), &[]);
    let p = plan(&dedicated(), &v, Procedure::Decommission { broker: 3 }, 10_000_000);
    let ids: Vec<&str> = p.phases.iter().map(|p| p.id()).collect();
    assert_eq!(
        ids,
        [
            "throttle",
            "reassign",
            "clear-throttle",
            "elect-leaders",
            "stop-broker",
            "unregister-broker",
            "drop-from-project"
        ]
    );
    assert!(p.moves().iter().all(|m| !m.to.contains(&3)));
    assert_eq!(p.after[2], BrokerLoad { broker: 3, replicas: 0, leaders: 0 });
    assert_eq!(p.phases.last().unwrap().title(), "remove host broker3 from the project file");
}

#[test]
fn a_zookeeper_member_keeps_its_host_and_loses_only_the_broker_role() {
    let mixed = spec(include_str!("../../tests/fixtures/mixed-zookeeper.toml"));
    let v = view(&[0, 1, 2, 3], partitions("t", 4, 2, &[0, 1, 2, 3]), &[]);
    let p = plan(&mixed, &v, Procedure::Decommission { broker: 0 }, 1_000_000);
    assert!(!p.phases.iter().any(|p| p.id() == "unregister-broker"), "ZooKeeper mode has no registration to remove");
    assert_eq!(p.phases.last().unwrap(), &ReassignPhase::DropFromProject { host: "m1".into(), whole_host: false });
}

#[test]
fn clearing_the_throttle_covers_every_live_broker_and_topic() {
    let mut parts = partitions("a", 2, 2, &[1, 2]);
    parts.extend(partitions("b", 1, 1, &[1]));
    let changes = clear_changes(&view(&[1, 2], parts, &[]));
    assert_eq!(changes.len(), 2 * 2 + 2 * 2);
    assert!(changes.iter().all(|c| c.value.is_none()));
}

#[test]
fn a_serialised_plan_tags_each_phase_with_its_event_id_and_the_procedure_with_its_kind() {
    let v = view(&[1, 2, 3], partitions("orders", 6, 2, &[1, 2, 3]), &[]);
    let p = plan(&dedicated(), &v, Procedure::Decommission { broker: 3 }, 10_000_000);
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["procedure"], serde_json::json!({ "kind": "decommission", "broker": 3 }));
    let kinds: Vec<&str> = json["phases"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    let ids: Vec<&str> = p.phases.iter().map(|p| p.id()).collect();
    assert_eq!(kinds, ids, "the UI matches a phase's kind against the run's phase events");
    assert!(kinds.contains(&"unregister-broker"), "{kinds:?}");
    let reassign = json["phases"].as_array().unwrap().iter().find(|p| p["kind"] == "reassign").unwrap();
    assert_eq!(reassign["moves"][0]["from"].as_array().unwrap().len(), 2, "{reassign}");
}
