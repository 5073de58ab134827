//! Waiting for health: poll until the cluster proves itself (or a deadline passes, with what was last seen).
//! ZooKeeper: `srvr` on every member shows one leader and the rest followers. Brokers: every broker's Metadata
//! lists all expected broker ids and one cluster id (KRaft: the project's). KRaft: the quorum has a leader and the
//! voters are exactly the controllers, each caught up (`apply::quorum`). Partitions: every broker's Metadata for all
//! topics shows each partition led and its ISR holding all its replicas (one below its topic's `min.insync.replicas`
//! is told apart). Which conditions apply where is the plan's ([`Health`]); this module checks them, once (`check`),
//! polled to a deadline (`until_healthy`, `until_back` after one node's restart, each gate's time in the log), and
//! before the first node of a rolling restart (`ready_to_roll`, which `DeployOptions.force` overrides).

use crate::events::{Event, EventSink, Target};
use crate::health::{self, PartitionState, ZkMode};
use crate::plan::Health;
use crate::project::spec::{ClusterSpec, Coordination, Role};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
/// How often a gate asks (a Metadata request per broker, or `srvr` per ZooKeeper member): a rolling restart waits on
/// two gates per node, and a node is back on average half a poll before the gate sees it.
const POLL: Duration = Duration::from_millis(250);

