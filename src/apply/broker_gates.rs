//! The broker gates of [`crate::plan::Health`], each checked once: every broker in one cluster (each broker's
//! Metadata lists every expected broker id and one cluster id — KRaft: the project's), and every partition replicated
//! (each broker's Metadata for all topics shows every partition led, its ISR holding all its replicas; one below its
//! topic's `min.insync.replicas` told apart); and both from one Metadata round when both already hold
//! ([`both_broker_gates_hold`]). `apply::wait` polls them.

use super::wait::PROBE_TIMEOUT;
use crate::health::{self, ClusterMetadata, PartitionState};
use crate::project::spec::{ClusterSpec, Coordination};
use std::collections::{BTreeMap, BTreeSet};

/// Checks every broker once: each must list all expected broker ids, and all report the same cluster id.
pub async fn brokers_check(spec: &ClusterSpec) -> Result<String, String> {
    let port = spec.kafka.listener_port;
    let auth = &super::secrets::kafka_auth(spec)?;
    let futures = spec.brokers().map(|b| {
        let addr = format!("{}:{port}", b.reach().for_host_port());
        async move { (b.name.to_string(), health::kafka_metadata_with(&addr, auth, PROBE_TIMEOUT).await) }
    });
    let results = futures_util::future::join_all(futures).await;
    let answers: Vec<(&str, Result<&ClusterMetadata, String>)> =
        results.iter().map(|(name, r)| (name.as_str(), r.as_ref().map_err(|e| e.to_string()))).collect();
    judge_brokers(spec, &answers)
}

/// Judges what each broker answered (its name, the cluster it sees or why it did not answer): every broker lists
/// all expected broker ids, and all report one cluster id (KRaft: the project's).
fn judge_brokers(spec: &ClusterSpec, answers: &[(&str, Result<&ClusterMetadata, String>)]) -> Result<String, String> {
    let expected: BTreeSet<i32> = spec.brokers().filter_map(|b| b.node_id).map(|id| id as i32).collect();
    let mut problems = Vec::new();
    let mut cluster_ids = BTreeSet::new();
    for (name, r) in answers {
        match r {
            Ok(m) => {
                let ids: BTreeSet<i32> = m.brokers.iter().map(|b| b.id).collect();
                if ids != expected {
                    problems.push(format!("{name} sees brokers {ids:?}, expected {expected:?}"));
                }
                cluster_ids.insert(m.cluster_id.clone().unwrap_or_default());
            }
            Err(e) => problems.push(format!("{name}: {e}")),
        }
    }
    if cluster_ids.len() > 1 {
        problems.push(format!("brokers report different cluster ids {cluster_ids:?} — they are not one cluster"));
    }
    if let Coordination::Kraft(k) = &spec.coordination {
        let want = k.cluster_id.as_ref().map(|c| c.as_str().to_string()).unwrap_or_default();
        if cluster_ids.len() == 1 && !cluster_ids.contains(&want) {
            problems.push(format!("brokers report cluster id {cluster_ids:?}, the project says {want}"));
        }
    }
    if problems.is_empty() {
        Ok(format!("brokers {expected:?} in cluster {}", cluster_ids.into_iter().next().unwrap_or_default()))
    } else {
        Err(problems.join("; "))
    }
}

/// Both broker gates — brokers in one cluster, partitions replicated — from ONE Metadata request for all topics per
/// broker (the partitions gate's request, whose answer also lists the brokers and the cluster id): Some with what
/// each gate saw when both hold, None when either does not (or a broker did not answer) — the caller then polls
/// each gate on its own, which names what is behind. A running cluster's re-run proves both with one round instead
/// of two (at 24 hosts the second round cost ~0.08 s of the brokers' CPU).
pub async fn both_broker_gates_hold(spec: &ClusterSpec) -> Option<(String, String)> {
    let port = spec.kafka.listener_port;
    let auth = &super::secrets::kafka_auth(spec).ok()?;
    let futures = spec.brokers().map(|b| {
        let addr = format!("{}:{port}", b.reach().for_host_port());
        async move { (b.name.to_string(), health::metadata(&addr, auth, PROBE_TIMEOUT, None).await) }
    });
    let mut clusters = Vec::new();
    let mut views = Vec::new();
    for (name, answer) in futures_util::future::join_all(futures).await {
        let answer = answer.ok()?;
        clusters.push((name.clone(), health::cluster_of(&answer)));
        views.push((name, health::partitions_of(&answer)));
    }
    let answers: Vec<(&str, Result<&ClusterMetadata, String>)> =
        clusters.iter().map(|(name, m)| (name.as_str(), Ok(m))).collect();
    let brokers = judge_brokers(spec, &answers).ok()?;
    let partitions = judge_partitions(&views, &BTreeMap::new()).ok()?;
    Some((brokers, partitions))
}

