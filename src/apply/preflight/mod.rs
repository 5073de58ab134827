//! Preflight: before a deploy's first change on ANY host, every host's facts (read in the one probe round trip,
//! `probe.rs`) are judged (`judge.rs`, pure) and the run is refused — naming host, check and fix — when the cluster
//! could not work: a port its services need held by a foreign process, a directory below `preflight.min_free_mb`,
//! Java missing or too old, a peer's name that does not resolve, a clock too far behind for TLS. Warnings (kernel
//! settings, clock skew and sync, huge pages, a port on another host that a firewall or the network keeps this host's
//! services from — `reach.rs`, a second round trip) go out as events with their fix. `deploy --preflight-only`
//! runs only this and prints every finding ([`preflight`]).

pub mod environment;
pub mod judge;
pub mod probe;
pub mod reach;
#[cfg(test)]
mod tests;

use super::hosts::{connect_and_probe, HostRun};
use super::options::{ApplyError, DeployOptions};
use crate::apply::runlock::Access;
use crate::events::{Event, EventSink, Target};
use crate::project::spec::ClusterSpec;
use serde::Serialize;
use std::sync::Arc;

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    /// Worth fixing; the run goes on.
    Warn,
    /// The cluster could not work: the run is refused before any change.
    Refuse,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "ok",
            Verdict::Warn => "WARN",
            Verdict::Refuse => "REFUSED",
        }
    }
}

/// One check on one host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub host: String,
    /// What was checked: `port 9092 (kafka.listener_port)`, `free space /data1 (data directory)`, `Java`, …
    pub check: String,
    pub verdict: Verdict,
    /// What was found.
    pub result: String,
    /// What to do about it (empty when it passed).
    pub fix: String,
}

impl Finding {
    /// `h1: port 9092 (kafka.listener_port): held by python3 (pid 80) … — fix: stop that process …`
    pub fn line(&self) -> String {
        match self.fix.is_empty() {
            true => format!("{}: {}: {}", self.host, self.check, self.result),
            false => format!("{}: {}: {} — fix: {}", self.host, self.check, self.result, self.fix),
        }
    }
}

/// Every host's findings, in host order.
pub(crate) fn findings(spec: &ClusterSpec, runs: &[HostRun], install_java: bool) -> Vec<Finding> {
    let peers: environment::PeerAddresses = runs
        .iter()
        .map(|run| (spec.hosts[run.index].reach().to_string(), run.facts.preflight.environment.own_addresses.clone()))
        .collect();
    runs.iter().flat_map(|run| judge::judge(spec, &spec.hosts[run.index], &run.facts, install_java, &peers)).collect()
}

/// The deploy's gate, right after the probe and before anything is made or changed: warnings go out as events,
/// refusals end the run ([`ApplyError::Preflight`]).
pub(crate) fn gate(
    spec: &ClusterSpec,
    runs: &[HostRun],
    install_java: bool,
    events: &EventSink,
) -> Result<(), ApplyError> {
    let all = findings(spec, runs, install_java);
    for f in all.iter().filter(|f| f.verdict == Verdict::Warn) {
        let message = format!("{}: {} — fix: {}", f.check, f.result, f.fix);
        events(Event::Warning { target: Target::host(&f.host), message });
    }
    let refused: Vec<Finding> = all.into_iter().filter(|f| f.verdict == Verdict::Refuse).collect();
    match refused.is_empty() {
        true => Ok(()),
        false => Err(ApplyError::Preflight(refused)),
    }
}

/// `deploy --preflight-only`: connect to the hosts of `opts.limit`, probe them, and return every finding; nothing
/// is changed on any host.
pub async fn preflight(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: EventSink,
) -> Result<Vec<Finding>, ApplyError> {
    let spec = Arc::new(spec.clone());
    let mut runs = connect_and_probe(&spec, &opts.connect, &opts.limit, Access::ReadOnly, &events).await?;
    reach::probe_all(&spec, &mut runs).await;
    Ok(findings(&spec, &runs, opts.install_java))
}
