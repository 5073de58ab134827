//! A start phase of a deploy: start the service where it is stopped (all such hosts at once), restart it where this
//! run changed what it runs (`apply::roll`: one host at a time, leaders last, healthy in between), then prove the
//! phase's health conditions — or, on a cluster whose every node of this phase and of the next start now (a new or
//! wholly stopped cluster; `StartService::overlap_next`), leave them to be proven with the next phase's, which
//! starts right away: the brokers' JVMs start while ZooKeeper elects its leader (a broker waits for its ZooKeeper
//! session up to `zookeeper.connection.timeout.ms`, and for the KRaft controllers without end), instead of after.

use super::decide::{decide_start, StartDecision};
use super::hosts::{exec_checked, step_on_hosts, transports_of, unhealthy, HostRun};
use super::options::{ApplyError, Cancel, DeployOptions, DeploySummary};
use super::pending;
use super::roll::{roll, ToRestart};
use super::wait;
use crate::events::{Event, EventSink, Outcome, Target};
use crate::plan::roll::roll_gate;
use crate::plan::{Health, StartService};
use crate::project::spec::{ClusterSpec, Role};
use crate::render::Service;
use std::sync::Arc;

/// A start phase's health left to be proven with the next phase's: its conditions, and the units it started (whose
/// crashes end that wait as this phase's own would have).
#[derive(Debug, Default)]
pub(super) struct Carried {
    health: Vec<Health>,
    started: Vec<usize>,
    unit: &'static str,
}

/// Whether `start`'s health is left to the next phase on this run: the plan allows it, and this run starts every
/// host of both phases (none of them runs; every host of both is connected).
fn overlaps(spec: &ClusterSpec, start: &StartService, next: Option<&StartService>, runs: &[HostRun]) -> bool {
    let all_start = |phase: &StartService| {
        phase.hosts.iter().all(|name| {
            runs.iter().find(|r| spec.hosts[r.index].name.as_str() == name).is_some_and(|run| {
                decide_start(spec, &spec.hosts[run.index], phase.service, &run.facts, &run.ctx) == StartDecision::Start
            })
        })
    };
    start.overlap_next && next.is_some_and(|next| !next.hosts.is_empty() && all_start(start) && all_start(next))
}

/// A start phase (see the module's header): `next` is the plan's next phase when it is a start phase too, `carried`
/// the health the phase before left to this one. Returns the health this phase leaves to the next.
#[allow(clippy::too_many_arguments)]
pub(super) async fn start_phase(
    spec: &Arc<ClusterSpec>,
    opts: &DeployOptions,
    start: &StartService,
    next: Option<&StartService>,
    carried: Carried,
    runs: &[HostRun],
    events: &EventSink,
    cancel: &Cancel,
    summary: &mut DeploySummary,
) -> Result<Carried, ApplyError> {
    let service = start.service;
    let unit = service.unit();
    let overlap = overlaps(spec, start, next, runs);
    let mut to_start = Vec::new();
    let mut to_restart = Vec::new();
    for name in &start.hosts {
        let Some(run) = runs.iter().find(|r| spec.hosts[r.index].name.as_str() == name) else { continue };
        match decide_start(spec, &spec.hosts[run.index], start.service, &run.facts, &run.ctx) {
            StartDecision::Start => to_start.push(run.index),
            StartDecision::Restart { reason } => to_restart.push((run.index, reason)),
            d @ (StartDecision::Unchanged | StartDecision::Adopted { .. }) => events(Event::StepFinished {
                target: Target::host(name),
                step: start.title(),
                outcome: Outcome::Unchanged { reason: d.detail() },
            }),
        }
    }
    let transports = transports_of(runs);
    // A version upgrade's link swap, owed by hosts whose other service ran: done with this host's (re)start.
    let relink_of =
        |index: usize| runs.iter().find(|r| r.index == index).and_then(|r| r.ctx.relink_before_restart.clone());
    let before: std::collections::BTreeMap<String, String> =
        to_start.iter().filter_map(|i| relink_of(*i).map(|s| (spec.hosts[*i].name.to_string(), s))).collect();
    let failures =
        step_on_hosts(spec, &transports, &to_start, &format!("start {unit}"), events, move |t, target, _| {
            let start = pending::systemctl_script("start", service);
            let script = match target {
                Target::Host(name) if before.contains_key(name) => format!("{} && {start}", before[name]),
                _ => start,
            };
            exec_checked(t, &script).map(|()| "started".to_string())
        })
        .await;
    summary.started.extend(to_start.iter().map(|i| spec.hosts[*i].name.to_string()));
    summary.new_brokers.extend(new_brokers(spec, service, &to_start, runs));
    ApplyError::check(failures)?;
    if overlap {
        let what: Vec<String> = start.health.iter().map(|h| h.title()).collect();
        events(Event::Log {
            target: Target::Wizard,
            message: format!(
                "nothing of this phase or the next ran: the next phase starts right away, its services waiting for \
                 these by themselves; checked with its health: {}",
                what.join(", ")
            ),
        });
        return Ok(Carried { health: start.health.clone(), started: to_start, unit });
    }
    let mut health = carried.health;
    health.extend(start.health.iter().cloned());
    // the health wait, cut short when a service just started crashes over and over (`apply::crashed`) — this
    // phase's, or the one's before it that left its health to this one
    let healthy = || async {
        tokio::select! {
            waited = wait::until_healthy(spec, &health, opts.health_timeout, events) => {
                waited.map_err(|m| unhealthy(spec, &transports, m))
            }
            (index, crash) = super::crashed::first_crash(spec, &transports, &to_start, unit) => {
                Err(super::crashed::told(spec, &transports, index, unit, crash))
            }
            (index, crash) = super::crashed::first_crash(spec, &transports, &carried.started, carried.unit),
                if !carried.started.is_empty() => {
                Err(super::crashed::told(spec, &transports, index, carried.unit, crash))
            }
        }
    };
    if !to_start.is_empty() || to_restart.is_empty() || !carried.started.is_empty() {
        healthy().await?;
    } else {
        // Running services only: the cluster must be healthy before the first of them goes down.
        wait::ready_to_roll(spec, &roll_gate(spec, start), opts.force, events)
            .await
            .map_err(ApplyError::NotReadyToRoll)?;
    }
    // Changed configuration on running units: rolling, one host at a time, leaders last (Cancel between nodes: a
    // restart not done stays owed on the host).
    let nodes = to_restart
        .into_iter()
        .map(|(index, reason)| ToRestart { index, reason: Some(reason), before: relink_of(index) })
        .collect();
    summary.started.extend(roll(spec, &transports, start, nodes, opts, events, cancel).await?);
    Ok(Carried::default())
}

