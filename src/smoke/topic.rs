//! The smoke test's pure choices: the temporary topic's name (and which topics are leftovers of earlier runs),
//! the replica assignment that gives each broker one partition to lead, and the records (recognisable, fixed size).

use bytes::Bytes;

/// Every smoke test topic's name starts with this; a topic named so is the wizard's to remove.
pub const TOPIC_PREFIX: &str = "kafka-wizard-smoke-";

/// The size of each record's value in bytes.
pub const VALUE_BYTES: usize = 100;

/// `kafka-wizard-smoke-<unix seconds>-<8 hex digits>`: says what it is, when it was made, unique per run.
pub fn topic_name(unix_secs: u64, nonce: u32) -> String {
    format!("{TOPIC_PREFIX}{unix_secs}-{nonce:08x}")
}

/// The topics an earlier, interrupted smoke test left behind (every one but `current`).
pub fn leftovers<'a>(topics: impl IntoIterator<Item = &'a str>, current: &str) -> Vec<String> {
    let mut names: Vec<String> =
        topics.into_iter().filter(|t| t.starts_with(TOPIC_PREFIX) && *t != current).map(String::from).collect();
    names.sort();
    names.dedup();
    names
}

/// Partition i's replicas: `rf` brokers in id order starting at the i-th, so broker i is partition i's preferred
/// leader and each broker leads exactly one partition. `rf` is capped at the number of brokers.
pub fn assignment(broker_ids: &[i32], rf: usize) -> Vec<Vec<i32>> {
    let mut ids = broker_ids.to_vec();
    ids.sort_unstable();
    let n = ids.len();
    (0..n).map(|i| (0..rf.min(n)).map(|k| ids[(i + k) % n]).collect()).collect()
}

/// The partition record `seq` goes to: round robin, so every partition gets its share.
pub fn partition_of(seq: u32, partitions: usize) -> i32 {
    (seq as usize % partitions.max(1)) as i32
}

/// Record `seq`'s key: its number.
pub fn key(seq: u32) -> Bytes {
    Bytes::from(seq.to_string())
}

/// Record `seq`'s value: names the topic, partition and number (so a record read back in the wrong place is seen),
/// padded with dots to [`VALUE_BYTES`].
pub fn value(topic: &str, partition: i32, seq: u32) -> Bytes {
    let mut text = format!("{topic} partition {partition} record {seq} ");
    while text.len() < VALUE_BYTES {
        text.push('.');
    }
    Bytes::from(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_topic_name_says_what_it_is_and_differs_per_run() {
        assert_eq!(topic_name(1_764_500_000, 0xab), "kafka-wizard-smoke-1764500000-000000ab");
        assert_ne!(topic_name(1, 1), topic_name(1, 2));
        assert!(topic_name(1, 1).len() < 249, "Kafka's limit on topic names");
    }

    #[test]
    fn leftovers_are_the_earlier_smoke_topics_and_never_another_topic_or_this_runs() {
        let topics = ["orders", "kafka-wizard-smoke-1-00000001", "__consumer_offsets", "kafka-wizard-smoke-2-00000002"];
        assert_eq!(leftovers(topics, "kafka-wizard-smoke-2-00000002"), ["kafka-wizard-smoke-1-00000001"]);
        assert!(leftovers(["orders", "kafka-wizard"], "x").is_empty());
    }

    #[test]
    fn each_broker_leads_one_partition_and_replicas_wrap_around() {
        assert_eq!(assignment(&[3, 1, 2], 3), [vec![1, 2, 3], vec![2, 3, 1], vec![3, 1, 2]]);
        assert_eq!(assignment(&[1, 2, 3, 4], 3), [vec![1, 2, 3], vec![2, 3, 4], vec![3, 4, 1], vec![4, 1, 2]]);
        assert_eq!(assignment(&[7], 3), [vec![7]]);
        assert_eq!(assignment(&[1, 2], 2), [vec![1, 2], vec![2, 1]]);
    }

    #[test]
    fn records_go_round_robin_and_name_their_place() {
        assert_eq!((0..6).map(|s| partition_of(s, 3)).collect::<Vec<_>>(), [0, 1, 2, 0, 1, 2]);
        let v = value("t", 2, 41);
        assert_eq!(v.len(), VALUE_BYTES);
        assert!(v.starts_with(b"t partition 2 record 41 ."));
        assert_ne!(value("t", 2, 41), value("t", 1, 41));
        assert_eq!(key(41), Bytes::from_static(b"41"));
    }
}
