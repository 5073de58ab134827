//! Operating a deployed cluster: start (ZooKeeper or controllers first, then brokers, healthy in between), stop
//! (brokers first), rolling restart (one node at a time, waiting until it is back in the cluster), and status.

use super::connect::connect_each;
use super::facts::{parse_probe, probe_script, UnitState};
use super::runner::{connect_and_probe, exec_checked, unhealthy, ApplyError, DeployOptions, Failure};
use super::wait;
use crate::events::{Event, EventSink, Outcome};
use crate::health::{self, ZkMode};
use crate::project::spec::{ClusterSpec, Coordination, HostSpec, Role};
use crate::render::{KAFKA_UNIT, ZOOKEEPER_UNIT};
use crate::transport::Transport;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Which hosts take part in each ordered stage.
fn stages(spec: &ClusterSpec) -> Vec<(&'static str, &'static str, Vec<usize>)> {
    let pick = |f: &dyn Fn(&HostSpec) -> bool| (0..spec.hosts.len()).filter(|&i| f(&spec.hosts[i])).collect::<Vec<_>>();
    vec![
        ("zookeeper", ZOOKEEPER_UNIT, pick(&|h| h.has(Role::Zookeeper))),
        ("controllers", KAFKA_UNIT, pick(&|h| h.has(Role::Controller) && !h.has(Role::Broker))),
        ("brokers", KAFKA_UNIT, pick(&|h| h.has(Role::Broker))),
    ]
}

async fn wait_for(stage: &str, spec: &ClusterSpec, opts: &DeployOptions, events: &EventSink) -> Result<(), String> {
    match stage {
        "zookeeper" => wait::zookeeper_quorum(spec, opts.health_timeout, events).await,
        "controllers" => wait::controller_quorum(spec, opts.health_timeout, events).await,
        _ => wait::brokers_in_cluster(spec, opts.health_timeout, events).await,
    }
}

/// After this long a stop that is still going is explained in the log.
const SLOW_STOP_NOTICE: Duration = Duration::from_secs(15);

