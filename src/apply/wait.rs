//! Waiting for health: poll until the cluster proves itself (or a deadline passes, with what was last seen).
//! ZooKeeper: `srvr` on every member shows one leader and the rest followers. Brokers: every broker's Metadata
//! lists all expected broker ids and one cluster id (KRaft: the project's). KRaft: the quorum has a leader and the
//! voters are exactly the controllers. Which conditions apply where is the plan's ([`Health`]); this module checks
//! them.

use crate::events::{Event, EventSink, Target};
use crate::health::{self, ZkMode};
use crate::plan::Health;
use crate::project::spec::{ClusterSpec, Coordination, Role};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
const POLL: Duration = Duration::from_millis(1000);

/// Polls `check` until it returns Ok or `timeout` passes; the error is the last thing seen.
async fn poll<F, Fut>(what: &str, timeout: Duration, events: &EventSink, mut check: F) -> Result<(), String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<String, String>>,
{
    let deadline = Instant::now() + timeout;
    let mut last = String::new();
    loop {
        match check().await {
            Ok(seen) => {
                events(Event::Log { target: Target::Wizard, message: format!("{what}: {seen}") });
                return Ok(());
            }
            Err(seen) => {
                if seen != last {
                    events(Event::Log { target: Target::Wizard, message: format!("waiting for {what}: {seen}") });
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
    let futures = spec.brokers().map(|b| {
        let addr = format!("{}:{port}", b.reach().for_host_port());
        async move { (b.name.to_string(), health::kafka_metadata(&addr, PROBE_TIMEOUT).await) }
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

/// Checks the KRaft quorum once through the first broker (or controller): a leader, and voters = controllers.
pub async fn quorum_check(spec: &ClusterSpec) -> Result<String, String> {
    let Coordination::Kraft(k) = &spec.coordination else { return Ok("no KRaft".into()) };
    let expected: BTreeSet<i32> = spec.controllers().filter_map(|c| c.node_id).map(|id| id as i32).collect();
    let target = spec
        .hosts
        .iter()
        .find(|h| h.has(Role::Broker))
        .map(|b| format!("{}:{}", b.reach().for_host_port(), spec.kafka.listener_port))
        .or_else(|| spec.controllers().next().map(|c| format!("{}:{}", c.reach().for_host_port(), k.controller_port)))
        .unwrap_or_default();
    let q = health::kraft_quorum(&target, PROBE_TIMEOUT).await.map_err(|e| e.to_string())?;
    let voters: BTreeSet<i32> = q.voters.iter().copied().collect();
    if q.leader_id >= 0 && voters == expected {
        Ok(format!("leader {} (epoch {}), voters {voters:?}", q.leader_id, q.leader_epoch))
    } else {
        Err(format!("leader {}, voters {voters:?}, expected voters {expected:?}", q.leader_id))
    }
}

/// Checks that every dedicated controller accepts connections on the controller port.
async fn controllers_listening_check(spec: &ClusterSpec) -> Result<String, String> {
    let Coordination::Kraft(k) = &spec.coordination else { return Ok("no KRaft".into()) };
    let addrs = spec
        .controllers()
        .filter(|c| !c.has(Role::Broker))
        .map(|c| (c.name.to_string(), format!("{}:{}", c.reach().for_host_port(), k.controller_port)));
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
        Health::KraftQuorum { .. } => quorum_check(spec).await,
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
        poll(h.waiting_for(), timeout, events, || check(spec, h)).await?;
    }
    Ok(())
}