/// Polls `check` until it returns Ok or `timeout` passes; the error is the last thing seen. When it holds, the log
/// says how long it took (`node`, the host just restarted, leads the line).
pub(crate) async fn poll<F, Fut>(
    what: &str,
    node: Option<&str>,
    timeout: Duration,
    events: &EventSink,
    mut check: F,
) -> Result<(), String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<String, String>>,
{
    let started = Instant::now();
    let deadline = started + timeout;
    let mut last = String::new();
    loop {
        match check().await {
            Ok(seen) => {
                let took = started.elapsed().as_secs_f64();
                let message = match node {
                    Some(node) => format!("{node} back: {what} after {took:.1} s ({seen})"),
                    None => format!("{what}: {seen} (after {took:.1} s)"),
                };
                events(Event::Log { target: Target::Wizard, message });
                return Ok(());
            }
            Err(seen) => {
                if seen != last {
                    // After a node's restart the wait is that node's: its row says what it waits for.
                    let target = node.map_or(Target::Wizard, Target::host);
                    events(Event::Log { target, message: format!("waiting for {what}: {seen}") });
                    last = seen;
                }
            }
        }
        if Instant::now() >= deadline {
            return Err(format!("{what} not reached after {}s — last seen: {last}", timeout.as_secs()));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Checks the ZooKeeper ensemble once: Ok with a summary when it has one leader and the rest followers.
pub async fn zookeeper_check(spec: &ClusterSpec) -> Result<String, String> {
    let Coordination::Zookeeper(z) = &spec.coordination else { return Ok("no ZooKeeper".into()) };
    let members = spec.zookeeper_members();
    if members.is_empty() {
        return Ok("external ensemble".into());
    }
    let futures = members.iter().map(|m| {
        let addr = format!("{}:{}", m.reach().for_host_port(), z.client_port);
        async move { (m.name.to_string(), health::zookeeper_srvr(&addr, PROBE_TIMEOUT).await) }
    });
    let results = futures_util::future::join_all(futures).await;
    let mut leaders = 0;
    let mut followers = 0;
    let mut seen = Vec::new();
    for (name, r) in &results {
        match r {
            Ok(s) => {
                match s.mode {
                    ZkMode::Leader => leaders += 1,
                    ZkMode::Follower => followers += 1,
                    ZkMode::Standalone if results.len() == 1 => leaders += 1,
                    _ => {}
                }
                seen.push(format!("{name} {:?}", s.mode).to_lowercase());
            }
            Err(e) => seen.push(format!("{name}: {e}")),
        }
    }
    let summary = seen.join(", ");
    if leaders == 1 && leaders + followers == results.len() {
        Ok(summary)
    } else {
        Err(summary)
    }
}

/// Checks every broker once: each must list all expected broker ids, and all report the same cluster id.
pub async fn brokers_check(spec: &ClusterSpec) -> Result<String, String> {
    let expected: BTreeSet<i32> = spec.brokers().filter_map(|b| b.node_id).map(|id| id as i32).collect();
    let port = spec.kafka.listener_port;
    let auth = &super::secrets::kafka_auth(spec)?;
    let futures = spec.brokers().map(|b| {
        let addr = format!("{}:{port}", b.reach().for_host_port());
        async move { (b.name.to_string(), health::kafka_metadata_with(&addr, auth, PROBE_TIMEOUT).await) }
    });
    let results = futures_util::future::join_all(futures).await;
    let mut problems = Vec::new();
    let mut cluster_ids = BTreeSet::new();
    for (name, r) in &results {
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

/// Checks that every dedicated controller accepts connections on the controller port.
async fn controllers_listening_check(spec: &ClusterSpec) -> Result<String, String> {
    let Some(controller_port) = spec.controller_port() else { return Ok("no KRaft".into()) };
    let addrs = spec
        .controllers()
        .filter(|c| !c.has(Role::Broker))
        .map(|c| (c.name.to_string(), format!("{}:{}", c.reach().for_host_port(), controller_port)));
    let mut down = Vec::new();
    let mut listening = 0;
    for (name, addr) in addrs {
        let connect = tokio::time::timeout(PROBE_TIMEOUT, tokio::net::TcpStream::connect(addr.as_str())).await;
        if matches!(connect, Ok(Ok(_))) {
            listening += 1;
        } else {
            down.push(name);
        }
    }
    if down.is_empty() {
        Ok(format!("{listening} controller(s) listening"))
    } else {
        Err(format!("not listening yet: {}", down.join(", ")))
    }
}

/// Checks a health condition once: Ok with what was seen, or Err with what is wrong.
pub async fn check(spec: &ClusterSpec, health: &Health) -> Result<String, String> {
    match health {
        Health::ZookeeperQuorum { .. } => zookeeper_check(spec).await,
        Health::ControllersListening { .. } => controllers_listening_check(spec).await,
        Health::BrokersInCluster { .. } => brokers_check(spec).await,
        Health::PartitionsReplicated => partitions_check(spec).await,
        Health::KraftQuorum { .. } => super::quorum::quorum_check(spec).await,
    }
}

/// Polls each condition in order until it holds, or `timeout` passes (each condition gets the whole timeout).
pub async fn until_healthy(
    spec: &ClusterSpec,
    health: &[Health],
    timeout: Duration,
    events: &EventSink,
) -> Result<(), String> {
    for h in health {
        poll(h.waiting_for(), None, timeout, events, || check(spec, h)).await?;
    }
    Ok(())
}

/// After `node` was restarted: polls each condition in order like [`until_healthy`], the log naming the node and
/// each gate's time ("h5 back: partitions fully replicated after 4.2 s").
pub async fn until_back(
    spec: &ClusterSpec,
    health: &[Health],
    node: &str,
    timeout: Duration,
    events: &EventSink,
) -> Result<(), String> {
    for h in health {
        poll(h.waiting_for(), Some(node), timeout, events, || check(spec, h)).await?;
    }
    Ok(())
}

/// Before the first node of a rolling restart: each condition checked once must already hold — a node taken down
/// from an unhealthy cluster can make partitions unavailable. Err says what is wrong (the caller's
/// `ApplyError::NotReadyToRoll`, which says that nothing was restarted), unless `force`, which goes on with a
/// warning.
pub async fn ready_to_roll(
    spec: &ClusterSpec,
    health: &[Health],
    force: bool,
    events: &EventSink,
) -> Result<(), String> {
    ready_to_roll_within(READY_WAIT, spec, health, force, events).await
}

/// [`ready_to_roll`] giving an unhealthy cluster `wait` (its tests: none).
async fn ready_to_roll_within(
    wait: Duration,
    spec: &ClusterSpec,
    health: &[Health],
    force: bool,
    events: &EventSink,
) -> Result<(), String> {
    // A busy node can miss one probe's deadline, and a node an interrupted run just restarted is still starting:
    // what fails is asked again every few seconds for a while before the roll is refused (a cluster that is really
    // unhealthy stays so).
    let started = Instant::now();
    let mut told = false;
    loop {
        let mut problems = Vec::new();
        for h in health {
            if let Err(seen) = check(spec, h).await {
                problems.push(format!("{}: {seen}", h.check_name()));
            }
        }
        if problems.is_empty() || started.elapsed() >= wait {
            return refuse_or_force(&problems, force, events);
        }
        if !told {
            told = true;
            let message = format!(
                "waiting up to {} s for the cluster to be healthy before the rolling restart: {}",
                wait.as_secs(),
                problems.join("; ")
            );
            events(Event::Log { target: Target::Wizard, message });
        }
        tokio::time::sleep(READY_RETRY).await;
    }
}

/// How long [`ready_to_roll`] gives an unhealthy cluster before it refuses the roll, and how often it asks.
const READY_WAIT: Duration = Duration::from_secs(60);
const READY_RETRY: Duration = Duration::from_secs(1);

/// The verdict of [`ready_to_roll`] on what it found.
pub fn refuse_or_force(problems: &[String], force: bool, events: &EventSink) -> Result<(), String> {
    if problems.is_empty() {
        return Ok(());
    }
    let problems = problems.join("; ");
    if force {
        let message = format!("rolling restart forced although the cluster is not healthy: {problems}");
        events(Event::Warning { target: Target::Wizard, message });
        return Ok(());
    }
    Err(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

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

    fn recorder() -> (EventSink, Arc<Mutex<Vec<Event>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink_seen = seen.clone();
        let sink: EventSink = Arc::new(move |e| sink_seen.lock().unwrap().push(e));
        (sink, seen)
    }

    #[test]
    fn a_rolling_restart_from_an_unhealthy_cluster_is_refused_naming_what_is_wrong() {
        let (events, seen) = recorder();
        let problems = vec![
            "partitions replicated: 1 partition(s) behind: orders-1: ISR [2, 3] of replicas [1, 2, 3]".to_string()
        ];
        let err = refuse_or_force(&problems, false, &events).unwrap_err();
        assert!(err.contains("orders-1: ISR [2, 3] of replicas [1, 2, 3]"), "{err}");
        let err = crate::apply::ApplyError::NotReadyToRoll(err).to_string();
        assert!(err.contains("orders-1") && err.contains("nothing was restarted"), "{err}");
        assert!(!err.contains("--force"), "how to force is the front door's word, not the engine's: {err}");
        assert!(seen.lock().unwrap().is_empty());
    }

    #[test]
    fn force_goes_on_from_an_unhealthy_cluster_with_a_warning() {
        let (events, seen) = recorder();
        let problems = vec!["brokers in one cluster: h6: cannot connect".to_string()];
        refuse_or_force(&problems, true, &events).unwrap();
        let seen = seen.lock().unwrap();
        assert!(
            matches!(&seen[..], [Event::Warning { target: Target::Wizard, message }]
                if message.contains("forced although") && message.contains("h6: cannot connect")),
            "{seen:?}"
        );
    }

    #[tokio::test]
    async fn ready_to_roll_checks_the_cluster_and_refuses_when_the_brokers_cannot_be_reached() {
        // The fixture's hosts do not resolve here: no broker answers.
        let draft = crate::project::parse(include_str!("../../tests/fixtures/kraft-dedicated.toml")).unwrap();
        let spec = crate::project::validate(&draft).spec.unwrap();
        let health = crate::plan::cluster_health(&spec);
        let (events, seen) = recorder();
        let err = ready_to_roll_within(Duration::ZERO, &spec, &health[..2], false, &events).await.unwrap_err();
        assert!(err.starts_with("brokers in one cluster: ") && err.contains("; partitions replicated: "), "{err}");
        assert!(seen.lock().unwrap().is_empty(), "no wait announced when there is none to give");
        ready_to_roll_within(Duration::ZERO, &spec, &health[..2], true, &crate::events::discard()).await.unwrap();
    }

    #[test]
    fn a_healthy_cluster_rolls_without_a_word() {
        let (events, seen) = recorder();
        refuse_or_force(&[], false, &events).unwrap();
        assert!(seen.lock().unwrap().is_empty());
    }
}