/// Stops a unit without blocking in systemctl, polling its state once a second, so a slow stop is explained while
/// it happens: a KRaft broker waits up to 5 minutes for its controlled shutdown to be approved, which never comes
/// once no controller quorum is left (the unit's TimeoutStopSec lets it finish that wait, then close its logs
/// cleanly). Ends when the unit is inactive (or failed: not running either).
fn stop_unit(t: &dyn Transport, unit: &str, host: &str, events: &EventSink) -> Result<(), String> {
    exec_checked(t, &format!("systemctl stop --no-block {unit}"))?;
    let started = std::time::Instant::now();
    let mut told = false;
    loop {
        let out = t.exec(&format!("systemctl is-active {unit} || true"), None).map_err(|e| e.to_string())?;
        let state = out.stdout_text().trim().to_string();
        if matches!(state.as_str(), "inactive" | "failed" | "unknown" | "") {
            return Ok(());
        }
        if !told && started.elapsed() >= SLOW_STOP_NOTICE {
            told = true;
            let why = if unit == KAFKA_UNIT {
                "Kafka is finishing its controlled shutdown (leadership moved off this broker); with no controller quorum left it waits up to 5 minutes before closing cleanly"
            } else {
                "still stopping"
            };
            events(Event::Log {
                host: host.to_string(),
                message: format!("{unit} is {state} after {} s — {why}", started.elapsed().as_secs()),
            });
        }
        if started.elapsed() > Duration::from_secs(400) {
            return Err(format!("{unit} is still {state} after {} s", started.elapsed().as_secs()));
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// Runs `systemctl <verb> <unit>` on the given hosts in parallel, with events.
async fn systemctl_all(
    spec: &ClusterSpec,
    transports: &BTreeMap<usize, Arc<dyn Transport>>,
    hosts: &[usize],
    verb: &'static str,
    unit: &'static str,
    events: &EventSink,
) -> Result<(), ApplyError> {
    let tasks: Vec<_> = hosts
        .iter()
        .map(|i| {
            let t = transports[i].clone();
            let (events, name) = (events.clone(), spec.hosts[*i].name.to_string());
            tokio::task::spawn_blocking(move || {
                let step = format!("{verb} {unit}");
                events(Event::StepStarted { host: name.clone(), step: step.clone() });
                let r = if verb == "stop" {
                    stop_unit(t.as_ref(), unit, &name, &events)
                } else {
                    exec_checked(t.as_ref(), &format!("systemctl {verb} {unit}"))
                };
                match &r {
                    Ok(()) => events(Event::StepFinished {
                        host: name.clone(),
                        step: step.clone(),
                        outcome: Outcome::Changed { detail: format!("{verb} done") },
                    }),
                    Err(e) => events(Event::StepFailed { host: name.clone(), step: step.clone(), error: e.clone() }),
                }
                r.map_err(|message| Failure { host: name, step, message })
            })
        })
        .collect();
    let mut failures = Vec::new();
    for t in tasks {
        if let Err(f) = t.await.expect("systemctl task panicked") {
            failures.push(f);
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(ApplyError::Failed(failures))
    }
}

async fn transports(
    spec: &Arc<ClusterSpec>,
    opts: &DeployOptions,
    events: &EventSink,
) -> Result<BTreeMap<usize, Arc<dyn Transport>>, ApplyError> {
    let runs = connect_and_probe(spec, &opts.connect, events).await?;
    Ok(runs.into_iter().map(|r| (r.index, r.transport)).collect())
}

/// Starts the cluster in order: ZooKeeper (quorum) → dedicated controllers → brokers (all in one cluster).
pub async fn start(spec: &ClusterSpec, opts: &DeployOptions, events: EventSink) -> Result<(), ApplyError> {
    let spec = Arc::new(spec.clone());
    let ts = transports(&spec, opts, &events).await?;
    for (stage, unit, hosts) in stages(&spec) {
        if hosts.is_empty() {
            continue;
        }
        events(Event::PhaseStarted {
            phase: format!("start-{stage}"),
            title: format!("Start the {stage}"),
            hosts: hosts.iter().map(|i| spec.hosts[*i].name.to_string()).collect(),
        });
        systemctl_all(&spec, &ts, &hosts, "start", unit, &events).await?;
        wait_for(stage, &spec, opts, &events).await.map_err(|m| unhealthy(&spec, &ts, m))?;
        events(Event::PhaseFinished { phase: format!("start-{stage}") });
    }
    Ok(())
}

/// Stops the cluster in reverse order: brokers → dedicated controllers → ZooKeeper; checks every unit is inactive.
pub async fn stop(spec: &ClusterSpec, opts: &DeployOptions, events: EventSink) -> Result<(), ApplyError> {
    let spec = Arc::new(spec.clone());
    let ts = transports(&spec, opts, &events).await?;
    for (stage, unit, hosts) in stages(&spec).into_iter().rev() {
        if hosts.is_empty() {
            continue;
        }
        events(Event::PhaseStarted {
            phase: format!("stop-{stage}"),
            title: format!("Stop the {stage}"),
            hosts: hosts.iter().map(|i| spec.hosts[*i].name.to_string()).collect(),
        });
        systemctl_all(&spec, &ts, &hosts, "stop", unit, &events).await?;
        events(Event::PhaseFinished { phase: format!("stop-{stage}") });
    }
    Ok(())
}

/// Rolling restart: dedicated controllers, then brokers, one host at a time; each must be back (the cluster
/// healthy) before the next goes down. A stopped node is started instead. ZooKeeper is not restarted.
pub async fn restart(spec: &ClusterSpec, opts: &DeployOptions, events: EventSink) -> Result<(), ApplyError> {
    let spec = Arc::new(spec.clone());
    let ts = transports(&spec, opts, &events).await?;
    for (stage, unit, hosts) in stages(&spec).into_iter().filter(|(s, ..)| *s != "zookeeper") {
        if hosts.is_empty() {
            continue;
        }
        events(Event::PhaseStarted {
            phase: format!("restart-{stage}"),
            title: format!("Rolling restart of the {stage}"),
            hosts: hosts.iter().map(|i| spec.hosts[*i].name.to_string()).collect(),
        });
        for i in hosts {
            systemctl_all(&spec, &ts, &[i], "restart", unit, &events).await?;
            let check = if stage == "controllers" { "controllers" } else { "brokers" };
            wait_for(check, &spec, opts, &events).await.map_err(|m| unhealthy(&spec, &ts, m))?;
            events(Event::Log { host: spec.hosts[i].name.to_string(), message: "back in the cluster".into() });
        }
        events(Event::PhaseFinished { phase: format!("restart-{stage}") });
    }
    Ok(())
}

#[derive(Clone, Debug, Serialize)]
pub struct UnitStatus {
    pub unit: &'static str,
    pub enabled: String,
    pub active: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct HostStatus {
    pub host: String,
    pub roles: Vec<Role>,
    /// `None` when the host could not be reached (see `error`).
    pub units: Option<Vec<UnitStatus>>,
    /// The service's port accepts connections (the process is up and listening).
    pub listening: Option<bool>,
    /// Seen as a member by the cluster: in the brokers' Metadata, a ZooKeeper leader/follower.
    pub in_cluster: Option<bool>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClusterStatus {
    pub hosts: Vec<HostStatus>,
    /// One line per check: ZooKeeper quorum, brokers, KRaft quorum — Ok(summary) or Err(what is wrong).
    pub checks: Vec<(String, Result<String, String>)>,
    pub healthy: bool,
}

async fn port_open(addr: String) -> bool {
    matches!(tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect(addr)).await, Ok(Ok(_)))
}

/// Per host: unit states, process listening, membership; and the cluster-wide checks.
pub async fn status(spec: &ClusterSpec, opts: &DeployOptions) -> ClusterStatus {
    let connections = connect_each(spec, &opts.connect).await;
    let mut probes = Vec::new();
    for (i, c) in connections.into_iter().enumerate() {
        let spec_host = spec.hosts[i].clone();
        let script = probe_script(spec, &spec_host);
        probes.push(tokio::task::spawn_blocking(move || match c {
            Ok(t) => t.exec(&script, None).map(|o| parse_probe(&o.stdout_text()).units).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        }));
    }
    let mut unit_states: Vec<Result<BTreeMap<String, UnitState>, String>> = Vec::new();
    for p in probes {
        unit_states.push(p.await.unwrap_or_else(|e| Err(e.to_string())));
    }

    // Membership as the cluster sees it.
    let mut broker_ids_seen: Option<Vec<i32>> = None;
    for b in spec.brokers() {
        if let Ok(m) = health::kafka_metadata(
            &format!("{}:{}", b.reach().for_host_port(), spec.kafka.listener_port),
            Duration::from_secs(3),
        )
        .await
        {
            broker_ids_seen = Some(m.brokers.iter().map(|x| x.id).collect());
            break;
        }
    }
    let mut hosts = Vec::new();
    for (i, h) in spec.hosts.iter().enumerate() {
        let (units, error) = match &unit_states[i] {
            Ok(states) => {
                let mut list = Vec::new();
                for (yes, unit) in [(h.has(Role::Zookeeper), ZOOKEEPER_UNIT), (h.runs_kafka(), KAFKA_UNIT)] {
                    if yes {
                        let s = states.get(unit).cloned().unwrap_or_default();
                        list.push(UnitStatus { unit, enabled: s.enabled, active: s.active });
                    }
                }
                (Some(list), None)
            }
            Err(e) => (None, Some(e.clone())),
        };
        let mut listening = None;
        let mut in_cluster = None;
        if h.runs_kafka() {
            let port = if h.has(Role::Broker) {
                spec.kafka.listener_port
            } else if let Coordination::Kraft(k) = &spec.coordination {
                k.controller_port
            } else {
                spec.kafka.listener_port
            };
            listening = Some(port_open(format!("{}:{port}", h.reach().for_host_port())).await);
            if h.has(Role::Broker) {
                in_cluster = Some(
                    broker_ids_seen.as_ref().is_some_and(|ids| h.node_id.is_some_and(|id| ids.contains(&(id as i32)))),
                );
            }
        }
        if let (Coordination::Zookeeper(z), true) = (&spec.coordination, h.has(Role::Zookeeper)) {
            let addr = format!("{}:{}", h.reach().for_host_port(), z.client_port);
            let srvr = health::zookeeper_srvr(&addr, Duration::from_secs(3)).await;
            listening = Some(listening.unwrap_or(true) && srvr.is_ok());
            let member = matches!(srvr.map(|s| s.mode), Ok(ZkMode::Leader | ZkMode::Follower | ZkMode::Standalone));
            in_cluster = Some(in_cluster.unwrap_or(true) && member);
        }
        hosts.push(HostStatus {
            host: h.name.to_string(),
            roles: h.roles.clone(),
            units,
            listening,
            in_cluster,
            error,
        });
    }
    let mut checks = Vec::new();
    if matches!(spec.coordination, Coordination::Zookeeper(_)) && !spec.zookeeper_members().is_empty() {
        checks.push(("ZooKeeper quorum".to_string(), wait::zookeeper_check(spec).await));
    }
    checks.push(("brokers in one cluster".to_string(), wait::brokers_check(spec).await));
    if spec.is_kraft() {
        checks.push(("KRaft quorum".to_string(), wait::quorum_check(spec).await));
    }
    let healthy = checks.iter().all(|(_, r)| r.is_ok()) && hosts.iter().all(|h| h.error.is_none());
    ClusterStatus { hosts, checks, healthy }
}
