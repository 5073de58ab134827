//! Operating a deployed cluster, along the plan's start phases: start (ZooKeeper or controllers first, then
//! brokers, each phase's health conditions proven before the next), stop (the reverse order), rolling restart (one
//! node at a time, healthy again before the next, in `apply::roll`'s order).

use super::hosts::{connect_and_probe, exec_checked, step_on_hosts, transports_of, unhealthy, Transports};
use super::options::{ApplyError, Cancel, DeployOptions};
use super::pending;
use super::roll::{roll, ToRestart};
use super::runlock::Access;
use super::running;
use super::wait;
use crate::events::{Event, EventSink, Target};
use crate::plan::roll::roll_gate;
use crate::plan::{self, Intent, Limit, Phase, StartService, Work};
use crate::project::spec::ClusterSpec;
use crate::render::Service;
use crate::transport::Transport;
use std::sync::Arc;
use std::time::Duration;

/// The start phases that have hosts `limit` names, with their service, in start order.
fn stages(spec: &ClusterSpec, limit: &Limit) -> Vec<(Phase, StartService)> {
    limit
        .phases(plan::start_phases(spec))
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

/// What to do with a deployed cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Start in order: ZooKeeper (quorum) → dedicated controllers → brokers (all in one cluster, partitions in sync).
    Start,
    /// Stop in reverse order: brokers → dedicated controllers → ZooKeeper; each unit until inactive.
    Stop,
    /// Rolling restart (`apply::roll`): dedicated controllers, then brokers, one host at a time — KRaft controllers
    /// (combined nodes too) before brokers-only nodes, the active controller last of them; each must be back (the
    /// phase's health conditions hold, and for controllers the quorum caught up) before the next goes down, and
    /// they must hold before the first (unless `opts.force`). A stopped node is started instead. ZooKeeper is not
    /// restarted.
    Restart,
}

/// Connects to every host (those `opts.limit` names — after its rules, `plan::limit`), then carries out `operation`. Cancel takes effect between phases and between the nodes of
/// a rolling restart — never mid-node.
pub async fn operate(
    operation: Operation,
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: EventSink,
    cancel: Cancel,
) -> Result<(), ApplyError> {
    let intent = match operation {
        Operation::Start => Intent::Start,
        Operation::Stop => Intent::Stop,
        Operation::Restart => Intent::Restart,
    };
    running::check_limit(spec, &opts.limit, intent).await?;
    let spec = Arc::new(spec.clone());
    let ts = transports_of(&connect_and_probe(&spec, &opts.connect, &opts.limit, Access::Change, &events).await?);
    let run = Run { spec, ts, opts, events, cancel };
    match operation {
        Operation::Start => run.start().await,
        Operation::Stop => run.stop().await,
        Operation::Restart => run.restart().await,
    }
}

/// One operation on connected hosts.
struct Run<'a> {
    spec: Arc<ClusterSpec>,
    ts: Transports,
    opts: &'a DeployOptions,
    events: EventSink,
    cancel: Cancel,
}

impl Run<'_> {
    fn check_cancel(&self) -> Result<(), ApplyError> {
        if self.cancel.is_cancelled() {
            Err(ApplyError::Cancelled)
        } else {
            Ok(())
        }
    }

    fn phase_started(&self, id: &str, title: String, start: &StartService) {
        let targets = start.hosts.iter().map(Target::host).collect();
        (self.events)(Event::PhaseStarted { phase: id.to_string(), title, targets });
    }

    async fn start(&self) -> Result<(), ApplyError> {
        let spec = &self.spec;
        for (phase, start) in stages(spec, &self.opts.limit) {
            self.check_cancel()?;
            let id = phase.kind.id();
            self.phase_started(id, phase.title.clone(), &start);
            systemctl(spec, &self.ts, &indexes(spec, &start), "start", start.service, &self.events).await?;
            wait::until_healthy(spec, &start.health, self.opts.health_timeout, &self.events)
                .await
                .map_err(|m| unhealthy(spec, &self.ts, m))?;
            (self.events)(Event::PhaseFinished { phase: id.to_string() });
        }
        Ok(())
    }

    async fn stop(&self) -> Result<(), ApplyError> {
        let spec = &self.spec;
        for (phase, start) in stages(spec, &self.opts.limit).into_iter().rev() {
            self.check_cancel()?;
            let id = format!("stop-{}", phase.kind.group());
            self.phase_started(&id, format!("Stop the {}", phase.kind.group()), &start);
            let service = start.service;
            let step = format!("stop {}", service.unit());
            let failures =
                step_on_hosts(spec, &self.ts, &indexes(spec, &start), &step, &self.events, move |t, at, ev| {
                    stop_unit(t, service, at, ev).map(|()| "stop done".to_string())
                })
                .await;
            ApplyError::check(failures)?;
            (self.events)(Event::PhaseFinished { phase: id });
        }
        Ok(())
    }

    async fn restart(&self) -> Result<(), ApplyError> {
        let (spec, events) = (&self.spec, &self.events);
        for (phase, start) in stages(spec, &self.opts.limit) {
            let id = format!("restart-{}", phase.kind.group());
            self.phase_started(&id, format!("Rolling restart of the {}", phase.kind.group()), &start);
            let gate = roll_gate(spec, &start);
            wait::ready_to_roll(spec, &gate, self.opts.force, events).await.map_err(ApplyError::NotReadyToRoll)?;
            let nodes = indexes(spec, &start)
                .into_iter()
                .map(|index| ToRestart { index, reason: None, before: None })
                .collect();
            roll(spec, &self.ts, &start, nodes, self.opts, events, &self.cancel).await?;
            events(Event::PhaseFinished { phase: id });
        }
        Ok(())
    }
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

/// After this long a stop that is still going is explained in the log.
const SLOW_STOP_NOTICE: Duration = Duration::from_secs(15);

/// How often a stopping unit's state is asked for (`systemctl is-active` on the host's open session).
const STOP_POLL: Duration = Duration::from_millis(250);

/// Stops a unit without blocking in systemctl, polling its state (every [`STOP_POLL`]), so a slow stop is explained while
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
        std::thread::sleep(STOP_POLL);
    }
}
