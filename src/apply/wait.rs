//! Waiting for health: poll until the cluster proves itself (or a deadline passes, with what was last seen).
//! ZooKeeper: `srvr` on every member shows one leader and the rest followers. Brokers: every broker's Metadata
//! lists all expected broker ids and one cluster id (KRaft: the project's). KRaft: the quorum has a leader and the
//! voters are exactly the controllers, each caught up (`apply::quorum`). Partitions: every broker's Metadata for all
//! topics shows each partition led and its ISR holding all its replicas (the broker gates are `apply::broker_gates`').
//! Which conditions apply where is the plan's ([`Health`]); this module checks them, once (`check`), polled to a
//! deadline (`until_healthy` — the two broker gates first asked in one round —, `until_back` after one node's
//! restart, each gate's time in the log), and before the first node of a rolling restart (`ready_to_roll`, which
//! `DeployOptions.force` overrides).

use crate::events::{Event, EventSink, Target};
use crate::health::{self, ZkMode};
use crate::plan::Health;
use crate::project::spec::{ClusterSpec, Coordination, Role};
use std::time::{Duration, Instant};

pub use super::broker_gates::{brokers_check, partitions_check};

/// How long one node is given to answer one check.
pub(super) const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
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
        let connect = tokio::time::timeout(PROBE_TIMEOUT, crate::transport::dial::connect(addr.as_str())).await;
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
        Health::QuorumJoined { .. } => super::membership::join_check(spec).await,
    }
}

/// Polls each condition in order until it holds, or `timeout` passes (each condition gets the whole timeout).
pub async fn until_healthy(
    spec: &ClusterSpec,
    health: &[Health],
    timeout: Duration,
    events: &EventSink,
) -> Result<(), String> {
    let mut gates = health.iter().peekable();
    while let Some(h) = gates.next() {
        let broker_gates = (h, gates.peek());
        if let (Health::BrokersInCluster { .. }, Some(next @ Health::PartitionsReplicated)) = broker_gates {
            let started = Instant::now();
            if let Some(seen) = super::broker_gates::both_broker_gates_hold(spec).await {
                let took = started.elapsed().as_secs_f64();
                for (gate, seen) in [(h, seen.0), (*next, seen.1)] {
                    let message = format!("{}: {seen} (after {took:.1} s)", gate.waiting_for());
                    events(Event::Log { target: Target::Wizard, message });
                }
                gates.next();
                continue;
            }
        }
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
