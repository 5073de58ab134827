//! Preflight: before a deploy's first change on ANY host, every host's facts (read in the one probe round trip,
//! `probe.rs`) are judged (`judge.rs`, pure) and the run is refused — naming host, check and fix — when the cluster
//! could not work: a port its services need held by a foreign process, a directory below `preflight.min_free_mb`,
//! Java missing or too old, a peer's name that does not resolve, a clock too far behind for TLS. Warnings (kernel
//! settings, clock skew and sync, huge pages, a port on another host that a firewall or the network keeps this host's
//! services from — `reach.rs`, a second round trip) go out as events with their fix. `deploy --preflight-only`
//! runs only this and prints every finding ([`preflight`]). A warning the wizard can fix itself carries a typed
//! [`Remedy`] (`remedy.rs`), made where the operator asks (`fix.rs`: `--preflight-only --fix`, `deploy
//! --fix-kernel`).

pub mod environment;
pub mod fix;
pub mod judge;
pub mod probe;
pub mod reach;
pub mod remedy;
#[cfg(test)]
mod remedy_tests;
#[cfg(test)]
mod tests;
pub mod unit_limits;

use super::hosts::{connect_and_probe, HostRun};
use super::options::{ApplyError, DeployOptions};
use crate::apply::runlock::Access;
use crate::events::{Event, EventSink, Target};
use crate::project::spec::ClusterSpec;
pub use remedy::Remedy;
use serde::Serialize;
use std::sync::Arc;

/// How a check came out (the app's Review table shows it as it is: `ts-rs` typed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
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
    /// The fix the wizard can make itself, when it can (`fix` says what to do by hand; the front doors name their own
    /// way to have the wizard do it: the CLI's `--preflight-only --fix`, the app's Apply fixes…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<Remedy>,
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
        // A deploy's warnings reach both front doors as events: where the wizard can make the fix, each one's way.
        let wizard_can = match f.remedy {
            Some(_) => {
                " (the wizard can make it: `deploy --preflight-only --fix`, or Apply fixes… on Review's Check hosts)"
            }
            None => "",
        };
        let message = format!("{}: {} — fix: {}{wizard_can}", f.check, f.result, f.fix);
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

/// `deploy --preflight-only --fix [--dry-run]`: [`preflight`], then each host's remedies made (hosts in parallel;
/// with `dry_run` only described, nothing changed). Returns the findings as they were before the fixes and what
/// was done per host. Takes the run lock unless `dry_run`.
pub async fn preflight_fix(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    dry_run: bool,
    events: EventSink,
) -> Result<(Vec<Finding>, Vec<fix::HostFix>), ApplyError> {
    let spec = Arc::new(spec.clone());
    let access = if dry_run { Access::ReadOnly } else { Access::Change };
    let mut runs = connect_and_probe(&spec, &opts.connect, &opts.limit, access, &events).await?;
    reach::probe_all(&spec, &mut runs).await;
    let all = findings(&spec, &runs, opts.install_java);
    let fixes = fix::fix_all(&spec, &runs, &all, dry_run).await;
    Ok((all, fixes))
}

/// `deploy --fix-kernel`, after the gate passed: the warnings' remedies made on every host of the run, each outcome
/// an event on its host (a fix the kernel refused now, or a host that could not be fixed, a warning).
pub(crate) async fn fix_before_deploy(spec: &ClusterSpec, runs: &[HostRun], install_java: bool, events: &EventSink) {
    let all = findings(spec, runs, install_java);
    fix_events(&fix::fix_all(spec, runs, &all, false).await, events);
}

/// Each fix's outcome as an event on its host: a Log, or a Warning when the kernel refused it now or the host could
/// not be fixed.
pub fn fix_events(fixes: &[fix::HostFix], events: &EventSink) {
    for host in fixes {
        for outcome in &host.outcomes {
            let message = outcome.line().split_once(": ").map_or(String::new(), |(_, m)| m.to_string());
            let target = Target::host(&host.host);
            events(match outcome.now {
                Some(Some(_)) => Event::Warning { target, message },
                _ => Event::Log { target, message },
            });
        }
        if let Some(e) = &host.error {
            events(Event::Warning { target: Target::host(&host.host), message: format!("fixing failed: {e}") });
        }
    }
}
