//! A running static KRaft controller quorum converted to the project's dynamic one (`deploy --convert-quorum`;
//! docs/facts/kafka.md §36). Kafka 4.1+ only: the quorum's leader takes UpdateFeatures for `kraft.version` 1 and
//! writes the voter set into the metadata log (KAFKA-16538; 4.0 refuses it). The plan's first phase
//! (`plan::convert_quorum`) does that — judged from the hosts: nothing to do where no node runs
//! `controller.quorum.voters` any more or `kraft.version` is already 1 (a re-run after an interruption) — and only
//! then do the plan's own phases write `controller.quorum.bootstrap.servers` on every node and roll them one at a
//! time, health-gated. Irreversible: there is no downgrade of `kraft.version`.
//!
//! Refused before any host changes: a deploy of a dynamic project onto static nodes without `--convert-quorum`
//! (naming it); `--convert-quorum` on a project that is not dynamic, below 4.1, limited to some hosts, or while a
//! node still runs another release (the version upgrade comes first) or `metadata.version` is below 3.9-IV0.

use super::facts::HostFacts;
use super::hosts::HostRun;
use super::options::{ApplyError, DeployOptions};
use super::upgrade::features::{self, KRAFT_VERSION, METADATA_VERSION};
use crate::catalog::Version;
use crate::events::{Event, EventSink, Outcome, Target};
use crate::project::spec::{ClusterSpec, Coordination, Quorum};
use std::time::Duration;

/// The first release whose quorum can be converted (`kraft.version` 0 → 1 on a running cluster).
pub const CONVERSION_SINCE: Version = Version::new(4, 1, 0);
/// `metadata.version` 3.9-IV0: the lowest level `kraft.version` 1 works with.
const METADATA_LEVEL_NEEDED: i16 = 21;
const STEP: &str = "raise kraft.version to 1";

/// `--convert-quorum`'s own conditions, from the project alone.
pub(crate) fn check_options(spec: &ClusterSpec, opts: &DeployOptions) -> Result<(), ApplyError> {
    if !opts.convert_quorum {
        return Ok(());
    }
    let refuse = |why: String| Err(ApplyError::Quorum(format!("--convert-quorum: {why}")));
    let Coordination::Kraft(k) = &spec.coordination else {
        return refuse("the project is in ZooKeeper mode; only a KRaft controller quorum converts".into());
    };
    if k.quorum != Quorum::Dynamic {
        return refuse(
            "the project's controller quorum is static: set kraft.quorum = \"dynamic\" in [kraft] — the kind the \
             cluster is converted to"
                .into(),
        );
    }
    let version = spec.kafka.release.version;
    if version < CONVERSION_SINCE {
        return refuse(format!(
            "Kafka {version} cannot convert a running static quorum (Kafka 4.1 is the first that can: \
             KAFKA-16538) — upgrade the cluster to 4.1 or later first (kafka-wizard upgrade), then convert"
        ));
    }
    if !opts.limit.is_all() {
        return refuse("the conversion concerns every node of the cluster: run it without --limit".into());
    }
    Ok(())
}

/// The project's hosts whose storage belongs to the cluster and whose `server.properties` has the static voters.
pub(crate) fn static_nodes<'a>(spec: &'a ClusterSpec, runs: &'a [HostRun]) -> Vec<&'a str> {
    static_hosts(spec, runs.iter().map(|r| (spec.hosts[r.index].name.as_str(), &r.facts)))
}

/// [`static_nodes`] over each probed host's name and facts (also Manage's status: `apply::status`).
pub(crate) fn static_hosts<'a>(
    spec: &ClusterSpec,
    hosts: impl Iterator<Item = (&'a str, &'a HostFacts)>,
) -> Vec<&'a str> {
    let Coordination::Kraft(k) = &spec.coordination else { return Vec::new() };
    let Some(cluster_id) = k.cluster_id.as_ref().map(|c| c.as_str()) else { return Vec::new() };
    hosts
        .filter(|(_, f)| f.meta_cluster_ids.values().any(|id| id == cluster_id))
        .filter(|(_, f)| f.static_voters && f.bootstrap_servers.is_none())
        .map(|(name, _)| name)
        .collect()
}

/// Before anything changes, with the hosts' facts: a conversion is only started on nodes that all run the
/// project's release (an upgrade's roll comes first).
pub(crate) fn check_hosts(spec: &ClusterSpec, runs: &[HostRun], opts: &DeployOptions) -> Result<(), ApplyError> {
    if !opts.convert_quorum || static_nodes(spec, runs).is_empty() {
        return Ok(());
    }
    let want = spec.kafka.versioned_dir();
    let behind: Vec<String> = runs
        .iter()
        .filter(|r| r.facts.link_target.as_deref().is_some_and(|t| t != want.as_str()))
        .map(|r| format!("{} ({})", spec.hosts[r.index].name, r.facts.link_target.as_deref().unwrap_or("?")))
        .collect();
    if behind.is_empty() {
        return Ok(());
    }
    Err(ApplyError::Quorum(format!(
        "--convert-quorum: {} run(s) another release than the project's {}: upgrade first (kafka-wizard upgrade, then \
         --finalize), then convert",
        behind.join(", "),
        spec.kafka.release.version
    )))
}

