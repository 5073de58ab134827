//! What a smoke test found, as data (the CLI prints it or its JSON, the app shows it): pass or fail, which broker
//! leads which partition, each partition's outcome, produce latency, and every failure in words that name the
//! broker ("partition 2 (leader broker 3 on h6): NOT_ENOUGH_REPLICAS", "broker 2 (h5) is not in the cluster").
//! Also the pure judging behind it: latency percentiles and the comparison of what was acknowledged with what was
//! read back.

use bytes::Bytes;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;
use ts_rs::TS;

#[derive(Clone, Debug, Serialize, TS)]
pub struct SmokeReport {
    /// Every record acknowledged was read back unchanged, every broker is in the cluster, nothing failed.
    pub passed: bool,
    /// Stopped by Cancel (or Ctrl-C) before the end; the topic was still deleted.
    pub cancelled: bool,
    pub topic: String,
    pub replication_factor: u32,
    pub min_insync_replicas: u32,
    /// Records asked for.
    pub records: u32,
    /// Records the leaders acknowledged (acks=all).
    pub acked: u32,
    /// Acknowledged records read back unchanged.
    pub read_back: u32,
    /// The project's brokers in id order: in the cluster or not, and the partitions each leads.
    pub brokers: Vec<BrokerLeadership>,
    pub partitions: Vec<PartitionOutcome>,
    /// Produce latency of one record with acks=all (request to acknowledgement), over every partition.
    pub latency: Option<Latency>,
    /// From the first record sent to the last one read back and compared.
    pub end_to_end_ms: Option<f64>,
    /// The whole test, the topic's creation and deletion included.
    pub total_ms: f64,
    /// Topics of earlier, interrupted smoke tests this run removed.
    pub leftovers_removed: Vec<String>,
    pub cleanup: Cleanup,
    /// Everything that went wrong, each naming its broker and host where there is one.
    pub failures: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct BrokerLeadership {
    pub id: i32,
    /// The project's host name.
    pub host: String,
    /// Listed by the cluster's Metadata (registered and alive).
    pub in_cluster: bool,
    /// The smoke topic's partitions it leads.
    pub leads: Vec<i32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct PartitionOutcome {
    pub partition: i32,
    /// -1 when the partition had no leader.
    pub leader: i32,
    /// The leader's host name (the project's), or its id when the project does not know it.
    pub leader_host: String,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    pub acked: u32,
    pub read_back: u32,
    /// Acknowledged records not read back.
    pub lost: u32,
    /// Acknowledged records read back with another key or value.
    pub mismatched: u32,
    /// What stopped this partition's produce or fetch (`NOT_ENOUGH_REPLICAS: …`).
    pub error: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, TS)]
pub struct Latency {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Acknowledged produce requests measured (one record each).
    pub samples: u32,
}

/// What became of the temporary topic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Cleanup {
    /// It was never created.
    NotCreated,
    Deleted,
    /// Deletion was accepted but not finished in time (a replica's broker is down: Kafka finishes it when the
    /// broker is back; the next smoke test removes it otherwise).
    Pending {
        reason: String,
    },
    /// Deletion failed: the topic is still there (the next smoke test removes it).
    Failed {
        reason: String,
    },
}

impl SmokeReport {
    pub(super) fn new(topic: String, replication_factor: usize, min_insync_replicas: usize, records: u32) -> Self {
        SmokeReport {
            passed: false,
            cancelled: false,
            topic,
            replication_factor: replication_factor as u32,
            min_insync_replicas: min_insync_replicas as u32,
            records,
            acked: 0,
            read_back: 0,
            brokers: Vec::new(),
            partitions: Vec::new(),
            latency: None,
            end_to_end_ms: None,
            total_ms: 0.0,
            leftovers_removed: Vec::new(),
            cleanup: Cleanup::NotCreated,
            failures: Vec::new(),
        }
    }

    pub(super) fn fail(&mut self, failure: impl Into<String>) {
        self.failures.push(failure.into());
    }

