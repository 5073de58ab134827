//! Operating a deployed cluster, along the plan's start phases: start (ZooKeeper or controllers first, then
//! brokers, each phase's health conditions proven before the next), stop (the reverse order), rolling restart (one
//! node at a time, healthy again before the next).

use super::hosts::{connect_and_probe, exec_checked, step_on_hosts, transports_of, unhealthy, Transports};
use super::options::{ApplyError, Cancel, DeployOptions};
use super::pending;
use super::wait;
use crate::events::{Event, EventSink, Target};
use crate::plan::{self, Phase, StartService, Work};
use crate::project::spec::ClusterSpec;
use crate::render::Service;
use crate::transport::Transport;
use std::sync::Arc;
use std::time::Duration;

/// The start phases that have hosts, with their service, in start order.
fn stages(spec: &ClusterSpec) -> Vec<(Phase, StartService)> {
    plan::start_phases(spec)
        .into_iter()
        .filter_map(|phase| match &phase.work {
            Work::Start(start) if !start.hosts.is_empty() => {
                let start = start.clone();
                Some((phase, start))
            }
            _ => None,
        })
        .collect()
}

/// The host indexes of a stage.
fn indexes(spec: &ClusterSpec, start: &StartService) -> Vec<usize> {
    start.hosts.iter().filter_map(|name| spec.hosts.iter().position(|h| h.name.as_str() == name)).collect()
}

/// Cancel takes effect between phases and between the nodes of a rolling restart — never mid-node.
fn stop_if_cancelled(cancel: &Cancel) -> Result<(), ApplyError> {
    if cancel.is_cancelled() {
        Err(ApplyError::Cancelled)
    } else {
        Ok(())
    }
}

async fn connect(spec: &Arc<ClusterSpec>, opts: &DeployOptions, events: &EventSink) -> Result<Transports, ApplyError> {
    Ok(transports_of(&connect_and_probe(spec, &opts.connect, events).await?))
}

fn phase_started(events: &EventSink, id: String, title: String, start: &StartService) {
    events(Event::PhaseStarted { phase: id, title, targets: start.hosts.iter().map(Target::host).collect() });
}

/// `systemctl start|restart <unit>` on hosts in parallel, as one step each; the service then runs what is on the
/// host, so a restart an earlier run owed it is done (`apply::pending`).
async fn systemctl(
    spec: &ClusterSpec,
    ts: &Transports,
    hosts: &[usize],
    verb: &'static str,
    service: Service,
    events: &EventSink,
) -> Result<(), ApplyError> {
    let unit = service.unit();
    let failures = step_on_hosts(spec, ts, hosts, &format!("{verb} {unit}"), events, move |t, _, _| {
        exec_checked(t, &pending::systemctl_script(verb, service)).map(|()| format!("{verb} done"))
    })
    .await;
    ApplyError::check(failures)
}

/// Starts the cluster in order: ZooKeeper (quorum) → dedicated controllers → brokers (all in one cluster).
pub async fn start(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: EventSink,
    cancel: Cancel,
) -> Result<(), ApplyError> {
    let spec = Arc::new(spec.clone());
    let ts = connect(&spec, opts, &events).await?;
    for (phase, start) in stages(&spec) {
        stop_if_cancelled(&cancel)?;
        let id = phase.kind.id().to_string();
        phase_started(&events, id.clone(), phase.title.clone(), &start);
        systemctl(&spec, &ts, &indexes(&spec, &start), "start", start.service, &events).await?;
        wait::until_healthy(&spec, &start.health, opts.health_timeout, &events)
            .await
            .map_err(|m| unhealthy(&spec, &ts, m))?;
        events(Event::PhaseFinished { phase: id });
    }
    Ok(())
}

/// Stops the cluster in reverse order: brokers → dedicated controllers → ZooKeeper; each unit until inactive.
pub async fn stop(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: EventSink,
    cancel: Cancel,
) -> Result<(), ApplyError> {
    let spec = Arc::new(spec.clone());
    let ts = connect(&spec, opts, &events).await?;
    for (phase, start) in stages(&spec).into_iter().rev() {
        stop_if_cancelled(&cancel)?;
        let id = format!("stop-{}", phase.kind.group());
        phase_started(&events, id.clone(), format!("Stop the {}", phase.kind.group()), &start);
        let service = start.service;
        let unit = service.unit();
        let failures = step_on_hosts(
            &spec,
            &ts,
            &indexes(&spec, &start),
            &format!("stop {unit}"),
            &events,
            move |t, target, events| stop_unit(t, service, target, events).map(|()| "stop done".to_string()),
        )
        .await;
        ApplyError::check(failures)?;
        events(Event::PhaseFinished { phase: id });
    }
    Ok(())
}

/// Rolling restart: dedicated controllers, then brokers, one host at a time; each must be back (the phase's health
/// conditions hold) before the next goes down, and they must hold before the first (unless `opts.force`). A stopped
/// node is started instead. ZooKeeper is not restarted.
pub async fn restart(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: EventSink,
    cancel: Cancel,
) -> Result<(), ApplyError> {
    let spec = Arc::new(spec.clone());
    let ts = connect(&spec, opts, &events).await?;
    for (phase, start) in stages(&spec).into_iter().filter(|(_, s)| s.service != Service::Zookeeper) {
        let id = format!("restart-{}", phase.kind.group());
        phase_started(&events, id.clone(), format!("Rolling restart of the {}", phase.kind.group()), &start);
        wait::ready_to_roll(&spec, &start.health, opts.force, &events).await.map_err(ApplyError::Unhealthy)?;
        for i in indexes(&spec, &start) {
            stop_if_cancelled(&cancel)?;
            systemctl(&spec, &ts, &[i], "restart", start.service, &events).await?;
            wait::until_back(&spec, &start.health, spec.hosts[i].name.as_str(), opts.health_timeout, &events)
                .await
                .map_err(|m| unhealthy(&spec, &ts, m))?;
            events(Event::Log { target: Target::host(&spec.hosts[i].name), message: "back in the cluster".into() });
        }
        events(Event::PhaseFinished { phase: id });
    }
    Ok(())
}

/// After this long a stop that is still going is explained in the log.
const SLOW_STOP_NOTICE: Duration = Duration::from_secs(15);

/// Stops a unit without blocking in systemctl, polling its state once a second, so a slow stop is explained while
/// it happens: a KRaft broker waits up to 5 minutes for its controlled shutdown to be approved, which never comes
/// once no controller quorum is left (the unit's TimeoutStopSec lets it finish that wait, then close its logs
/// cleanly). Ends when the unit is inactive (or failed: not running either).
fn stop_unit(t: &dyn Transport, service: Service, target: &Target, events: &EventSink) -> Result<(), String> {
    let unit = service.unit();
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
            let why = if service == Service::Kafka {
                "Kafka is finishing its controlled shutdown (leadership moved off this broker); with no controller quorum left it waits up to 5 minutes before closing cleanly"
            } else {
                "still stopping"
            };
            events(Event::Log {
                target: target.clone(),
                message: format!("{unit} is {state} after {} s — {why}", started.elapsed().as_secs()),
            });
        }
        if started.elapsed() > Duration::from_secs(400) {
            return Err(format!("{unit} is still {state} after {} s", started.elapsed().as_secs()));
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}