/// The phase: `kraft.version` raised to 1 unless nothing runs a static quorum or it already is; then every broker
/// asked until it reports level 1, and the leader's voters read back (DescribeQuorum).
pub(crate) async fn run(
    spec: &ClusterSpec,
    runs: &[HostRun],
    timeout: Duration,
    events: &EventSink,
) -> Result<(), ApplyError> {
    let step = STEP.to_string();
    events(Event::StepStarted { target: Target::Wizard, step: step.clone() });
    let fail = |error: String| {
        events(Event::StepFailed { target: Target::Wizard, step: step.clone(), error: error.clone() });
        ApplyError::Quorum(error)
    };
    let unchanged = |reason: String| {
        events(Event::StepFinished {
            target: Target::Wizard,
            step: step.clone(),
            outcome: Outcome::Unchanged { reason },
        });
        Ok(())
    };
    let nodes = static_nodes(spec, runs);
    if nodes.is_empty() {
        return unchanged("no node runs a static quorum (controller.quorum.voters)".into());
    }
    if features::lowest_finalized(spec, KRAFT_VERSION).await.map_err(&fail)? >= 1 {
        return unchanged(format!(
            "kraft.version is already 1 (an earlier run converted the quorum): {} get their new configuration now",
            nodes.join(", ")
        ));
    }
    let metadata = features::lowest_finalized(spec, METADATA_VERSION).await.map_err(&fail)?;
    if metadata < METADATA_LEVEL_NEEDED {
        return Err(fail(format!(
            "metadata.version is level {metadata}, below 3.9-IV0 (level {METADATA_LEVEL_NEEDED}) that kraft.version 1 \
             needs: finalize the cluster's upgrade first (kafka-wizard upgrade FILE --finalize)"
        )));
    }
    features::raise(spec, KRAFT_VERSION, 1, timeout, events).await.map_err(&fail)?;
    let voters = match super::membership::describe(spec).await {
        Ok((m, _)) => {
            m.voters.iter().map(|v| format!("{} ({})", v.id, v.directory_id_text())).collect::<Vec<_>>().join(", ")
        }
        Err(e) => format!("not read back: {e}"),
    };
    let detail = format!("kraft.version 1: the quorum is dynamic; its voters {voters}");
    events(Event::StepFinished { target: Target::Wizard, step, outcome: Outcome::Changed { detail } });
    Ok(())
}

/// The dry run's row: what the phase would do, judged like [`run`] (read-only).
pub(crate) async fn preview_row(spec: &ClusterSpec, runs: &[HostRun]) -> (String, bool, String) {
    let nodes = static_nodes(spec, runs);
    if nodes.is_empty() {
        return (STEP.into(), false, "no node runs a static quorum (controller.quorum.voters)".into());
    }
    match features::lowest_finalized(spec, KRAFT_VERSION).await {
        Ok(level) if level >= 1 => {
            (STEP.into(), false, "kraft.version is already 1: the nodes get their new configuration".into())
        }
        Ok(_) => (
            STEP.into(),
            true,
            format!(
                "UpdateFeatures kraft.version=1 — irreversible — then {} rolled onto \
                 controller.quorum.bootstrap.servers",
                nodes.join(", ")
            ),
        ),
        Err(e) => (STEP.into(), true, format!("kraft.version not read ({e}); the run reads it again")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Limit, PhaseKind};

    fn spec(text: &str) -> ClusterSpec {
        crate::project::validate(&crate::project::parse(text).unwrap()).spec.unwrap()
    }

    const FIXTURE: &str = include_str!("../../tests/fixtures/kraft-dynamic.toml");

    fn refusal(spec: &ClusterSpec, opts: &DeployOptions) -> String {
        match check_options(spec, opts) {
            Err(ApplyError::Quorum(why)) => why,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn convert_quorum_is_refused_for_a_static_project_an_older_release_and_a_limit() {
        let convert = DeployOptions { convert_quorum: true, ..DeployOptions::default() };
        let dynamic = spec(FIXTURE);
        assert!(check_options(&dynamic, &convert).is_ok());
        assert!(check_options(&dynamic, &DeployOptions::default()).is_ok(), "nothing asked, nothing refused");
        let stat = spec(&FIXTURE.replace("quorum = \"dynamic\"\n", ""));
        assert!(refusal(&stat, &convert).contains("set kraft.quorum = \"dynamic\""));
        let older = spec(&FIXTURE.replace("version = \"4.1.1\"", "version = \"4.0.1\""));
        let why = refusal(&older, &convert);
        assert!(why.contains("Kafka 4.0.1 cannot convert") && why.contains("upgrade the cluster to 4.1"), "{why}");
        let limited = DeployOptions { limit: Limit::parse(&dynamic, "c1").unwrap(), ..convert };
        assert!(refusal(&dynamic, &limited).contains("without --limit"));
    }

    #[test]
    fn the_conversion_is_the_plans_first_phase_naming_every_controller() {
        let dynamic = spec(FIXTURE);
        let plain = crate::plan::plan(&dynamic);
        let plan = crate::plan::convert_quorum::with_quorum_conversion(&dynamic, plain.clone());
        assert_eq!(plan.phases.len(), plain.phases.len() + 1);
        assert_eq!(plan.phases[0].kind, PhaseKind::ConvertQuorum, "before anything is fetched, written or restarted");
        assert_eq!(plan.phases[1..], plain.phases[..]);
        let crate::plan::Work::ConvertQuorum(work) = &plan.phases[0].work else { panic!("{:?}", plan.phases[0]) };
        assert_eq!(work.controllers, ["c1", "c2", "c3"]);
        assert!(work.title().contains("irreversible"));
        let commands = crate::plan::convert_quorum_commands(&dynamic);
        assert!(commands.last().unwrap().ends_with("upgrade --feature kraft.version=1"), "{commands:?}");
    }
}