    /// `broker 3 (h6)`, or `broker 3` when the project does not know it.
    pub fn broker_label(&self, id: i32) -> String {
        match self.brokers.iter().find(|b| b.id == id) {
            Some(b) => format!("broker {id} ({})", b.host),
            None => format!("broker {id}"),
        }
    }

    /// The host name of broker `id` (the project's), else the id.
    pub(super) fn host_of(&self, id: i32) -> String {
        self.brokers.iter().find(|b| b.id == id).map(|b| b.host.clone()).unwrap_or_else(|| id.to_string())
    }

    /// `partition 2 (leader broker 3 on h6)`, or `(no leader)`.
    pub fn partition_label(&self, p: &PartitionOutcome) -> String {
        if p.leader < 0 {
            format!("partition {} (no leader)", p.partition)
        } else {
            format!("partition {} (leader broker {} on {})", p.partition, p.leader, p.leader_host)
        }
    }

    /// Adds each partition's error and losses to the failures, sums the counts, and sets `passed`.
    pub(super) fn finish(&mut self, total: Duration) {
        let mut failures = Vec::new();
        for p in &self.partitions {
            let label = self.partition_label(p);
            if let Some(error) = &p.error {
                failures.push(format!("{label}: {error}"));
            }
            if p.lost > 0 || p.mismatched > 0 {
                failures.push(format!(
                    "{label}: {} acknowledged record(s) lost, {} read back changed",
                    p.lost, p.mismatched
                ));
            }
        }
        self.failures.extend(failures);
        if let Cleanup::Failed { reason } = &self.cleanup {
            self.failures.push(format!("the topic {} could not be deleted: {reason}", self.topic));
        }
        self.acked = self.partitions.iter().map(|p| p.acked).sum();
        self.read_back = self.partitions.iter().map(|p| p.read_back).sum();
        if !self.cancelled && self.failures.is_empty() && self.acked < self.records {
            self.failures.push(format!("only {} of {} records were acknowledged", self.acked, self.records));
        }
        self.total_ms = millis(total);
        self.passed = !self.cancelled && self.failures.is_empty();
    }
}

pub(super) fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0
}