/// At most this many partitions are named when some are behind; the rest are counted.
const NAMED_PARTITIONS: usize = 10;

/// What is wrong with one partition, or None when it is led and fully replicated: `orders-2: ISR [1, 3] of replicas
/// [1, 2, 3]`; with its topic's `min.insync.replicas` known and the ISR below it, that too (producers with
/// `acks=all` are refused then, not just under-replicated).
pub fn partition_behind(p: &PartitionState, min_insync: Option<i32>) -> Option<String> {
    let name = format!("{}-{}", p.topic, p.partition);
    if p.partition < 0 {
        return Some(format!("{}: {}", p.topic, health::error_name(p.error_code)));
    }
    let mut wrong = Vec::new();
    if p.leader < 0 {
        wrong.push("no leader (offline)".to_string());
    }
    if !p.replicas.iter().all(|r| p.isr.contains(r)) {
        let mut isr = format!("ISR {:?} of replicas {:?}", p.isr, p.replicas);
        if let Some(min) = min_insync.filter(|min| (p.isr.len() as i32) < *min) {
            isr.push_str(&format!(" — below min.insync.replicas={min}, acks=all producers are refused"));
        }
        wrong.push(isr);
    }
    if !p.offline.is_empty() {
        wrong.push(format!("offline replicas {:?}", p.offline));
    }
    if wrong.is_empty() && p.error_code != 0 {
        wrong.push(health::error_name(p.error_code));
    }
    (!wrong.is_empty()).then(|| format!("{name}: {}", wrong.join(", ")))
}

/// Judges the partitions as each broker sees them (broker name, its partitions): Ok with a summary when every
/// partition is led and fully replicated in every view, else Err naming the partitions behind (the first view that
/// shows one names it; up to [`NAMED_PARTITIONS`], then a count). `min_insync` holds the topics'
/// `min.insync.replicas` where known.
pub fn judge_partitions(
    views: &[(String, Vec<PartitionState>)],
    min_insync: &BTreeMap<String, i32>,
) -> Result<String, String> {
    let mut behind: BTreeMap<(&str, i32), String> = BTreeMap::new();
    for (_, partitions) in views {
        for p in partitions {
            if let Some(what) = partition_behind(p, min_insync.get(&p.topic).copied()) {
                behind.entry((p.topic.as_str(), p.partition)).or_insert(what);
            }
        }
    }
    if behind.is_empty() {
        let partitions = views.iter().map(|(_, ps)| ps.len()).max().unwrap_or(0);
        let topics: BTreeSet<&str> = views.iter().flat_map(|(_, ps)| ps.iter().map(|p| p.topic.as_str())).collect();
        return Ok(format!("{partitions} partition(s) of {} topic(s) led and fully replicated", topics.len()));
    }
    let count = behind.len();
    let mut named: Vec<String> = behind.into_values().take(NAMED_PARTITIONS).collect();
    if count > NAMED_PARTITIONS {
        named.push(format!("and {} more", count - NAMED_PARTITIONS));
    }
    Err(format!("{count} partition(s) behind: {}", named.join("; ")))
}