/// The hosts among `started` that are brokers whose storage was empty before this run (never formatted, never
/// started), when some other broker of the project is not new: a broker added to a running cluster.
fn new_brokers(spec: &ClusterSpec, service: Service, started: &[usize], runs: &[HostRun]) -> Vec<String> {
    let fresh =
        |index: usize| runs.iter().find(|r| r.index == index).is_some_and(|r| r.facts.meta_cluster_ids.is_empty());
    let is_broker = |index: usize| spec.hosts[index].has(Role::Broker);
    if service != Service::Kafka {
        return Vec::new();
    }
    let new: Vec<usize> = started.iter().copied().filter(|&i| is_broker(i) && fresh(i)).collect();
    let brokers = (0..spec.hosts.len()).filter(|&i| is_broker(i)).count();
    if new.is_empty() || new.len() == brokers {
        return Vec::new();
    }
    new.into_iter().map(|i| spec.hosts[i].name.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::facts::{HostFacts, UnitState};

    fn spec() -> ClusterSpec {
        let text = include_str!("../../tests/fixtures/seed-cluster.toml");
        crate::project::validate(&crate::project::parse(text).unwrap()).spec.unwrap()
    }

    /// Every host of `spec`, with `running` units active.
    fn runs(spec: &ClusterSpec, running: &[(&str, Service)]) -> Vec<HostRun> {
        let transport: Arc<dyn crate::transport::Transport> =
            Arc::new(crate::transport::local::LocalTransport::new("h", false));
        (0..spec.hosts.len())
            .map(|index| {
                let mut facts = HostFacts::default();
                for (_, service) in running.iter().filter(|(h, _)| *h == spec.hosts[index].name.as_str()) {
                    let active = UnitState { active: "active".into(), ..UnitState::default() };
                    facts.units.insert(service.unit().to_string(), active);
                }
                HostRun {
                    index,
                    transport: transport.clone(),
                    facts,
                    ctx: Default::default(),
                    uploaded: 0,
                    backups: Vec::new(),
                }
            })
            .collect()
    }

    fn start_phases(spec: &ClusterSpec) -> (StartService, StartService) {
        let mut plan = crate::plan::plan(spec).phases.into_iter().filter_map(|p| match p.work {
            crate::plan::Work::Start(s) => Some(s),
            _ => None,
        });
        (plan.next().unwrap(), plan.next().unwrap())
    }

    #[test]
    fn the_brokers_start_with_zookeeper_only_when_no_node_of_either_phase_runs_and_every_host_is_connected() {
        let spec = spec();
        let (zookeeper, brokers) = start_phases(&spec);
        assert_eq!((zookeeper.service, brokers.service), (Service::Zookeeper, Service::Kafka));
        // a new cluster: nothing runs
        assert!(overlaps(&spec, &zookeeper, Some(&brokers), &runs(&spec, &[])));
        // one ZooKeeper member already runs (a re-run, a repair): its quorum first, as the plan says
        let first_member = zookeeper.hosts[0].as_str();
        assert!(!overlaps(&spec, &zookeeper, Some(&brokers), &runs(&spec, &[(first_member, Service::Zookeeper)])));
        // one broker already runs: it must find a quorum when the others join
        let first_broker = brokers.hosts[0].as_str();
        assert!(!overlaps(&spec, &zookeeper, Some(&brokers), &runs(&spec, &[(first_broker, Service::Kafka)])));
        // a run limited to some hosts: the others' state is unknown
        let mut some = runs(&spec, &[]);
        some.retain(|r| spec.hosts[r.index].name.as_str() != brokers.hosts[0]);
        assert!(!overlaps(&spec, &zookeeper, Some(&brokers), &some));
        // the brokers' phase is the last start phase: nothing to overlap with
        assert!(!overlaps(&spec, &brokers, None, &runs(&spec, &[])));
    }
}
