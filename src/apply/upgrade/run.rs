//! The upgrade's part of a run (deploy, its dry run, `upgrade --finalize`): right after the probe, before any host
//! is touched — the hosts' releases and pins read from their facts, a KRaft cluster's `metadata.version` asked of
//! its brokers, [`judge`](super::judge)d; a refusal ends the run, notes go to the log, a pin goes into the spec the
//! run renders from. After the phases, [`Prepared::finish`] raises `metadata.version` when finalizing.

use super::{features, judge, linked_version, Finalize, HostRelease, Judgement};
use crate::apply::hosts::HostRun;
use crate::apply::options::ApplyError;
use crate::events::{Event, EventSink, Target};
use crate::project::spec::ClusterSpec;
use crate::render::Service;
use std::sync::Arc;
use std::time::Duration;

/// The run's spec (with the ZooKeeper-mode protocol pin) and what finalize still does after the phases.
pub struct Prepared {
    pub spec: Arc<ClusterSpec>,
    pub judgement: Judgement,
}

/// What each host holds, from its facts.
pub(crate) fn host_releases(spec: &ClusterSpec, runs: &[HostRun]) -> Vec<HostRelease> {
    runs.iter()
        .map(|r| HostRelease {
            host: spec.hosts[r.index].name.to_string(),
            linked: r.facts.link_target.as_deref().and_then(linked_version),
            pinned: r.facts.pinned_protocol.clone(),
            java_major: r.facts.java_major,
        })
        .collect()
}

/// Judges the run before anything is touched; see the module header.
pub(crate) async fn prepare(
    spec: &Arc<ClusterSpec>,
    runs: &[HostRun],
    finalize: Finalize,
    install_java: bool,
    events: &EventSink,
) -> Result<Prepared, ApplyError> {
    let hosts = host_releases(spec, runs);
    let min = spec.kafka.release.java.min;
    let short: Vec<String> = hosts
        .iter()
        .filter(|h| h.linked.is_some_and(|v| v != spec.kafka.release.version))
        .filter(|h| h.java_major.is_none_or(|j| j < min))
        .map(|h| format!("{} ({})", h.host, h.java_major.map_or("no Java".into(), |j| format!("Java {j}"))))
        .collect();
    if !short.is_empty() && !install_java && spec.kafka.java_home.is_none() {
        return Err(ApplyError::Upgrade(format!("kafka.version: Kafka {} needs Java {min} or newer, and {} do(es) not have it — install it on those hosts first (or let the run install it), then upgrade", spec.kafka.release.version, short.join(", "))));
    }
    let any_broker_running = runs.iter().any(|r| r.facts.is_active(Service::Kafka));
    let levels = if spec.is_kraft() && any_broker_running && hosts.iter().any(|h| h.linked.is_some()) {
        match features::levels(spec).await {
            Ok(l) => Some(l),
            Err(e) => {
                if finalize == Finalize::Yes {
                    return Err(ApplyError::Upgrade(format!("cannot read metadata.version from the brokers: {e}")));
                }
                None
            }
        }
    } else {
        None
    };
    let judgement = judge(spec, &hosts, levels, finalize).map_err(ApplyError::Upgrade)?;
    for message in &judgement.notes {
        events(Event::Log { target: Target::Wizard, message: message.clone() });
    }
    let spec = if judgement.pin.is_some() {
        let mut pinned = (**spec).clone();
        pinned.kafka.protocol_pin = judgement.pin.clone();
        Arc::new(pinned)
    } else {
        spec.clone()
    };
    Ok(Prepared { spec, judgement })
}

impl Prepared {
    /// After the phases: KRaft finalize raises `metadata.version` and waits until every broker reports it; the
    /// number of changes made (0 or 1).
    pub(crate) async fn finish(&self, timeout: Duration, events: &EventSink) -> Result<usize, ApplyError> {
        let Some(level) = self.judgement.raise_metadata else { return Ok(0) };
        let phase = crate::plan::PhaseKind::Upgrade.id().to_string();
        let title = "Finalize the upgrade: raise metadata.version".to_string();
        events(Event::PhaseStarted { phase: phase.clone(), title, targets: vec![Target::Wizard] });
        let result = self.raise(level, timeout, events).await;
        events(Event::PhaseFinished { phase });
        result
    }

    async fn raise(&self, level: i16, timeout: Duration, events: &EventSink) -> Result<usize, ApplyError> {
        let step = format!("raise metadata.version to level {level}");
        events(Event::StepStarted { target: Target::Wizard, step: step.clone() });
        match features::raise(&self.spec, features::METADATA_VERSION, level, timeout, events).await {
            Ok(()) => {
                let detail = format!("metadata.version is level {level} on every broker");
                events(Event::StepFinished {
                    target: Target::Wizard,
                    step,
                    outcome: crate::events::Outcome::Changed { detail },
                });
                Ok(1)
            }
            Err(error) => {
                events(Event::StepFailed { target: Target::Wizard, step, error: error.clone() });
                Err(ApplyError::Upgrade(error))
            }
        }
    }
}

/// The dry run's rows of the upgrade: its notes, and finalize's feature update.
pub fn finalize_rows(judgement: &Judgement) -> Vec<(String, bool, String)> {
    let mut rows: Vec<(String, bool, String)> =
        judgement.notes.iter().map(|n| ("upgrade".to_string(), false, n.clone())).collect();
    if let Some(level) = judgement.raise_metadata {
        rows.push((
            format!("raise metadata.version to level {level}"),
            true,
            "UpdateFeatures, then every broker asked until it reports the level".into(),
        ));
    }
    if let Some(pin) = &judgement.pin {
        rows.push(("pin inter.broker.protocol.version".into(), false, format!("{pin} until finalize")));
    }
    rows
}