/// p50, p99 and max of the samples (nearest rank), None when there are none.
pub fn latency(samples: &[Duration]) -> Option<Latency> {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = |q: f64| sorted[((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
    let max = *sorted.last()?;
    Some(Latency {
        p50_ms: millis(rank(0.50)),
        p99_ms: millis(rank(0.99)),
        max_ms: millis(max),
        samples: sorted.len() as u32,
    })
}

/// A record as produced or read back: its offset, key and value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub offset: i64,
    pub key: Option<Bytes>,
    pub value: Option<Bytes>,
}

/// How what was read back matches what was acknowledged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Acknowledged and read back with the same key and value.
    pub matched: u32,
    /// Acknowledged, not read back.
    pub lost: u32,
    /// Acknowledged, read back at its offset with another key or value.
    pub mismatched: u32,
}

/// Compares the acknowledged records with those read back, by offset.
pub fn compare(acked: &[Stored], read: &[Stored]) -> Comparison {
    let read: BTreeMap<i64, &Stored> = read.iter().map(|r| (r.offset, r)).collect();
    let mut c = Comparison::default();
    for a in acked {
        match read.get(&a.offset) {
            None => c.lost += 1,
            Some(r) if r.key == a.key && r.value == a.value => c.matched += 1,
            Some(_) => c.mismatched += 1,
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(offset: i64, value: &'static str) -> Stored {
        Stored { offset, key: Some(Bytes::from(offset.to_string())), value: Some(Bytes::from_static(value.as_bytes())) }
    }

    #[test]
    fn latency_percentiles_are_nearest_rank_in_milliseconds() {
        let samples: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let l = latency(&samples).unwrap();
        assert_eq!((l.p50_ms, l.p99_ms, l.max_ms, l.samples), (50.0, 99.0, 100.0, 100));
        let one = latency(&[Duration::from_micros(1234)]).unwrap();
        assert_eq!((one.p50_ms, one.p99_ms, one.max_ms), (1.2, 1.2, 1.2));
        assert_eq!(latency(&[]), None);
    }

    #[test]
    fn records_read_back_unchanged_match_and_missing_or_changed_ones_are_counted() {
        let acked = [stored(0, "a"), stored(1, "b"), stored(2, "c"), stored(3, "d")];
        let read = [stored(0, "a"), stored(1, "B"), stored(3, "d"), stored(4, "unacknowledged")];
        assert_eq!(compare(&acked, &read), Comparison { matched: 2, lost: 1, mismatched: 1 });
        assert_eq!(compare(&acked, &acked), Comparison { matched: 4, lost: 0, mismatched: 0 });
    }

    fn report() -> SmokeReport {
        let mut r = SmokeReport::new("kafka-wizard-smoke-1-00000001".into(), 3, 3, 10);
        r.brokers = (1..=3)
            .map(|id| BrokerLeadership { id, host: format!("h{}", id + 3), in_cluster: true, leads: vec![id - 1] })
            .collect();
        r.partitions = (0..3)
            .map(|p| PartitionOutcome {
                partition: p,
                leader: p + 1,
                leader_host: r.host_of(p + 1),
                replicas: vec![1, 2, 3],
                isr: vec![1, 2, 3],
                acked: if p == 0 { 4 } else { 3 },
                read_back: if p == 0 { 4 } else { 3 },
                lost: 0,
                mismatched: 0,
                error: None,
            })
            .collect();
        r
    }

    #[test]
    fn a_report_with_everything_read_back_passes() {
        let mut r = report();
        r.cleanup = Cleanup::Deleted;
        r.finish(Duration::from_millis(2500));
        assert!(r.passed, "{:?}", r.failures);
        assert_eq!((r.acked, r.read_back, r.total_ms), (10, 10, 2500.0));
    }

    #[test]
    fn a_partition_error_names_the_partition_its_leader_broker_and_host() {
        let mut r = report();
        r.partitions[2].error = Some("NOT_ENOUGH_REPLICAS".into());
        r.partitions[2].acked = 0;
        r.partitions[2].read_back = 0;
        r.cleanup = Cleanup::Deleted;
        r.finish(Duration::from_secs(1));
        assert!(!r.passed);
        assert_eq!(r.failures, ["partition 2 (leader broker 3 on h6): NOT_ENOUGH_REPLICAS"]);
    }

    #[test]
    fn lost_records_a_failed_deletion_or_too_few_acknowledgements_fail() {
        let mut r = report();
        r.partitions[1].lost = 2;
        r.partitions[1].read_back = 1;
        r.cleanup = Cleanup::Failed { reason: "NOT_CONTROLLER".into() };
        r.finish(Duration::from_secs(1));
        assert_eq!(
            r.failures,
            [
                "partition 1 (leader broker 2 on h5): 2 acknowledged record(s) lost, 0 read back changed",
                "the topic kafka-wizard-smoke-1-00000001 could not be deleted: NOT_CONTROLLER"
            ]
        );
        let mut r = report();
        r.partitions[0].acked = 1;
        r.cleanup = Cleanup::Deleted;
        r.finish(Duration::from_secs(1));
        assert_eq!(r.failures, ["only 7 of 10 records were acknowledged"]);
    }

    #[test]
    fn a_cancelled_test_does_not_pass_but_is_no_failure_of_the_cluster() {
        let mut r = report();
        r.cancelled = true;
        r.partitions[0].acked = 1;
        r.cleanup = Cleanup::Deleted;
        r.finish(Duration::from_secs(1));
        assert!(!r.passed && r.failures.is_empty());
    }

    #[test]
    fn brokers_and_partitions_are_labelled_with_their_hosts() {
        let r = report();
        assert_eq!(r.broker_label(2), "broker 2 (h5)");
        assert_eq!(r.broker_label(9), "broker 9");
        let mut p = r.partitions[0].clone();
        assert_eq!(r.partition_label(&p), "partition 0 (leader broker 1 on h4)");
        p.leader = -1;
        assert_eq!(r.partition_label(&p), "partition 0 (no leader)");
    }
}