/// Checks every broker's Metadata for all topics once: every partition led, its ISR all its replicas.
pub async fn partitions_check(spec: &ClusterSpec) -> Result<String, String> {
    let port = spec.kafka.listener_port;
    let addrs: Vec<String> = spec.brokers().map(|b| format!("{}:{port}", b.reach().for_host_port())).collect();
    let auth = &super::secrets::kafka_auth(spec)?;
    let futures = spec.brokers().zip(&addrs).map(|(b, addr)| async move {
        (b.name.to_string(), health::kafka_partitions_with(addr, auth, PROBE_TIMEOUT).await)
    });
    let mut views = Vec::new();
    let mut unreachable = Vec::new();
    let mut answered = Vec::new();
    for ((name, r), addr) in futures_util::future::join_all(futures).await.into_iter().zip(&addrs) {
        match r {
            Ok(partitions) => {
                views.push((name, partitions));
                answered.push(addr);
            }
            Err(e) => unreachable.push(format!("{name}: {e}")),
        }
    }
    let mut judged = judge_partitions(&views, &BTreeMap::new());
    if judged.is_err() {
        // Which of the partitions behind are below their topic's min.insync.replicas (asked of one broker).
        let short: BTreeSet<String> = views
            .iter()
            .flat_map(|(_, ps)| ps.iter().filter(|p| p.isr.len() < p.replicas.len()).map(|p| p.topic.clone()))
            .collect();
        if let (Some(addr), false) = (answered.first(), short.is_empty()) {
            let topics: Vec<String> = short.into_iter().collect();
            if let Ok(min_insync) = health::topics_min_insync_with(addr, auth, PROBE_TIMEOUT, &topics).await {
                judged = judge_partitions(&views, &min_insync);
            }
        }
    }
    if unreachable.is_empty() {
        return judged;
    }
    // A broker that does not answer is named, and so are the partitions the others see behind.
    let mut wrong = unreachable.join("; ");
    if let Err(behind) = judged {
        wrong.push_str(&format!("; {behind}"));
    }
    Err(wrong)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partition(topic: &str, partition: i32, leader: i32, replicas: &[i32], isr: &[i32]) -> PartitionState {
        PartitionState {
            topic: topic.into(),
            partition,
            leader,
            replicas: replicas.to_vec(),
            isr: isr.to_vec(),
            offline: Vec::new(),
            error_code: 0,
        }
    }

    fn view(broker: &str, partitions: Vec<PartitionState>) -> (String, Vec<PartitionState>) {
        (broker.to_string(), partitions)
    }

    /// Judged without any topic's min.insync.replicas known.
    fn judge(views: &[(String, Vec<PartitionState>)]) -> Result<String, String> {
        judge_partitions(views, &BTreeMap::new())
    }

    #[test]
    fn an_isr_below_min_insync_replicas_is_told_apart_from_under_replicated() {
        let under = partition("orders", 0, 1, &[1, 2, 3], &[1, 2]);
        let below = partition("orders", 1, 2, &[1, 2, 3], &[2]);
        let min = BTreeMap::from([("orders".to_string(), 2)]);
        let err = judge_partitions(&[view("h4", vec![under, below])], &min).unwrap_err();
        assert_eq!(
            err,
            "2 partition(s) behind: orders-0: ISR [1, 2] of replicas [1, 2, 3]; orders-1: ISR [2] of replicas [1, 2, 3] \
             — below min.insync.replicas=2, acks=all producers are refused"
        );
    }

    #[test]
    fn partitions_led_with_all_replicas_in_sync_are_fine() {
        let ps =
            vec![partition("orders", 0, 1, &[1, 2, 3], &[3, 1, 2]), partition("orders", 1, 2, &[2, 3, 1], &[2, 3, 1])];
        let seen = judge(&[view("h4", ps.clone()), view("h5", ps)]).unwrap();
        assert_eq!(seen, "2 partition(s) of 1 topic(s) led and fully replicated");
        assert_eq!(judge(&[view("h4", Vec::new())]).unwrap(), "0 partition(s) of 0 topic(s) led and fully replicated");
    }

    #[test]
    fn an_under_replicated_partition_is_named_with_its_isr_and_replicas() {
        let fine = partition("orders", 0, 1, &[1, 2, 3], &[1, 2, 3]);
        let behind = partition("orders", 1, 2, &[1, 2, 3], &[2, 3]);
        let err = judge(&[view("h4", vec![fine.clone()]), view("h5", vec![fine, behind])]).unwrap_err();
        assert_eq!(err, "1 partition(s) behind: orders-1: ISR [2, 3] of replicas [1, 2, 3]");
    }

    #[test]
    fn an_offline_partition_is_named_with_its_offline_replicas() {
        let mut offline = partition("payments", 0, -1, &[1, 2], &[]);
        offline.offline = vec![1, 2];
        let err = judge(&[view("h4", vec![offline])]).unwrap_err();
        assert_eq!(
            err,
            "1 partition(s) behind: payments-0: no leader (offline), ISR [] of replicas [1, 2], offline replicas [1, 2]"
        );
    }

    #[test]
    fn a_topic_level_error_or_a_partition_error_is_named() {
        let mut topic = partition("new", -1, -1, &[], &[]);
        topic.error_code = 5;
        let mut replica = partition("old", 0, 1, &[1, 2], &[1, 2]);
        replica.error_code = 9;
        let err = judge(&[view("h4", vec![topic, replica])]).unwrap_err();
        assert!(err.starts_with("2 partition(s) behind: new: LeaderNotAvailable"), "{err}");
        assert!(err.contains("old-0: ReplicaNotAvailable"), "{err}");
    }

    #[test]
    fn past_ten_partitions_behind_the_rest_are_counted() {
        let ps: Vec<PartitionState> = (0..13).map(|i| partition("t", i, 1, &[1, 2], &[1])).collect();
        let err = judge(&[view("h4", ps)]).unwrap_err();
        assert!(err.starts_with("13 partition(s) behind: t-0: ISR [1] of replicas [1, 2]; t-1:"), "{err}");
        assert!(err.ends_with("t-9: ISR [1] of replicas [1, 2]; and 3 more"), "{err}");
        assert!(!err.contains("t-10"), "{err}");
    }

    #[tokio::test]
    async fn both_gates_are_not_claimed_in_one_round_when_a_broker_does_not_answer() {
        // The fixture's hosts do not resolve here: no broker answers, so each gate is left to be polled on its own.
        let draft = crate::project::parse(include_str!("../../tests/fixtures/kraft-dedicated.toml")).unwrap();
        let spec = crate::project::validate(&draft).spec.unwrap();
        assert_eq!(both_broker_gates_hold(&spec).await, None);
    }

    #[test]
    fn brokers_that_see_every_broker_in_one_cluster_pass_and_a_missing_one_is_named() {
        let draft = crate::project::parse(include_str!("../../tests/fixtures/kraft-dedicated.toml")).unwrap();
        let spec = crate::project::validate(&draft).spec.unwrap();
        let Coordination::Kraft(k) = &spec.coordination else { panic!("a KRaft fixture") };
        let cluster_id = k.cluster_id.as_ref().map(|c| c.as_str().to_string());
        let ids: Vec<i32> = spec.brokers().filter_map(|b| b.node_id).map(|id| id as i32).collect();
        let seen = |ids: &[i32]| ClusterMetadata {
            cluster_id: cluster_id.clone(),
            controller_id: ids[0],
            brokers: ids
                .iter()
                .map(|&id| health::BrokerInfo { id, host: format!("b{id}"), port: 9092, rack: None })
                .collect(),
        };
        let (all, short) = (seen(&ids), seen(&ids[1..]));
        let names: Vec<String> = spec.brokers().map(|b| b.name.to_string()).collect();
        let answers: Vec<(&str, Result<&ClusterMetadata, String>)> =
            names.iter().map(|n| (n.as_str(), Ok(&all))).collect();
        let fine = judge_brokers(&spec, &answers).unwrap();
        assert!(fine.starts_with(&format!("brokers {:?} in cluster ", ids.iter().collect::<BTreeSet<_>>())), "{fine}");
        let mut answers = answers;
        answers[0].1 = Ok(&short);
        let wrong = judge_brokers(&spec, &answers).unwrap_err();
        assert!(wrong.starts_with(&format!("{} sees brokers", names[0])), "{wrong}");
    }
}
