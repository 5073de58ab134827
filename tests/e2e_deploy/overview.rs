//! `status --json`'s overview while a broker is down (issue 15): one combined KRaft node's broker stopped behind the
//! wizard's back (systemctl on its host) while the cluster holds RF=3 topics — the overview counts the partitions
//! left under-replicated (more than 0) and marks the broker down; started again, it counts none and the cluster is
//! healthy. Each reading is a real `status --json` against the running cluster.

use super::{status_json, World};
use std::time::{Duration, Instant};

/// The overview's under-replicated partitions summed over the brokers, and the ids of the brokers it says are down.
fn under_replicated_and_down(status: &serde_json::Value) -> (u64, Vec<i64>) {
    let brokers = status["overview"]["brokers"].as_array().cloned().unwrap_or_default();
    let under = brokers.iter().map(|b| b["under_replicated"].as_u64().unwrap_or(0)).sum();
    let down = brokers.iter().filter(|b| b["up"] == false).filter_map(|b| b["id"].as_i64()).collect();
    (under, down)
}

/// Reads `status --json` every second until `done` holds (at most `limit`); the last reading and how long it took.
fn status_until(p: &str, limit: Duration, done: impl Fn(&serde_json::Value) -> bool) -> (serde_json::Value, f64) {
    let t0 = Instant::now();
    loop {
        let status = status_json(p);
        if done(&status) {
            return (status, t0.elapsed().as_secs_f64());
        }
        assert!(t0.elapsed() < limit, "not within {limit:?}: {status}");
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// `host` (broker `id`) stopped: under-replicated partitions counted and the broker down; started: none, healthy.
pub fn status_counts_under_replicated_partitions_while_a_broker_is_stopped(
    world: &World,
    p: &str,
    host: &str,
    id: i64,
) {
    let (before, down) = under_replicated_and_down(&status_json(p));
    assert_eq!((before, down), (0, vec![]), "a healthy cluster to begin with");
    world.ssh_ok(host, "root", "systemctl stop kafka-server");
    let (stopped, waited) = status_until(p, Duration::from_secs(60), |s| {
        let (under, down) = under_replicated_and_down(s);
        under > 0 && down == [id]
    });
    let (under, _) = under_replicated_and_down(&stopped);
    assert_eq!(stopped["healthy"], false, "a stopped broker is not a healthy cluster: {stopped}");
    let partitions = stopped["overview"]["partitions"].as_u64().unwrap();
    world.ssh_ok(host, "root", "systemctl start kafka-server");
    let (started, back) = status_until(p, Duration::from_secs(120), |s| {
        s["healthy"] == true && under_replicated_and_down(s) == (0, vec![])
    });
    assert_eq!(started["overview"]["offline_partitions"], 0, "{started}");
    eprintln!(
        "MEASURE status --json with broker {id} ({host}) stopped: {under} of {partitions} partitions under-replicated \
         (seen {waited:.1}s after the stop); started again: 0 under-replicated, healthy after {back:.1}s"
    );
}
