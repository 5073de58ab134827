use super::*;
use crate::health::{PartitionState, ZkMode, ZkStatus};

fn partition(topic: &str, n: i32, leader: i32, replicas: &[i32], isr: &[i32]) -> PartitionState {
    PartitionState {
        topic: topic.into(),
        partition: n,
        leader,
        replicas: replicas.to_vec(),
        isr: isr.to_vec(),
        offline: Vec::new(),
        error_code: 0,
    }
}

fn brokers() -> Vec<ProjectBroker> {
    (1..=3).map(|id| ProjectBroker { id, host: format!("h{}", id + 3) }).collect()
}

fn dir(path: &str, used: u64, total: Option<u64>, usable: Option<u64>) -> LogDirOverview {
    LogDirOverview { path: path.into(), used_bytes: used, total_bytes: total, usable_bytes: usable, error: None }
}

#[test]
fn a_healthy_cluster_counts_leaders_and_replicas_per_broker_and_has_no_problems() {
    let answers = Answers {
        live: Some((vec![1, 2, 3], 2)),
        partitions: vec![
            partition("orders", 0, 1, &[1, 2, 3], &[1, 2, 3]),
            partition("orders", 1, 2, &[2, 3, 1], &[2, 3, 1]),
            partition("orders", 2, 3, &[3, 1, 2], &[3, 1, 2]),
            partition("audit", 0, 1, &[1, 2], &[1, 2]),
        ],
        min_insync: [("orders".to_string(), 2)].into(),
        log_dirs: [(1, Ok(vec![dir("/data1", 2048, Some(100 << 30), Some(60 << 30))]))].into(),
        ..Answers::default()
    };
    let o = assemble(&brokers(), answers);
    assert_eq!(o.problems, Vec::<String>::new());
    assert_eq!((o.topics, o.partitions, o.offline_partitions), (2, 4, 0));
    let b1 = &o.brokers[0];
    assert_eq!((b1.up, b1.controller, b1.leads, b1.replicas), (true, false, 2, 4));
    assert!(o.brokers[1].controller, "ZooKeeper mode: Metadata's controller id");
    assert_eq!(b1.log_dirs.as_ref().unwrap()[0].used_bytes, 2048);
    assert_eq!(o.brokers[2].log_dirs, None, "not asked");
}

#[test]
fn a_broker_down_shows_as_such_with_the_partitions_it_leaves_behind_and_what_to_do() {
    let answers = Answers {
        live: Some((vec![1, 2], 1)),
        partitions: vec![
            partition("orders", 0, 1, &[1, 3], &[1]),
            partition("orders", 1, 2, &[2, 3], &[2]),
            partition("solo", 0, -1, &[3], &[]),
        ],
        min_insync: [("orders".to_string(), 2), ("solo".to_string(), 1)].into(),
        ..Answers::default()
    };
    let o = assemble(&brokers(), answers);
    let b3 = &o.brokers[2];
    assert!(!b3.up && !b3.controller);
    assert_eq!((b3.leads, b3.replicas), (0, 3));
    assert_eq!((o.brokers[0].under_replicated, o.brokers[0].under_min_isr), (1, 1));
    assert_eq!(o.offline_partitions, 1);
    assert_eq!(o.problems.len(), 3, "{:#?}", o.problems);
    assert!(o.problems[0].starts_with("broker 3 (h6) is not in the cluster"), "{}", o.problems[0]);
    assert!(o.problems[1].starts_with("1 partition(s) offline, no leader (solo-0)"), "{}", o.problems[1]);
    assert!(
        o.problems[2].contains("2 partition(s) below min.insync.replicas (orders-0, orders-1)"),
        "{}",
        o.problems[2]
    );
}

#[test]
fn a_nearly_full_or_offline_log_directory_is_a_problem() {
    let answers = Answers {
        live: Some((vec![1, 2, 3], 1)),
        log_dirs: [
            (1, Ok(vec![dir("/data1", 5, Some(1000), Some(99)), dir("/data2", 5, Some(1000), Some(100))])),
            (2, Ok(vec![LogDirOverview { error: Some("KAFKA_STORAGE_ERROR".into()), ..dir("/data1", 0, None, None) }])),
            (3, Err("timed out".into())),
        ]
        .into(),
        ..Answers::default()
    };
    let o = assemble(&brokers(), answers);
    assert_eq!(o.problems.len(), 2, "{:#?}", o.problems);
    assert!(o.problems[0].starts_with("broker 1: /data1 has 9% free (99 B of 1000 B)"), "{}", o.problems[0]);
    assert!(o.problems[1].contains("/data1 is offline (KAFKA_STORAGE_ERROR)"), "{}", o.problems[1]);
    assert_eq!(o.brokers[2].log_dirs_error.as_deref(), Some("timed out"));
}

#[test]
fn kraft_voters_show_the_leader_and_lag_and_the_leader_is_the_controller_of_a_combined_node() {
    let answers = Answers {
        live: Some((vec![1, 2, 3], 3)),
        quorum: Some((2, vec![(1, Some(0)), (2, Some(0)), (3, None)])),
        voter_hosts: [(1, "h4".to_string()), (2, "h5".to_string()), (3, "h6".to_string())].into(),
        ..Answers::default()
    };
    let o = assemble(&brokers(), answers);
    assert_eq!(o.brokers.iter().map(|b| b.controller).collect::<Vec<_>>(), [false, true, false]);
    assert_eq!(o.voters[1], VoterOverview { id: 2, host: "h5".into(), leader: true, lag: Some(0) });
    assert_eq!(o.voters[2].lag, None);
}

#[test]
fn zookeeper_members_show_mode_latency_and_a_silent_one_is_a_problem() {
    let leader =
        ZkStatus { mode: ZkMode::Leader, version: "3.8.4".into(), latency_avg_us: Some(250), outstanding: Some(0) };
    let answers = Answers {
        live: Some((vec![1, 2, 3], 1)),
        zookeeper: vec![("h1".into(), Ok(leader)), ("h2".into(), Err("connection refused".into()))],
        ..Answers::default()
    };
    let o = assemble(&brokers(), answers);
    assert_eq!(o.zookeeper[0].mode.as_deref(), Some("leader"));
    assert_eq!(o.zookeeper[0].latency_avg_us, Some(250));
    assert_eq!(
        o.problems,
        ["ZooKeeper on h2 does not answer (connection refused) — start it: kafka-wizard start FILE"]
    );
}

#[test]
fn no_broker_answering_says_so_and_counts_nobody_as_down_twice() {
    let answers = Answers { metadata_error: Some("connection refused".into()), ..Answers::default() };
    let o = assemble(&brokers(), answers);
    assert_eq!(o.problems.len(), 1, "{:#?}", o.problems);
    assert!(o.brokers.iter().all(|b| !b.up));
}

#[test]
fn byte_counts_read_in_binary_units() {
    assert_eq!(bytes(100), "100 B");
    assert_eq!(bytes(1536), "1.5 KiB");
    assert_eq!(bytes(60 << 30), "60.0 GiB");
}
